import type { HubContext } from '../../hub-context.js';
import type { ModelSpec } from '../spec/index.js';
import { SpecCache } from '../spec-cache.js';
import { DeviceDirectory } from './directory.js';
import { DeviceService } from './service.js';
import { findModelVersion } from './store.js';

/** What the hub hands the device registry beside its context. */
export interface DevicesWiring extends HubContext {
  /** Cluster mode: whether another node holds the device's connection (false for a single hub). */
  readonly onlineElsewhere: (deviceId: string) => boolean;
}

/** Starts the device registry: its directory of credentials, the model specs it compiles, presence. */
export async function wireDevices(wiring: DevicesWiring): Promise<DeviceService> {
  const { store, options, started } = wiring;
  // Submitted and later versions are immutable, so a compiled spec never goes stale.
  const specs = new SpecCache(async (modelId, version) => {
    const row = await findModelVersion(store, modelId, version);
    return row ? (JSON.parse(row.document) as ModelSpec) : undefined;
  });
  const directory = new DeviceDirectory(store, options.limits.cachedDevices);
  await directory.start(wiring.log.child({ module: 'devices' }));
  started.push(() => directory.close());
  const devices = new DeviceService({
    store,
    log: wiring.log.child({ module: 'devices' }),
    bus: wiring.bus,
    specs,
    directory,
    now: options.now,
    sharedPresence: options.cluster !== undefined,
    onlineElsewhere: wiring.onlineElsewhere,
  });
  await devices.start();
  started.push(() => devices.close());
  return devices;
}
