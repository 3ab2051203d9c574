import { type BenchContext, type CpuFigures, type IngestMetrics, type IngestRun, sleep } from '../context.js';
import { type LoopDelay, loopDelayOver } from '../loop-delay.js';
import { cpuWindow } from '../proc.js';
import { metricSum } from '../setup.js';
import type { TrafficTarget } from './traffic.js';

/**
 * (b) Telemetry ingest: every load device publishes QoS 1 reports as fast as acknowledgements
 * come back, `window` in flight each. Hub: PUBACKs count (a PUBACK means validated and
 * committed), cross-checked with ecohub_reports_accepted_total. Mosquitto: the one subscriber on
 * dev/+/props counts what it receives.
 */

const ACCEPTED = 'ecohub_reports_accepted_total{kind="props"}';

function pids(t: TrafficTarget): { server: number[]; generators: number[] } {
  return { server: [t.serverPid], generators: [t.load, t.rt, t.sink].flatMap((g) => (g ? [g.pid] : [])) };
}

export function cpuFigures(w: ReturnType<typeof cpuWindow>): CpuFigures & { seconds: number } {
  const r = w.end();
  return {
    server: r.percent['server'] ?? 0,
    generators: r.percent['generators'] ?? 0,
    box: r.boxPercent,
    seconds: r.seconds,
  };
}

export function trafficCpuWindow(t: TrafficTarget): ReturnType<typeof cpuWindow> {
  return cpuWindow(pids(t));
}

/** The hub's ingest between two /metrics snapshots `seconds` apart. */
export function ingestMetrics(
  m0: ReadonlyMap<string, number>,
  m1: ReadonlyMap<string, number>,
  seconds: number,
): IngestMetrics {
  const d = (name: string) => metricSum(m1, name) - metricSum(m0, name);
  const mean = (histogram: string, scale: number) => {
    const count = d(`${histogram}_count`);
    return count > 0 ? (scale * d(`${histogram}_sum`)) / count : Number.NaN;
  };
  return {
    acceptedPerSec: ((m1.get(ACCEPTED) ?? 0) - (m0.get(ACCEPTED) ?? 0)) / seconds,
    batchMean: mean('ecohub_ingest_batch_size', 1),
    duplicates: d('ecohub_reports_duplicate_total'),
    rejected: d('ecohub_reports_rejected_total'),
    ingestLatencyMs: mean('ecohub_ingest_latency_seconds', 1000),
    transactionMs: mean('ecohub_ingest_write_seconds', 1000),
    loopDelay: loopDelayOver(m0, m1),
  };
}

async function sinkCount(t: TrafficTarget): Promise<number> {
  return t.sink ? (await t.sink.call({ op: 'sinkMark' }, 30_000)).received : 0;
}

/** After the load stopped: waits (bounded) until the subscriber has everything the broker queued. */
export async function drainSink(t: TrafficTarget, timeoutMs = 10_000): Promise<void> {
  if (t.sink === undefined) return;
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < deadline) {
    const now = await sinkCount(t);
    if (now === last) return;
    last = now;
    await sleep(200);
  }
}

export async function ingestRun(ctx: BenchContext, t: TrafficTarget, label: string): Promise<IngestRun> {
  const { window, warmupMs, durationMs } = ctx.config.ingest;
  await t.load.call({ op: 'ingestStart', window, ratePerSecond: undefined }, 30_000);
  try {
    await sleep(warmupMs);
    const m0 = t.api ? await t.api.metrics() : undefined;
    const [a0, s0] = await Promise.all([t.load.call({ op: 'ingestMark' }, 30_000), sinkCount(t)]);
    const w = trafficCpuWindow(t);
    await sleep(durationMs);
    const cpu = cpuFigures(w);
    const [a1, s1] = await Promise.all([t.load.call({ op: 'ingestMark' }, 30_000), sinkCount(t)]);
    const m1 = t.api ? await t.api.metrics() : undefined;
    const seconds = cpu.seconds;
    const ackedPerSec = (a1.acked - a0.acked) / seconds;
    let run: IngestRun = {
      perSec: t.sink ? (s1 - s0) / seconds : ackedPerSec,
      ackedPerSec,
      cpu: { server: cpu.server, generators: cpu.generators, box: cpu.box },
    };
    if (m0 !== undefined && m1 !== undefined) run = { ...run, ...ingestMetrics(m0, m1, seconds) };
    ctx.progress(
      `(b) ${label} ${t.name}: ${Math.round(run.perSec)} reports/s` +
        (run.acceptedPerSec !== undefined ? ` (metric ${Math.round(run.acceptedPerSec)}/s` : '') +
        (run.batchMean !== undefined
          ? `, batch ${run.batchMean.toFixed(1)}, ${(run.transactionMs ?? 0).toFixed(1)} ms/commit)`
          : '') +
        `, ${t.name} CPU ${Math.round(cpu.server)}%, generators ${Math.round(cpu.generators)}%` +
        loopDelayText(run.loopDelay),
    );
    return run;
  } finally {
    await t.load.call({ op: 'ingestStop', drainMs: 10_000 }, 30_000);
    await drainSink(t);
  }
}

/** ", loop delay p99 X ms, max Y ms" for progress lines; empty without a figure. */
export function loopDelayText(delay: LoopDelay | undefined): string {
  return delay === undefined
    ? ''
    : `, loop delay p50 ${delay.p50.toFixed(2)} / p99 ${delay.p99.toFixed(2)} / max ${delay.max.toFixed(1)} ms`;
}
