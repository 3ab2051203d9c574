import { bool, dict, isRecord, type Json, list, num, oneOf, optStr, record, str } from './decode.js';

export interface User {
  readonly id: string;
  readonly email: string;
  readonly displayName: string | null;
}

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: User;
}

export type Role = 'owner' | 'member';

export interface Placement {
  readonly homeId: string;
  readonly homeName: string;
  readonly roomId: string | null;
  readonly roomName: string | null;
}

/** A device as its user sees it (GET /v1/me/devices): reported, desired, presence, shadow version. */
export interface DeviceState {
  readonly id: string;
  readonly modelId: string;
  readonly modelVersion: number;
  readonly role: Role;
  readonly firmwareVersion: string | null;
  readonly presence: { readonly online: boolean; readonly lastSeenAt: string | null };
  readonly version: number;
  readonly reported: Readonly<Record<string, { readonly value: unknown; readonly reportedAt: string }>>;
  readonly desired: Readonly<Record<string, { readonly value: unknown; readonly setAt: string }>>;
  readonly placement: Placement | null;
}

export interface Home {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
}

export interface HomeMember {
  readonly userId: string;
  readonly email: string;
  readonly displayName: string | null;
  readonly role: Role;
}

export interface Room {
  readonly id: string;
  readonly name: string;
}

export interface HomeDetail extends Home {
  readonly members: readonly HomeMember[];
  readonly rooms: readonly Room[];
  readonly devices: ReadonlyArray<{ readonly deviceId: string; readonly roomId: string | null }>;
}

/** Who a device is shared with: by email (an invitation binds when that email registers). */
export interface Share {
  /** Older hubs name the user; current ones only the email. */
  readonly userId: string | null;
  readonly email: string | null;
  readonly role: Role;
  readonly since: string;
}

/** One event argument as MIoT lists them: the piid of a property of the event's service and a value. */
export interface EventArgument {
  readonly piid: number;
  readonly value: unknown;
}

export interface DeviceEvent {
  /** `service.event`. */
  readonly event: string;
  readonly ts: string;
  readonly seq: number;
  readonly args: readonly EventArgument[];
}

export type HistorySeries =
  | { readonly kind: 'points'; readonly points: ReadonlyArray<{ ts: string; value: unknown }> }
  | {
      readonly kind: 'buckets';
      readonly buckets: ReadonlyArray<{
        start: string;
        count: number;
        min: number | null;
        max: number | null;
        avg: number | null;
      }>;
    };

const ROLES = ['owner', 'member'] as const;

export function readUser(v: unknown, path = ''): User {
  const o = record(v, path);
  return {
    id: str(o['id'], `${path}/id`),
    email: str(o['email'], `${path}/email`),
    displayName: optStr(o['displayName'], `${path}/displayName`),
  };
}

export function readSession(v: unknown): Session {
  const o = record(v);
  return {
    token: str(o['token'], '/token'),
    expiresAt: str(o['expiresAt'], '/expiresAt'),
    user: readUser(o['user'], '/user'),
  };
}

function readPlacement(v: unknown, path: string): Placement | null {
  if (v === null || v === undefined) return null;
  const o = record(v, path);
  return {
    homeId: str(o['homeId'], `${path}/homeId`),
    homeName: str(o['homeName'], `${path}/homeName`),
    roomId: optStr(o['roomId'], `${path}/roomId`),
    roomName: optStr(o['roomName'], `${path}/roomName`),
  };
}

