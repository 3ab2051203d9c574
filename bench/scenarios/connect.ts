import { randomBytes } from 'node:crypto';
import { type BenchContext, type ConnectRun, type CpuFigures, sleep, type TargetName } from '../context.js';
import { Generator } from '../generator.js';
import type { ConnectOutcome, Endpoint, FleetDevice } from '../generator-protocol.js';
import { type HubProcess, startHub } from '../hub-process.js';
import { type LoopDelay, loopDelayOver } from '../loop-delay.js';
import { startMosquitto } from '../mosquitto.js';
import { cpuWindow, rssKiB } from '../proc.js';
import { HubApi, metricSum, provisionFleet } from '../setup.js';

/**
 * (a) Connect N devices: connections per second, the server's RSS per connection, then a
 * reconnect storm (every connection dropped at once, then all connect again). A fresh server per
 * run, so the memory figure is not flattered by heap kept from an earlier run.
 */

const CALL_TIMEOUT_MS = 300_000;

export function startConnectGenerators(ctx: BenchContext): Generator[] {
  const { devices, perGenerator } = ctx.config.connect;
  const count = Math.max(1, Math.ceil(devices / perGenerator));
  return Array.from({ length: count }, (_, i) =>
    Generator.start(`connect-${i + 1}`, ctx.workerPath, ctx.cleanup),
  );
}

