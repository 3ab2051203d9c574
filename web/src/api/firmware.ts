import { bool, isRecord, list, num, oneOf, optStr, record, str } from './decode.js';
import type { Http } from './http.js';

const enc = encodeURIComponent;

export type UpdateState =
  | 'queued'
  | 'offered'
  | 'in_progress'
  | 'succeeded'
  | 'failed'
  | 'timed_out'
  | 'rejected'
  | 'cancelled';

const STATES: readonly UpdateState[] = [
  'queued',
  'offered',
  'in_progress',
  'succeeded',
  'failed',
  'timed_out',
  'rejected',
  'cancelled',
];

/** One update of a device: an execution of a rollout (docs/ota.md, "Executions"). */
export interface DeviceUpdate {
  readonly id: string;
  readonly version: string;
  readonly notes: string;
  readonly state: UpdateState;
  /** The device's last report: downloading, verifying, installing, rebooting. */
  readonly phase: string | null;
  readonly percent: number | null;
  readonly reason: string | null;
  readonly updatedAt: string;
}

export interface AvailableRelease {
  readonly version: string;
  readonly notes: string;
  readonly channel: 'beta' | 'stable';
  readonly releasedAt: string | null;
}

/** What the owner sees of a device's firmware (`GET /v1/me/devices/{did}/firmware`). */
export interface DeviceFirmware {
  readonly currentVersion: string | null;
  readonly beta: boolean;
  readonly available: AvailableRelease | null;
  readonly updates: readonly DeviceUpdate[];
}

/** A live notice on `app/{uid}/firmware`: one update of one of the user's devices changed. */
export interface FirmwareNotice {
  readonly deviceId: string;
  readonly executionId: string;
  readonly version: string;
  readonly state: UpdateState;
  readonly phase: string | null;
  readonly percent: number | null;
  readonly reason: string | null;
  readonly updatedAt: string;
}

function readUpdate(value: unknown, path: string): DeviceUpdate {
  const r = record(value, path);
  return {
    id: str(r['id'], `${path}/id`),
    version: str(r['version'], `${path}/version`),
    notes: typeof r['notes'] === 'string' ? r['notes'] : '',
    state: oneOf(r['state'], `${path}/state`, STATES),
    phase: optStr(r['phase'], `${path}/phase`),
    percent: typeof r['percent'] === 'number' ? r['percent'] : null,
    reason: optStr(r['reason'], `${path}/reason`),
    updatedAt: str(r['updatedAt'], `${path}/updatedAt`),
  };
}

export function readFirmwareNotice(value: unknown): FirmwareNotice | undefined {
  if (!isRecord(value) || value['type'] !== 'firmware-update') return undefined;
  try {
    return {
      deviceId: str(value['deviceId'], '/deviceId'),
      executionId: str(value['executionId'], '/executionId'),
      version: str(value['version'], '/version'),
      state: oneOf(value['state'], '/state', STATES),
      phase: optStr(value['phase'], '/phase'),
      percent: typeof value['percent'] === 'number' ? num(value['percent'], '/percent') : null,
      reason: optStr(value['reason'], '/reason'),
      updatedAt: str(value['updatedAt'], '/updatedAt'),
    };
  } catch {
    return undefined;
  }
}

/** The owner's side of firmware updates (docs/ota.md, "Beta channel", "From the SDK"). */
export class FirmwareWebApi {
  readonly #http: Http;

  constructor(http: Http) {
    this.#http = http;
  }

  async device(deviceId: string): Promise<DeviceFirmware> {
    const r = record(await this.#http.get(`/v1/me/devices/${enc(deviceId)}/firmware`));
    const a = r['available'];
    return {
      currentVersion: optStr(r['currentVersion'], '/currentVersion'),
      beta: bool(r['beta'], '/beta'),
      available: isRecord(a)
        ? {
            version: str(a['version'], '/available/version'),
            notes: str(a['notes'], '/available/notes'),
            channel: oneOf(a['channel'], '/available/channel', ['beta', 'stable'] as const),
            releasedAt: optStr(a['releasedAt'], '/available/releasedAt'),
          }
        : null,
      updates: list(r['updates'], '/updates', readUpdate),
    };
  }

  /** Opts the device into beta (or out); answers the beta rollout it joined, if any. */
  async setBeta(deviceId: string, on: boolean): Promise<string | null> {
    const path = `/v1/me/devices/${enc(deviceId)}/beta`;
    const r = record(on ? await this.#http.put(path, undefined) : await this.#http.delete(path));
    return typeof r['rolloutId'] === 'string' ? r['rolloutId'] : null;
  }
}
