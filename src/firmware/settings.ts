/** Firmware settings (HubOptions.firmware; docs/ota.md, "Settings"; `ecohub serve --firmware-*`). */
export interface FirmwareSettings {
  /** Largest firmware binary accepted (default 64 MiB). */
  readonly maxPackageBytes: number;
  /** Folder the binaries are kept in (default: dataDir/firmware); shared storage for several nodes. */
  readonly dir?: string | undefined;
  /** How long a download URL in an offer stays valid (default 1 h). */
  readonly downloadTtlMs: number;
  /** How often the rollout scheduler looks at rollouts and deadlines (default 1 s). */
  readonly tickMs: number;
  /** Beta soak before a release may be promoted to stable, unless the release says otherwise (48 h). */
  readonly betaSoakMs: number;
  /** Default deadline for an offered device to start, when a rollout's policy does not set one (1 h). */
  readonly offerTimeoutMs: number;
  /** Default deadline between two progress reports (10 min). */
  readonly progressTimeoutMs: number;
  /** Default deadline for a whole update, offer to new revision (2 h). */
  readonly inProgressTimeoutMs: number;
}

export const DEFAULT_FIRMWARE: FirmwareSettings = {
  maxPackageBytes: 64 * 1024 * 1024,
  downloadTtlMs: 3600_000,
  tickMs: 1000,
  betaSoakMs: 48 * 3600_000,
  offerTimeoutMs: 3600_000,
  progressTimeoutMs: 10 * 60_000,
  inProgressTimeoutMs: 2 * 3600_000,
};
