/**
 * What the update cases need of the firmware domain (docs/ota.md), owned here and wired by the
 * composition root: a ready package with its signed manifest, a download URL for it bound to the
 * device under test, its stored binary (the tampered copy is made from it), and `dev/{did}/ota`.
 */
export interface UpdatePackage {
  readonly id: string;
  readonly partnerId: string;
  readonly modelId: string;
  /** The model version (spec version) the firmware implements. */
  readonly specVersion: number;
  readonly version: string;
  readonly size: number;
  readonly sha256: string;
  /** The signed manifest text, exactly as devices verify it. */
  readonly manifest: string;
  readonly signature: string;
  readonly keyId: string;
}

export interface FirmwareLink {
  /** A ready package (binary uploaded, manifest signed), or undefined. */
  readyPackage(packageId: string): Promise<UpdatePackage | undefined>;
  /** A download URL of the genuine binary for this device, as a rollout's offer carries. */
  downloadUrl(deviceId: string, packageId: string): { url: string; expiresAt: number };
  /** Where the binary is stored. */
  binaryPath(packageId: string): string;
  /** The hub's base URL (for the tampered download's URL). */
  httpUrl(): string;
  /** The firmware revision the hub last saw the device report (null: never). */
  runningVersion(deviceId: string): Promise<string | null>;
  /** Orders two firmware versions (semantic versioning): negative, 0 or positive. */
  compare(a: string, b: string): number;
  /** Publishes a message on `dev/{did}/ota` (QoS 1). */
  toDevice(deviceId: string, message: unknown): void;
}
