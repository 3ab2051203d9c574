import type { Logger } from 'pino';
import type { CompiledSpec, ModelSpec } from '../src/registry/spec/index.js';
import { SimulatedDevice } from './device.js';
import {
  type DeviceCounters,
  type DeviceCredentials,
  emptyCounters,
  type SimulatedDeviceOptions,
} from './options.js';
import { deriveSeed } from './prng.js';
import { prepareSpec } from './spec.js';
import { Ticker } from './ticker.js';

/** The device options a fleet passes on: plain data, so they cross to worker processes as JSON. */
export type FleetDeviceOptions = Omit<
  SimulatedDeviceOptions,
  'ticker' | 'connector' | 'seed' | 'localAddress' | 'log' | 'tickMs'
>;

export interface FleetStats extends DeviceCounters {
  readonly devices: number;
  /** Devices online now. */
  readonly connected: number;
  readonly processes: number;
}

export interface LocalFleetOptions {
  readonly spec: ModelSpec | CompiledSpec;
  readonly devices: readonly DeviceCredentials[];
  readonly hubUrl: string;
  readonly device?: FleetDeviceOptions | undefined;
  /** Each device's seed is derived from this and its id, so a device replays the same run wherever it lives. */
  readonly seed?: number | undefined;
  /** The one interval that drives every device here. Default 200 ms. */
  readonly tickMs?: number | undefined;
  /**
   * Most connection attempts in flight at once while ramping up. The window adapts like TCP's: it
   * grows by one per success and halves (at most once a second) when attempts fail (a hub too busy
   * to CONNACK in time), so a slow hub is not buried under timeouts and retries. Default 200.
   */
  readonly maxConnecting?: number | undefined;
  /** Source addresses; the device at fleet index i binds `addresses[i % length]`. */
  readonly addresses?: readonly string[] | undefined;
  /** Fleet index of `devices[0]` (a worker process simulates a slice). */
  readonly indexOffset?: number | undefined;
  readonly log?: Logger | undefined;
}

/** Many simulated devices in this process: one compiled spec, one ticker, a ramped start. */
export class LocalFleet {
  readonly devices: readonly SimulatedDevice[];
  readonly #ticker: Ticker;
  readonly #maxConnecting: number;
  readonly #log: Logger | undefined;
  #next = 0;
  #connecting = 0;
  #window: number;
  #lastCutAt = 0;
  #removeRamp: (() => void) | undefined;
  #rampDone: (() => void) | undefined;

  constructor(options: LocalFleetOptions) {
    const spec = prepareSpec(options.spec);
    this.#ticker = new Ticker(options.tickMs ?? 200);
    this.#maxConnecting = options.maxConnecting ?? 200;
    this.#window = Math.min(this.#maxConnecting, 32);
    this.#log = options.log?.child({ module: 'firmware-sim-fleet' });
    const addresses = options.addresses ?? [];
    const offset = options.indexOffset ?? 0;
    this.devices = options.devices.map(
      (credentials, i) =>
        new SimulatedDevice({
          spec,
          credentials,
          hubUrl: options.hubUrl,
          options: {
            ...options.device,
            ticker: this.#ticker,
            seed: deriveSeed(options.seed ?? 0x5eed, credentials.id),
            localAddress: addresses.length > 0 ? addresses[(offset + i) % addresses.length] : undefined,
          },
        }),
    );
  }

  /** Starts connecting every device, at most `maxConnecting` at a time; resolves once all have begun. */
  start(): Promise<void> {
    this.#log?.info({ devices: this.devices.length }, 'fleet starting');
    const done = new Promise<void>((resolve) => {
      this.#rampDone = resolve;
    });
    this.#removeRamp = this.#ticker.add(() => this.#ramp());
    this.#ramp();
    return done;
  }

  stats(): FleetStats {
    const sum = emptyCounters();
    let connected = 0;
    for (const device of this.devices) {
      const c = device.counters;
      for (const key of Object.keys(sum) as Array<keyof DeviceCounters>) sum[key] += c[key];
      if (device.connected) connected++;
    }
    return { ...sum, devices: this.devices.length, connected, processes: 1 };
  }

  /** Disconnects every device cleanly and stops the ticker. */
  async stop(): Promise<FleetStats> {
    this.#removeRamp?.();
    this.#rampDone?.();
    await Promise.all(this.devices.map((device) => device.stop()));
    this.#ticker.stop();
    const stats = this.stats();
    this.#log?.info(stats, 'fleet stopped');
    return stats;
  }

  /** At most one cut per second: attempts that fail together are one congestion signal, not many. */
  #shrink(): void {
    const now = Date.now();
    if (now - this.#lastCutAt < 1000) return;
    this.#lastCutAt = now;
    this.#window = Math.max(4, Math.floor(this.#window / 2));
  }

  #ramp(): void {
    while (this.#next < this.devices.length && this.#connecting < this.#window) {
      const device = this.devices[this.#next++];
      if (device === undefined) break;
      this.#connecting++;
      let settled = false;
      const release = (ok: boolean) => {
        if (settled) return;
        settled = true;
        this.#connecting--;
        if (ok) this.#window = Math.min(this.#maxConnecting, this.#window + 1);
        else this.#shrink();
        device.off('connected', succeeded);
        device.off('connectFailed', failed);
      };
      const succeeded = () => release(true);
      const failed = () => release(false);
      device.on('connected', succeeded);
      device.on('connectFailed', failed);
      // A refused device stops itself; its error is in the counters.
      device.start().catch(failed);
    }
    if (this.#next >= this.devices.length) {
      this.#removeRamp?.();
      this.#removeRamp = undefined;
      this.#rampDone?.();
      this.#rampDone = undefined;
    }
  }
}

export function sumStats(parts: readonly FleetStats[]): FleetStats {
  const sum = emptyCounters();
  let devices = 0;
  let connected = 0;
  for (const part of parts) {
    for (const key of Object.keys(sum) as Array<keyof DeviceCounters>) sum[key] += part[key];
    devices += part.devices;
    connected += part.connected;
  }
  return { ...sum, devices, connected, processes: parts.length };
}
