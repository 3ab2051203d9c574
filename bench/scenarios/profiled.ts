import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchContext, RoundTripRun } from '../context.js';
import { monotonicUs, type ProfileSummary, readProfile, summariseProfile } from '../profile.js';
import { connectRunHub, prepareConnectHub, startConnectGenerators } from './connect.js';
import { ingestRun } from './ingest.js';
import { roundTripRun } from './roundtrip.js';
import { hubTraffic } from './traffic.js';

/**
 * Extra runs with the hub under `node --cpu-prof`, one profile per workload: connecting (and
 * the reconnect storm), then ingest at full speed followed by round trips under load.
 */
export async function profilePasses(ctx: BenchContext, loadPerSec: number): Promise<ProfileSummary[]> {
  const summaries: ProfileSummary[] = [];
  const n = ctx.config.connect.devices.toLocaleString('en-US');

  const connectDir = mkdtempSync(join(tmpdir(), 'ecohub-bench-prof-'));
  const removeConnectDir = ctx.cleanup.dir(connectDir);
  const generators = startConnectGenerators(ctx);
  try {
    const prepared = await prepareConnectHub(ctx, connectDir);
    const fromUs = monotonicUs();
    try {
      await connectRunHub(ctx, generators, 'profiled', prepared);
    } finally {
      await prepared.hub.stop();
    }
    const window = { fromUs, toUs: monotonicUs() };
    summaries.push(
      summariseProfile(
        readProfile(connectDir),
        `(a) connect ${n} devices + reconnect storm (set-up and start-up left out)`,
        ctx.root,
        15,
        window,
      ),
    );
  } finally {
    await Promise.all(generators.map((g) => g.close()));
    removeConnectDir();
  }

  const trafficDir = mkdtempSync(join(tmpdir(), 'ecohub-bench-prof-'));
  const removeTrafficDir = ctx.cleanup.dir(trafficDir);
  try {
    const target = await hubTraffic(ctx, trafficDir);
    const marks: number[] = [monotonicUs()];
    let idle: RoundTripRun | undefined;
    try {
      await ingestRun(ctx, target, 'profiled');
      marks.push(monotonicUs());
      idle = await roundTripRun(ctx, target, 'profiled idle', undefined);
      marks.push(monotonicUs());
      await roundTripRun(ctx, target, 'profiled', loadPerSec);
      marks.push(monotonicUs());
    } finally {
      await target.close();
    }
    const profile = readProfile(trafficDir);
    const [a = 0, b = 0, c = 0, d = 0] = marks;
    summaries.push(
      summariseProfile(profile, '(b) ingest at full speed', ctx.root, 15, { fromUs: a, toUs: b }),
    );
    // Idle, the busy time over the round trips is the hub's CPU per command (less noisy than latency).
    const idleSummary = summariseProfile(profile, '(c) round trips, idle', ctx.root, 15, {
      fromUs: b,
      toUs: c,
    });
    const trips = idle?.count ?? 0;
    summaries.push({
      ...idleSummary,
      label:
        trips > 0
          ? `(c) ${trips.toLocaleString('en-US')} round trips, idle: ${((idleSummary.busyMs * 1000) / trips).toFixed(0)} µs of the hub's CPU each`
          : idleSummary.label,
    });
    summaries.push(
      summariseProfile(
        profile,
        `(c) round trips under ${Math.round(loadPerSec).toLocaleString('en-US')} reports/s`,
        ctx.root,
        15,
        { fromUs: c, toUs: d },
      ),
    );
  } finally {
    removeTrafficDir();
  }
  return summaries;
}
