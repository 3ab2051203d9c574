import { type ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { type FleetStats, LocalFleet, type LocalFleetOptions, sumStats } from './fleet-local.js';
import type { WorkerReport, WorkerRequest } from './fleet-worker.js';
import { type FleetPlan, planFleet } from './plan.js';
import { prepareSpec } from './spec.js';

export interface FleetOptions extends Omit<LocalFleetOptions, 'addresses' | 'indexOffset'> {
  /** Default 15,000 (the process limit here is 20,000 file descriptors). */
  readonly devicesPerProcess?: number | undefined;
  /** Default 90% of the ephemeral port range. */
  readonly devicesPerAddress?: number | undefined;
  readonly sourceAddresses?: readonly string[] | undefined;
  /** The worker entry point; default the built `fleet-worker.js` next to this file. */
  readonly workerScript?: string | undefined;
  /** How often worker processes send their counters. Default 1 s. */
  readonly statsIntervalMs?: number | undefined;
  /** Telemetry reports per second, for the whole fleet or per device; sets each device's telemetry interval. */
  readonly rate?: { readonly perSecond: number; readonly perDevice?: boolean | undefined } | undefined;
}

interface Worker {
  readonly child: ChildProcess;
  stats: FleetStats;
  readonly exited: Promise<void>;
}

/**
 * Thousands of simulated devices: in this process when they fit, else over worker processes
 * (`node:child_process` fork), each running a `LocalFleet` of its slice. See `planFleet`.
 */
export class Fleet extends EventEmitter<{ warning: [string] }> {
  readonly plan: FleetPlan;
  readonly #o: FleetOptions;
  readonly #log: Logger | undefined;
  #local: LocalFleet | undefined;
  readonly #workers: Worker[] = [];

  constructor(options: FleetOptions) {
    super();
    const rate = options.rate;
    if (rate !== undefined && !(rate.perSecond > 0))
      throw new Error(`rate must be positive, got ${rate.perSecond}`);
    const telemetryIntervalMs =
      rate === undefined
        ? undefined
        : (1000 * (rate.perDevice === true ? 1 : options.devices.length)) / rate.perSecond;
    this.#o =
      telemetryIntervalMs === undefined
        ? options
        : { ...options, device: { ...options.device, telemetryIntervalMs } };
    this.#log = options.log?.child({ module: 'firmware-sim-fleet' });
    this.plan = planFleet({
      count: options.devices.length,
      hubHost: new URL(options.hubUrl).hostname,
      devicesPerProcess: options.devicesPerProcess,
      devicesPerAddress: options.devicesPerAddress,
      sourceAddresses: options.sourceAddresses,
    });
  }

  async start(): Promise<void> {
    for (const warning of this.plan.warnings) {
      this.#log?.warn(warning);
      this.emit('warning', warning);
    }
    if (this.plan.processes.length <= 1) {
      this.#local = new LocalFleet({ ...this.#o, addresses: this.plan.addresses });
      await this.#local.start();
      return;
    }
    // Validated once here, so a bad document fails before any process starts.
    const spec = prepareSpec(this.#o.spec).spec;
    const script = this.#o.workerScript ?? fileURLToPath(new URL('./fleet-worker.js', import.meta.url));
    await Promise.all(
      this.plan.processes.map((slice) => {
        const devices = this.#o.devices.slice(slice.start, slice.end);
        const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        const worker: Worker = {
          child,
          stats: { ...sumStats([]), devices: devices.length, processes: 1 },
          exited: new Promise((resolve) => child.once('exit', () => resolve())),
        };
        this.#workers.push(worker);
        const started = new Promise<void>((resolve, reject) => {
          child.on('message', (message: WorkerReport) => {
            if (message.type === 'stats' || message.type === 'stopped') worker.stats = message.stats;
            if (message.type === 'started') resolve();
            if (message.type === 'failed') reject(new Error(`fleet worker failed: ${message.message}`));
          });
          child.once('exit', (code) => reject(new Error(`fleet worker exited with code ${code}`)));
        });
        const request: WorkerRequest = {
          type: 'start',
          options: {
            spec,
            devices,
            hubUrl: this.#o.hubUrl,
            device: this.#o.device,
            seed: this.#o.seed,
            tickMs: this.#o.tickMs,
            maxConnecting: this.#o.maxConnecting,
            addresses: this.plan.addresses,
            indexOffset: slice.start,
          },
          statsIntervalMs: this.#o.statsIntervalMs ?? 1000,
        };
        child.send(request);
        return started;
      }),
    );
  }

  /** Counters of every device; from worker processes, as of their last report (every `statsIntervalMs`). */
  stats(): FleetStats {
    if (this.#local !== undefined) return this.#local.stats();
    return sumStats(this.#workers.map((w) => w.stats));
  }

  /** Resolves once `count` devices (default: all) are online; rejects after `timeoutMs`. */
  async waitForConnected(count = this.#o.devices.length, timeoutMs = 60_000): Promise<FleetStats> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stats = this.stats();
      if (stats.connected >= count) return stats;
      if (Date.now() > deadline)
        throw new Error(`${stats.connected} of ${count} devices online after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Disconnects every device (cleanly), ends the worker processes, returns the final counters. */
  async stop(): Promise<FleetStats> {
    if (this.#local !== undefined) return this.#local.stop();
    await Promise.all(
      this.#workers.map(async (worker) => {
        if (worker.child.connected) worker.child.send({ type: 'stop' } satisfies WorkerRequest);
        const timer = setTimeout(() => worker.child.kill('SIGKILL'), 30_000);
        await worker.exited;
        clearTimeout(timer);
      }),
    );
    return this.stats();
  }
}