export function readDeviceState(v: unknown, path = ''): DeviceState {
  const o = record(v, path);
  const presence = record(o['presence'], `${path}/presence`);
  return {
    id: str(o['id'], `${path}/id`),
    modelId: str(o['modelId'], `${path}/modelId`),
    modelVersion: num(o['modelVersion'], `${path}/modelVersion`),
    role: oneOf(o['role'], `${path}/role`, ROLES),
    firmwareVersion: optStr(o['firmwareVersion'], `${path}/firmwareVersion`),
    presence: {
      online: bool(presence['online'], `${path}/presence/online`),
      lastSeenAt: optStr(presence['lastSeenAt'], `${path}/presence/lastSeenAt`),
    },
    version: num(o['version'], `${path}/version`),
    reported: dict(o['reported'], `${path}/reported`, (r, p) => {
      const e = record(r, p);
      return { value: e['value'], reportedAt: str(e['reportedAt'], `${p}/reportedAt`) };
    }),
    desired: dict(o['desired'] ?? {}, `${path}/desired`, (r, p) => {
      const e = record(r, p);
      return { value: e['value'], setAt: str(e['setAt'], `${p}/setAt`) };
    }),
    placement: readPlacement(o['placement'], `${path}/placement`),
  };
}

export function readHome(v: unknown, path = ''): Home {
  const o = record(v, path);
  return {
    id: str(o['id'], `${path}/id`),
    name: str(o['name'], `${path}/name`),
    role: oneOf(o['role'], `${path}/role`, ROLES),
  };
}

export function readRoom(v: unknown, path = ''): Room {
  const o = record(v, path);
  return { id: str(o['id'], `${path}/id`), name: str(o['name'], `${path}/name`) };
}

export function readHomeDetail(v: unknown): HomeDetail {
  const o = record(v);
  return {
    ...readHome(o),
    members: list(o['members'], '/members', (m, p) => {
      const r = record(m, p);
      return {
        userId: str(r['userId'], `${p}/userId`),
        email: str(r['email'], `${p}/email`),
        displayName: optStr(r['displayName'], `${p}/displayName`),
        role: oneOf(r['role'], `${p}/role`, ROLES),
      };
    }),
    rooms: list(o['rooms'], '/rooms', readRoom),
    devices: list(o['devices'], '/devices', (d, p) => {
      const r = record(d, p);
      return { deviceId: str(r['deviceId'], `${p}/deviceId`), roomId: optStr(r['roomId'], `${p}/roomId`) };
    }),
  };
}

export function readShare(v: unknown, path = ''): Share {
  const o = record(v, path);
  return {
    userId: optStr(o['userId'], `${path}/userId`),
    email: optStr(o['email'], `${path}/email`),
    role: oneOf(o['role'], `${path}/role`, ROLES),
    since: str(o['since'], `${path}/since`),
  };
}

/**
 * Event arguments as `[{piid, value}]`. The hub names the list `arguments` today and devices send
 * `args`; both are read so the rename in flight on the API side changes nothing here.
 */
export function readEventArguments(o: Json): EventArgument[] {
  const raw = o['arguments'] ?? o['args'] ?? [];
  if (!Array.isArray(raw)) return [];
  return raw
    .filter(isRecord)
    .flatMap((a) => (typeof a['piid'] === 'number' ? [{ piid: a['piid'], value: a['value'] }] : []));
}

export function readDeviceEvent(v: unknown, path = ''): DeviceEvent {
  const o = record(v, path);
  return {
    event: str(o['event'], `${path}/event`),
    ts: str(o['ts'] ?? o['at'], `${path}/ts`),
    seq: num(o['seq'], `${path}/seq`),
    args: readEventArguments(o),
  };
}

export function readHistory(v: unknown): HistorySeries {
  const o = record(v);
  // Every list answers `{ items, next }`; a bucketed history also carries `bucketMs`.
  if (typeof o['bucketMs'] === 'number') {
    return {
      kind: 'buckets',
      buckets: list(o['items'], '/items', (b, p) => {
        const r = record(b, p);
        const n = (x: unknown) => (typeof x === 'number' ? x : null);
        return {
          start: str(r['start'], `${p}/start`),
          count: num(r['count'], `${p}/count`),
          min: n(r['min']),
          max: n(r['max']),
          avg: n(r['avg']),
        };
      }),
    };
  }
  return {
    kind: 'points',
    points: list(o['items'], '/items', (pt, p) => {
      const r = record(pt, p);
      return { ts: str(r['ts'], `${p}/ts`), value: r['value'] };
    }),
  };
}
