import { randomBytes } from 'node:crypto';
import { type BenchContext, type RoundTripRun, sleep } from '../context.js';
import { loopDelayOver } from '../loop-delay.js';
import { latencySummary } from '../stats.js';
import { cpuFigures, drainSink, ingestMetrics, loopDelayText, trafficCpuWindow } from './ingest.js';
import type { TrafficTarget } from './traffic.js';

/**
 * (c) Command round trip phone -> server -> device -> server -> phone, one command in flight,
 * idle or while the load devices report at `loadPerSec`.
 */
export async function roundTripRun(
  ctx: BenchContext,
  t: TrafficTarget,
  label: string,
  loadPerSec: number | undefined,
): Promise<RoundTripRun> {
  const { count, warmup, timeLimitMs, loadWarmupMs } = ctx.config.roundTrip;
  if (loadPerSec !== undefined) {
    await t.load.call(
      { op: 'ingestStart', window: ctx.config.ingest.window, ratePerSecond: loadPerSec },
      30_000,
    );
  }
  try {
    if (loadPerSec !== undefined) await sleep(loadWarmupMs);
    const a0 = loadPerSec !== undefined ? await t.load.call({ op: 'ingestMark' }, 30_000) : undefined;
    const m0 = await t.api?.metrics();
    const w = trafficCpuWindow(t);
    const outcome = await t.rt.call(
      {
        op: 'rtRun',
        did: t.rtDid,
        idPrefix: `b${randomBytes(3).toString('hex')}`,
        warmup,
        count,
        timeLimitMs,
        replyTimeoutMs: 10_000,
      },
      timeLimitMs + 60_000,
    );
    const cpu = cpuFigures(w);
    const a1 = loadPerSec !== undefined ? await t.load.call({ op: 'ingestMark' }, 30_000) : undefined;
    const m1 = m0 !== undefined ? await t.api?.metrics() : undefined;
    const us = latencySummary(outcome.samplesUs);
    const run: RoundTripRun = {
      count: us.count,
      errors: outcome.errors,
      firstError: outcome.firstError,
      p50: us.p50 / 1000,
      p99: us.p99 / 1000,
      p999: us.p999 / 1000,
      max: us.max / 1000,
      ...(a0 !== undefined && a1 !== undefined ? { loadPerSec: (a1.acked - a0.acked) / cpu.seconds } : {}),
      ...(m0 !== undefined && m1 !== undefined && loadPerSec !== undefined
        ? { ingest: ingestMetrics(m0, m1, cpu.seconds) }
        : {}),
      ...(m0 !== undefined && m1 !== undefined ? { loopDelay: loopDelayOver(m0, m1) } : {}),
      cpu: { server: cpu.server, generators: cpu.generators, box: cpu.box },
    };
    ctx.progress(
      `(c) ${label} ${t.name}: ${run.count} round trips, p50 ${run.p50.toFixed(2)} ms, ` +
        `p99 ${run.p99.toFixed(2)} ms, p99.9 ${run.p999.toFixed(2)} ms` +
        (run.loadPerSec !== undefined ? `, load ${Math.round(run.loadPerSec)} reports/s` : '') +
        (run.ingest !== undefined
          ? ` (batch ${run.ingest.batchMean.toFixed(1)}, ${run.ingest.transactionMs.toFixed(1)} ms/commit)`
          : '') +
        loopDelayText(run.loopDelay) +
        (run.errors > 0 ? `, ${run.errors} ERRORS (${run.firstError})` : ''),
    );
    return run;
  } finally {
    if (loadPerSec !== undefined) {
      await t.load.call({ op: 'ingestStop', drainMs: 10_000 }, 30_000);
      await drainSink(t);
    }
  }
}
