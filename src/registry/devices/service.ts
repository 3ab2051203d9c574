import type { Logger } from 'pino';
import { HubError } from '../../errors.js';
import type { Identity } from '../../identity/identity.js';
import { hashSecret, newSecret, secretMatches } from '../../identity/secrets.js';
import { type Db, inTransaction } from '../../store/database.js';
import { type Page, type PageRequest, pageOf } from '../../store/page.js';
import type { ConnectRefusal } from '../broker-policy.js';
import type { RegistryBus } from '../events.js';
import type { CompiledSpec } from '../spec/index.js';
import type { SpecCache } from '../spec-cache.js';
import { DEVICE_ID_PATTERN } from './credentials.js';
import { batchView, provisionBatch } from './provisioning.js';
import * as store from './store.js';

export interface DeviceServiceOptions {
  readonly db: Db;
  readonly log: Logger;
  readonly bus: RegistryBus;
  readonly specs: SpecCache;
  readonly now: () => number;
  /**
   * Cluster mode: other nodes hold devices online too, so a starting node must not mark every
   * device offline; a dead node's devices are released by the cluster's sweep (`ownerLost`).
   */
  readonly sharedPresence?: boolean;
  /** Cluster mode: whether the device is connected to another node (answered in memory). */
  readonly onlineElsewhere?: (deviceId: string) => boolean;
}

export type DeviceAuth =
  | { readonly ok: true; readonly deviceId: string; readonly spec: CompiledSpec }
  | { readonly ok: false; readonly refusal: ConnectRefusal; readonly reason: string };

export interface DeviceView {
  readonly id: string;
  readonly partnerId: string;
  readonly modelId: string;
  readonly modelVersion: number;
  readonly batchId: string;
  readonly blocked: boolean;
  readonly createdAt: string;
  readonly firmwareVersion: string | null;
  readonly presence: {
    readonly online: boolean;
    readonly lastSeenAt: string | null;
    readonly connectedAt: string | null;
    readonly connectionCount: number;
  };
}

export interface ShadowView {
  readonly version: number;
  readonly reported: Record<string, { value: unknown; reportedAt: string; version: number }>;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function deviceView(row: store.DeviceRow): DeviceView {
  return {
    id: row.id,
    partnerId: row.partner_id,
    modelId: row.model_id,
    modelVersion: row.model_version,
    batchId: row.batch_id,
    blocked: row.blocked === 1,
    createdAt: new Date(row.created_at).toISOString(),
    firmwareVersion: row.firmware_version,
    presence: {
      online: row.online === 1,
      lastSeenAt: iso(row.last_seen_at),
      connectedAt: iso(row.connected_at),
      connectionCount: row.connection_count,
    },
  };
}

/** Devices: provisioning, MQTT identity, presence, blocking, secrets. Deny by default for REST callers. */
export class DeviceService {
  readonly #o: DeviceServiceOptions;
  /**
   * Live sessions per device on this node. Normally one (a takeover ends the old session before the
   * new one starts), but a session can end after its successor started; presence changes only when
   * the first session starts and the last one ends, so it never shows a connected device offline.
   */
  readonly #online = new Map<string, number>();
  #presence: Array<{ deviceId: string; online: boolean; at: number }> = [];

  constructor(options: DeviceServiceOptions) {
    this.#o = options;
    if (!options.sharedPresence) {
      const stale = store.markAllOffline(options.db);
      if (stale > 0) options.log.info({ devices: stale }, 'marked devices offline after restart');
    }
  }

  get onlineCount(): number {
    return this.#online.size;
  }

  /** Connected to this hub (in cluster mode: to any node). */
  isOnline(deviceId: string): boolean {
    return this.#online.has(deviceId) || (this.#o.onlineElsewhere?.(deviceId) ?? false);
  }

  /** Connected to this node (the one a command published here reaches without a route). */
  isLocal(deviceId: string): boolean {
    return this.#online.has(deviceId);
  }

