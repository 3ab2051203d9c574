import type { HubContext } from '../hub-context.js';
import type { HubMetrics } from '../metrics.js';
import type { DeviceService } from '../registry/devices/service.js';
import { linkFirmwareToRegistry } from './registry-link.js';
import { Firmware } from './service.js';

/** What the hub hands the firmware domain beside its context: devices, metrics, its URL, the gate. */
export interface FirmwareWiring extends HubContext {
  readonly devices: DeviceService;
  readonly metrics: HubMetrics;
  /** The hub's public base URL (download links), known once the hub listens. */
  readonly httpUrl: () => string;
  /** The certification a rollout beyond beta needs when the gate is on (`certificationFirmwareGate`). */
  readonly requireCertified: (modelId: string, specVersion: number, version: string) => Promise<void>;
}

/**
 * Opens firmware (packages, rollouts, executions, the beta channel: docs/ota.md) and links it to
 * the registry's events. Its scheduler starts later (`firmware.start()`), once the hub listens.
 */
export async function wireFirmware(wiring: FirmwareWiring): Promise<Firmware> {
  const { options, devices, publishJson, started } = wiring;
  const log = wiring.log.child({ module: 'firmware' });
  const firmware = await Firmware.open({
    store: wiring.store,
    log,
    now: options.now,
    dataDir: options.dataDir,
    settings: options.firmware,
    registry: wiring.metrics.registry,
    httpUrl: wiring.httpUrl,
    // Offers only go out once the scheduler starts, after the broker listens.
    toDevice: (deviceId, message) => publishJson(`dev/${deviceId}/ota`, message),
    releaseGate: options.certificationFirmwareGate ? wiring.requireCertified : undefined,
    setSpecVersion: (deviceId, version) => devices.setModelVersion(deviceId, version),
    toOwner: (userId, notice) => publishJson(`app/${userId}/firmware`, notice),
  });
  started.push(() => firmware.stop());
  started.push(linkFirmwareToRegistry(wiring.bus, firmware.engine, log));
  return firmware;
}