function sourceAddresses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${2 + i}`);
}

function merge(outcomes: readonly ConnectOutcome[]): { connected: number; failed: number; errors: string[] } {
  return {
    connected: outcomes.reduce((s, o) => s + o.connected, 0),
    failed: outcomes.reduce((s, o) => s + o.failed, 0),
    errors: outcomes.flatMap((o) => o.errors).slice(0, 5),
  };
}

async function waitOnline(api: HubApi, n: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (metricSum(await api.metrics(), 'ecohub_devices_online') >= n) return;
    await sleep(100);
  }
}

/**
 * The lowest VmRSS over `ms` of idle: right after a burst of connects the heap still holds its
 * garbage, which V8 collects (and gives back) once the process has been idle for a few seconds.
 */
async function lowestRss(pid: number, ms: number): Promise<number> {
  let lowest = rssKiB(pid) ?? Number.NaN;
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    await sleep(250);
    lowest = Math.min(lowest, rssKiB(pid) ?? Number.NaN);
  }
  return lowest;
}

async function measure(
  ctx: BenchContext,
  generators: readonly Generator[],
  endpoint: Endpoint,
  serverPid: number,
  devices: readonly FleetDevice[],
  settle: (connected: number) => Promise<void>,
  /** Hub only: /metrics, for its event-loop delay over each measured interval. */
  metrics?: () => Promise<Map<string, number>>,
): Promise<ConnectRun> {
  const { window, sourceAddresses: addressCount, settleMs } = ctx.config.connect;
  const addresses = sourceAddresses(addressCount);
  const per = Math.ceil(devices.length / generators.length);
  const groups = { server: [serverPid], generators: generators.map((g) => g.pid) };
  const cpuOf = (w: ReturnType<typeof cpuWindow>): CpuFigures => {
    const r = w.end();
    return { server: r.percent['server'] ?? 0, generators: r.percent['generators'] ?? 0, box: r.boxPercent };
  };

  const rssBeforeKiB = rssKiB(serverPid) ?? Number.NaN;
  const delayOver = async (before: Map<string, number> | undefined): Promise<LoopDelay | undefined> =>
    before === undefined || metrics === undefined ? undefined : loopDelayOver(before, await metrics());
  let m0 = await metrics?.();
  let cpu = cpuWindow(groups);
  let started = performance.now();
  const connected = merge(
    await Promise.all(
      generators.map((g, i) =>
        g.call(
          {
            op: 'connect',
            endpoint,
            devices: devices.slice(i * per, (i + 1) * per),
            localAddresses: addresses,
            window,
            attempts: 3,
          },
          CALL_TIMEOUT_MS,
        ),
      ),
    ),
  );
  const connectSeconds = (performance.now() - started) / 1000;
  const connectCpu = cpuOf(cpu);
  const loopDelay = await delayOver(m0);
  await settle(connected.connected);
  const rssAfterKiB = await lowestRss(serverPid, settleMs);

  m0 = await metrics?.();
  cpu = cpuWindow(groups);
  started = performance.now();
  const stormed = merge(
    await Promise.all(generators.map((g) => g.call({ op: 'storm', window, attempts: 3 }, CALL_TIMEOUT_MS))),
  );
  const stormSeconds = (performance.now() - started) / 1000;
  const stormCpu = cpuOf(cpu);
  const stormLoopDelay = await delayOver(m0);
  await Promise.all(generators.map((g) => g.call({ op: 'disconnectAll' }, 60_000)));

  return {
    devices: devices.length,
    connectPerSec: connected.connected / connectSeconds,
    rssBeforeKiB,
    rssAfterKiB,
    rssPerConnKiB: connected.connected > 0 ? (rssAfterKiB - rssBeforeKiB) / connected.connected : Number.NaN,
    stormSeconds: stormed.failed === 0 ? stormSeconds : Number.NaN,
    failed: connected.failed,
    stormFailed: stormed.failed,
    errors: [...connected.errors, ...stormed.errors],
    cpu: connectCpu,
    stormCpu,
    loopDelay,
    stormLoopDelay,
  };
}

function describe(target: TargetName, run: ConnectRun): string {
  return (
    `${target}: ${run.devices - run.failed}/${run.devices} connected at ${Math.round(run.connectPerSec)}/s, ` +
    `RSS ${(run.rssBeforeKiB / 1024).toFixed(1)} -> ${(run.rssAfterKiB / 1024).toFixed(1)} MiB ` +
    `(${run.rssPerConnKiB.toFixed(1)} KiB/conn), storm ${run.stormSeconds.toFixed(2)} s` +
    (run.loopDelay ? `, loop delay p99 ${run.loopDelay.p99.toFixed(1)} ms` : '') +
    (run.stormLoopDelay ? ` (storm ${run.stormLoopDelay.p99.toFixed(1)} ms)` : '') +
    (run.failed + run.stormFailed > 0 ? `, FAILED ${run.failed}+${run.stormFailed}: ${run.errors[0]}` : '')
  );
}

/** A hub started and provisioned for one connect run, before any measurement starts. */
export interface PreparedHub {
  readonly hub: HubProcess;
  readonly api: HubApi;
  readonly devices: FleetDevice[];
  /** performance.now() when the setup finished. */
  readonly readyAt: number;
}

export async function prepareConnectHub(ctx: BenchContext, cpuProfileDir?: string): Promise<PreparedHub> {
  const hub = await startHub(
    {
      root: ctx.root,
      adminToken: ctx.adminToken,
      onUnexpectedExit: (detail) => ctx.progress(detail),
      ...(cpuProfileDir !== undefined ? { cpuProfileDir } : {}),
    },
    ctx.cleanup,
  );
  try {
    const api = new HubApi(hub.httpUrl, ctx.adminToken);
    const provisioned = await provisionFleet(api, ctx.root, ctx.config.connect.devices);
    const devices = provisioned.map((d) => ({
      did: d.id,
      clientId: d.id,
      username: d.id,
      password: d.secret,
    }));
    return { hub, api, devices, readyAt: performance.now() };
  } catch (error) {
    await hub.stop();
    throw error;
  }
}

/** One measured run on a prepared hub (left running: the caller stops it). */
export async function connectRunHub(
  ctx: BenchContext,
  generators: readonly Generator[],
  label: string,
  prepared: PreparedHub,
): Promise<ConnectRun> {
  const { hub, api, devices, readyAt } = prepared;
  const idle = readyAt + ctx.config.connect.idleBeforeMs - performance.now();
  if (idle > 0) await sleep(idle);
  const run = await measure(
    ctx,
    generators,
    { host: '127.0.0.1', port: hub.mqttPort },
    hub.pid,
    devices,
    (n) => waitOnline(api, n, 30_000),
    () => api.metrics(),
  );
  ctx.progress(`(a) ${label} ${describe('ecohub', run)}`);
  return run;
}

export async function connectRunMosquitto(
  ctx: BenchContext,
  generators: readonly Generator[],
  label: string,
): Promise<ConnectRun> {
  const binary = ctx.mosquitto;
  if (binary === undefined) throw new Error('mosquitto is not installed');
  const broker = await startMosquitto(binary, ctx.cleanup);
  try {
    const devices = Array.from({ length: ctx.config.connect.devices }, () => {
      const did = randomBytes(8).toString('hex');
      return { did, clientId: did };
    });
    const run = await measure(
      ctx,
      generators,
      { host: '127.0.0.1', port: broker.port },
      broker.pid,
      devices,
      async () => {},
    );
    ctx.progress(`(a) ${label} ${describe('mosquitto', run)}`);
    return run;
  } finally {
    await broker.stop();
  }
}
