/** One update of a device (an execution of a rollout; docs/ota.md, "Executions"). */
export interface DeviceUpdate {
  readonly id: string;
  readonly rolloutId: string;
  readonly version: string;
  /** The release notes of that version. */
  readonly notes: string;
  readonly rollback: boolean;
  readonly state:
    | 'queued'
    | 'offered'
    | 'in_progress'
    | 'succeeded'
    | 'failed'
    | 'timed_out'
    | 'rejected'
    | 'cancelled';
  /** The device's last progress report: downloading, verifying, installing, rebooting. */
  readonly phase: string | null;
  readonly percent: number | null;
  readonly reason: string | null;
  readonly fromVersion: string | null;
  readonly offeredAt: string | null;
  readonly succeededAt: string | null;
  readonly finishedAt: string | null;
  readonly updatedAt: string;
}

/** What an owner sees of its device's firmware. */
export interface DeviceFirmware {
  readonly deviceId: string;
  readonly modelId: string;
  readonly currentVersion: string | null;
  readonly beta: boolean;
  /** The newest release on stable (and beta, when opted in) newer than the running version. */
  readonly available: {
    readonly packageId: string;
    readonly version: string;
    readonly notes: string;
    readonly channel: 'beta' | 'stable';
    readonly releasedAt: string | null;
  } | null;
  /** Newest first: offers, updates in progress (with their progress) and finished ones. */
  readonly updates: readonly DeviceUpdate[];
}

/** A user's tester credit (docs/community.md, "Tester credit"). */
export interface TesterCredit {
  readonly credit: number;
  readonly deviceHours: number;
  readonly feedback: number;
  readonly releases: ReadonlyArray<{
    readonly releaseId: string;
    readonly modelId: string;
    readonly version: string;
    readonly devices: number;
    readonly deviceHours: number;
    readonly feedback: number;
  }>;
}

type Rest = <T>(method: string, path: string, body?: unknown) => Promise<T>;

const enc = encodeURIComponent;

/** Firmware of your devices: offers and progress, the beta channel, tester credit (`client.firmware`). */
export class FirmwareApi {
  readonly #rest: Rest;

  constructor(rest: Rest) {
    this.#rest = rest;
  }

  /** The firmware a device you own runs, its beta opt-in, and its updates with their progress. */
  device(deviceId: string): Promise<DeviceFirmware> {
    return this.#rest('GET', `/v1/me/devices/${enc(deviceId)}/firmware`);
  }

  /** The update the device is taking now (offered or in progress), if any. */
  async pendingUpdate(deviceId: string): Promise<DeviceUpdate | undefined> {
    const { updates } = await this.device(deviceId);
    return updates.find((u) => u.state === 'offered' || u.state === 'in_progress' || u.state === 'queued');
  }

  /**
   * Opts a device you own into the beta channel; when its model has a release on beta that it does
   * not run yet, it gets that release now (`rolloutId`).
   */
  joinBeta(deviceId: string): Promise<{ deviceId: string; beta: boolean; rolloutId?: string | null }> {
    return this.#rest('PUT', `/v1/me/devices/${enc(deviceId)}/beta`);
  }

  leaveBeta(deviceId: string): Promise<{ deviceId: string; beta: boolean }> {
    return this.#rest('DELETE', `/v1/me/devices/${enc(deviceId)}/beta`);
  }

  /** Your tester credit: the beta releases your devices ran, for how long, and your feedback on them. */
  testerCredit(): Promise<TesterCredit> {
    return this.#rest('GET', '/v1/me/tester-credit');
  }
}
