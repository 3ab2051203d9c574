/** Firmware settings (HubOptions.firmware; docs/ota.md, "Settings"). */
export interface FirmwareSettings {
  /** Largest firmware binary accepted (default 64 MiB). */
  readonly maxPackageBytes: number;
  /** How long a download URL in an offer stays valid (default 1 h). */
  readonly downloadTtlMs: number;
  /** How often the rollout scheduler looks at rollouts and deadlines (default 1 s). */
  readonly tickMs: number;
  /** Beta soak before a release may be promoted to stable, unless the release says otherwise (48 h). */
  readonly betaSoakMs: number;
}

export const DEFAULT_FIRMWARE: FirmwareSettings = {
  maxPackageBytes: 64 * 1024 * 1024,
  downloadTtlMs: 3600_000,
  tickMs: 1000,
  betaSoakMs: 48 * 3600_000,
};