  /** The compiled spec of the device's model version. */
  specOf(deviceId: string): CompiledSpec | undefined {
    const row = DEVICE_ID_PATTERN.test(deviceId) ? store.findDevice(this.#o.db, deviceId) : undefined;
    return row ? this.#o.specs.get(row.model_id, row.model_version) : undefined;
  }

  /** Rows of the given devices (for users' views, after their access was checked). */
  rows(deviceIds: readonly string[]): store.DeviceRow[] {
    this.#flushPresence(); // reads see every presence change announced so far
    return deviceIds
      .map((id) => store.findDevice(this.#o.db, id))
      .filter((r): r is store.DeviceRow => r !== undefined);
  }

  provision(
    partnerId: string,
    input: { modelId: string; version: number; size: number; label?: string | undefined },
  ) {
    return provisionBatch(this.#o, { partnerId, ...input });
  }

  authenticate(clientId: string, username: string, password: Buffer): DeviceAuth {
    if (!DEVICE_ID_PATTERN.test(username))
      return { ok: false, refusal: 'bad-credentials', reason: 'unknown username' };
    const row = store.findDevice(this.#o.db, username);
    if (!row || !secretMatches(password.toString('utf8'), row.secret_hash)) {
      return { ok: false, refusal: 'bad-credentials', reason: 'unknown device or wrong secret' };
    }
    if (clientId !== username) {
      return { ok: false, refusal: 'identifier-rejected', reason: 'clientId must equal the device id' };
    }
    if (row.blocked === 1) return { ok: false, refusal: 'not-authorized', reason: 'device is blocked' };
    const spec = this.#o.specs.get(row.model_id, row.model_version);
    if (!spec) return { ok: false, refusal: 'not-authorized', reason: 'device model version is unavailable' };
    return { ok: true, deviceId: row.id, spec };
  }

  /** A session of the device started (CONNACK sent). Call `disconnected` exactly once for each. */
  connected(deviceId: string): void {
    const sessions = (this.#online.get(deviceId) ?? 0) + 1;
    this.#online.set(deviceId, sessions);
    if (sessions > 1) return;
    const at = this.#o.now();
    this.#queuePresence(deviceId, true, at);
    this.#o.bus.emit('presence', { deviceId, online: true, at });
  }

  disconnected(deviceId: string): void {
    const sessions = this.#online.get(deviceId);
    if (sessions === undefined) return;
    if (sessions > 1) {
      this.#online.set(deviceId, sessions - 1);
      return;
    }
    this.#online.delete(deviceId);
    const at = this.#o.now();
    this.#queuePresence(deviceId, false, at);
    this.#o.bus.emit('presence', { deviceId, online: false, at });
  }

  /** Cluster mode: the node holding this device died; unless it is connected here, it is offline now. */
  ownerLost(deviceId: string): void {
    if (this.#online.has(deviceId)) return;
    const at = this.#o.now();
    this.#queuePresence(deviceId, false, at);
    this.#o.bus.emit('presence', { deviceId, online: false, at });
  }

  /** Writes the presence changes still queued (the hub calls it on close, before the database closes). */
  close(): void {
    this.#flushPresence();
  }

  /**
   * Presence is written in batches, one transaction per I/O round: a reconnect storm of thousands of
   * devices would otherwise pay one commit per connect and per disconnect. Nothing waits on these
   * writes (a CONNACK does not); reads flush what is queued first, so they never see stale presence.
   */
  #queuePresence(deviceId: string, online: boolean, at: number): void {
    this.#presence.push({ deviceId, online, at });
    if (this.#presence.length === 1) setImmediate(() => this.#flushPresence());
  }

  #flushPresence(): void {
    const batch = this.#presence;
    if (batch.length === 0 || !this.#o.db.open) return;
    this.#presence = [];
    inTransaction(this.#o.db, () => {
      for (const p of batch) {
        if (p.online) store.markOnline(this.#o.db, p.deviceId, p.at);
        else store.markOffline(this.#o.db, p.deviceId, p.at);
      }
    });
  }

  /** The device row if `caller` may see it (operator: all; partner: its own); else NOT_FOUND. */
  visible(caller: Identity, deviceId: string): store.DeviceRow {
    this.#flushPresence(); // reads see every presence change announced so far
    const row = DEVICE_ID_PATTERN.test(deviceId) ? store.findDevice(this.#o.db, deviceId) : undefined;
    if (
      !row ||
      (caller.kind === 'partner' && row.partner_id !== caller.partnerId) ||
      caller.kind === 'user'
    ) {
      throw new HubError('NOT_FOUND', `device ${deviceId} not found`);
    }
    return row;
  }

  detail(caller: Identity, deviceId: string): DeviceView & { shadow: ShadowView } {
    const row = this.visible(caller, deviceId);
    return { ...deviceView(row), shadow: this.shadow(row) };
  }

  shadow(row: store.DeviceRow): ShadowView {
    const reported: ShadowView['reported'] = {};
    for (const s of store.readShadow(this.#o.db, row.id)) {
      reported[s.property] = {
        value: JSON.parse(s.value),
        reportedAt: new Date(s.reported_at).toISOString(),
        version: s.version,
      };
    }
    return { version: row.shadow_version, reported };
  }

  /** The device's last reported values as stored: property -> JSON text. */
  reportedJson(deviceId: string): ReadonlyMap<string, string> {
    return new Map(store.readShadow(this.#o.db, deviceId).map((s) => [s.property, s.value]));
  }

  /** Devices by id, filtered (a partner sees its own). */
  list(
    caller: Identity,
    filter: Omit<store.DeviceFilter, 'partnerId' | 'after' | 'limit'> & { partnerId?: string | undefined },
    page: PageRequest,
  ): Page<DeviceView> {
    this.#flushPresence(); // reads see every presence change announced so far
    const partnerId = caller.kind === 'partner' ? caller.partnerId : filter.partnerId;
    const after = page.after?.[0];
    const rows = store.listDevices(this.#o.db, {
      ...filter,
      partnerId,
      after: after === undefined ? undefined : String(after),
      limit: page.limit + 1,
    });
    return pageOf(rows, page.limit, (r) => [r.id], deviceView);
  }

  /** Provisioning batches, newest first (a partner sees its own). */
  batches(caller: Identity, page: PageRequest) {
    const partnerId = caller.kind === 'partner' ? caller.partnerId : undefined;
    return pageOf(
      store.listBatches(this.#o.db, partnerId, page),
      page.limit,
      (r) => [r.created_at, r.id],
      batchView,
    );
  }

  batch(caller: Identity, batchId: string) {
    const row = store.findBatch(this.#o.db, batchId);
    if (!row || (caller.kind === 'partner' && row.partner_id !== caller.partnerId)) {
      throw new HubError('NOT_FOUND', `batch ${batchId} not found`);
    }
    return batchView(row);
  }

  setBlocked(caller: Identity, deviceId: string, blocked: boolean): DeviceView {
    const row = this.visible(caller, deviceId);
    store.setBlocked(this.#o.db, row.id, blocked);
    this.#o.log.info({ deviceId, blocked, by: caller.kind }, blocked ? 'device blocked' : 'device unblocked');
    if (blocked) this.#o.bus.emit('revoke', { deviceId, reason: 'blocked' });
    return deviceView({ ...row, blocked: blocked ? 1 : 0 });
  }

  /** Issues a new secret (shown once); the old one stops working and a connected device is disconnected. */
  rotateSecret(caller: Identity, deviceId: string): { id: string; secret: string } {
    const row = this.visible(caller, deviceId);
    const secret = newSecret(24);
    store.setSecretHash(this.#o.db, row.id, hashSecret(secret));
    this.#o.log.info({ deviceId, by: caller.kind }, 'device secret rotated');
    this.#o.bus.emit('revoke', { deviceId, reason: 'secret rotated' });
    return { id: row.id, secret };
  }
}
