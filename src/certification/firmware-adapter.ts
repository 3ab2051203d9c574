import { Firmware } from '../firmware/service.js';
import { findPackage } from '../firmware/store-packages.js';
import type { Engine } from '../store/engine.js';
import type { FirmwareLink } from './firmware-link.js';

/** How long the genuine download URL of an update case stays valid. */
const DOWNLOAD_TTL_MS = 15 * 60_000;

/**
 * The firmware domain as the update cases see it (wired by the composition root): ready packages,
 * device-bound download URLs from the firmware module's own tokens, the stored binary, `dev/{did}/ota`.
 */
export function certificationFirmwareLink(
  firmware: Firmware,
  store: Engine,
  httpUrl: () => string,
  publish: (topic: string, body: unknown) => void,
): FirmwareLink {
  return {
    async readyPackage(packageId) {
      const row = await findPackage(store, packageId);
      if (
        row === undefined ||
        row.state !== 'ready' ||
        row.manifest === null ||
        row.signature === null ||
        row.sha256 === null ||
        row.size === null
      ) {
        return undefined;
      }
      return {
        id: row.id,
        partnerId: row.partner_id,
        modelId: row.model_id,
        specVersion: row.spec_version,
        version: row.version,
        size: row.size,
        sha256: row.sha256,
        manifest: row.manifest,
        signature: row.signature,
        keyId: firmware.key.keyId,
      };
    },
    downloadUrl(deviceId, packageId) {
      const expiresAt = Date.now() + DOWNLOAD_TTL_MS;
      const token = firmware.tokens.issue(deviceId, packageId, expiresAt);
      return {
        url: `${httpUrl()}/v1/firmware/downloads/${packageId}?token=${encodeURIComponent(token)}`,
        expiresAt,
      };
    },
    binaryPath: (packageId) => firmware.packages.filePath(packageId),
    httpUrl,
    async runningVersion(deviceId) {
      return (await firmware.runningVersion(deviceId)) ?? null;
    },
    compare: (a, b) => Firmware.compare(a, b),
    toDevice: (deviceId, message) => publish(`dev/${deviceId}/ota`, message),
  };
}
