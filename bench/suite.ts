import { type BenchContext, emptyResults, type TargetResults } from './context.js';
import type { ProfileSummary } from './profile.js';
import {
  connectRunHub,
  connectRunMosquitto,
  prepareConnectHub,
  startConnectGenerators,
} from './scenarios/connect.js';
import { type FlashOptions, type FlashRun, flashRun, prepareFlash } from './scenarios/flash.js';
import { ingestRun } from './scenarios/ingest.js';
import { profilePasses } from './scenarios/profiled.js';
import { roundTripRun } from './scenarios/roundtrip.js';
import { hubTraffic, mosquittoTraffic, type TrafficTarget } from './scenarios/traffic.js';
import { median } from './stats.js';

export interface SuiteResults {
  readonly hub: TargetResults;
  readonly mosquitto: TargetResults | undefined;
  readonly loadPerSec: number | undefined;
  readonly profiles: ProfileSummary[];
  readonly errors: string[];
  /** (d) the flash-sale opening, hub against a bare fastify route. */
  readonly flash: FlashRun[];
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs (a), then (b) and (c) on one hub and one mosquitto kept up for them, hub and mosquitto
 * runs alternating; then (d) the flash sale (its own hub, and a bare fastify as the reference);
 * then the profiled runs. A scenario that fails is recorded and skipped, the
 * others still run.
 */
export async function runSuite(ctx: BenchContext): Promise<SuiteResults> {
  const { runs } = ctx.config;
  const withRef = ctx.mosquitto !== undefined;
  const hub = emptyResults();
  const ref = withRef ? emptyResults() : undefined;
  const errors: string[] = [];
  const attempt = async (what: string, body: () => Promise<void>): Promise<boolean> => {
    if (ctx.signal.aborted) return false;
    try {
      await body();
      return true;
    } catch (error) {
      if (ctx.signal.aborted) return false;
      errors.push(`${what}: ${message(error)}`);
      ctx.progress(`${what} FAILED: ${message(error)}`);
      return false;
    }
  };

  const settle = async <T>(what: string, body: () => Promise<T>): Promise<T | undefined> => {
    let value: T | undefined;
    await attempt(what, async () => {
      value = await body();
    });
    return value;
  };

  // Every server is started and set up before the first measurement (hub start-up is seconds of
  // CPU): the idle ones cost nothing while the others are measured.
  const { freshHubPerRun } = ctx.config.connect;
  const hubCount = freshHubPerRun ? runs : 1;
  ctx.progress(
    `starting ${hubCount} hub(s) for (a), the servers for (b)/(c) and (d), setting them up over REST`,
  );
  const flashOptions: FlashOptions = {
    root: ctx.root,
    buyers: ctx.config.flash.buyers,
    cap: ctx.config.flash.cap,
    inFlight: ctx.config.flash.inFlight,
    retries: 5,
    cleanup: ctx.cleanup,
    progress: ctx.progress,
  };
  const { only } = ctx.config;
  const traffic = only.has('b') || only.has('c');
  const [connectHubs, hubTarget, refTarget, firstFlash] = await Promise.all([
    only.has('a')
      ? settle('(a) setup', () => mapLimit(hubCount, 2, () => prepareConnectHub(ctx)))
      : undefined,
    traffic ? settle('(b)/(c) ecohub setup', () => hubTraffic(ctx)) : undefined,
    withRef && traffic ? settle('(b)/(c) mosquitto setup', () => mosquittoTraffic(ctx)) : undefined,
    only.has('d') ? settle('(d) flash sale setup', () => prepareFlash(flashOptions)) : undefined,
  ]);

  if (connectHubs !== undefined) {
    const connectGenerators = startConnectGenerators(ctx);
    await attempt('(a) connect', async () => {
      for (let i = 1; i <= runs; i++) {
        const prepared = connectHubs[freshHubPerRun ? i - 1 : 0];
        if (prepared === undefined) break;
        hub.connect.push(await connectRunHub(ctx, connectGenerators, `run ${i}/${runs}`, prepared));
        if (freshHubPerRun) await prepared.hub.stop();
        if (ref) ref.connect.push(await connectRunMosquitto(ctx, connectGenerators, `run ${i}/${runs}`));
      }
    });
    await Promise.all(connectGenerators.map((g) => g.close()));
    await Promise.all(connectHubs.map((p) => p.hub.stop()));
  }

  let loadPerSec: number | undefined;
  const targets = [hubTarget, refTarget].flatMap((t) => (t ? [t] : []));
  const resultsOf = (t: TrafficTarget) => (t.name === 'ecohub' ? hub : (ref ?? emptyResults()));
  if (targets.length > 0) {
    await attempt('(b) ingest', async () => {
      for (let i = 1; i <= (only.has('b') ? runs : 0); i++) {
        for (const t of targets) resultsOf(t).ingest.push(await ingestRun(ctx, t, `run ${i}/${runs}`));
      }
    });
    const { loadTargetPerSec, loadFraction } = ctx.config.roundTrip;
    const hubIngest = median(hub.ingest.map((r) => r.perSec));
    loadPerSec = Number.isFinite(hubIngest)
      ? Math.min(loadTargetPerSec, Math.round(hubIngest * loadFraction))
      : loadTargetPerSec;
    await attempt('(c) round trip idle', async () => {
      for (let i = 1; i <= (only.has('c') ? runs : 0); i++) {
        for (const t of targets)
          resultsOf(t).rtIdle.push(await roundTripRun(ctx, t, `idle run ${i}/${runs}`, undefined));
      }
    });
    const load = loadPerSec;
    await attempt('(c) round trip under load', async () => {
      for (let i = 1; i <= (only.has('c') ? runs : 0); i++) {
        for (const t of targets)
          resultsOf(t).rtLoaded.push(await roundTripRun(ctx, t, `loaded run ${i}/${runs}`, load));
      }
    });
  }
  for (const t of targets) await attempt(`closing ${t.name}`, () => t.close());

  const flash: FlashRun[] = [];
  await attempt('(d) flash sale', async () => {
    const flashRuns = only.has('d') ? ctx.config.flash.runs : 0;
    for (let i = 1; i <= flashRuns; i++) {
      if (i > 1) ctx.progress(`(d) flash sale run ${i}/${flashRuns}: setting up a fresh hub and sale`);
      const prepared = i === 1 ? firstFlash : await prepareFlash(flashOptions);
      if (prepared === undefined) break;
      const run = await flashRun(prepared, `run ${i}/${flashRuns}`);
      ctx.progress(
        `(d) flash sale run ${i}/${flashRuns}: ${Math.round(run.perSec)} answers/s (fastify ${Math.round(run.ceilingPerSec)}/s), ` +
          `p99 ${run.p99.toFixed(1)} ms, ${run.reserved} reserved, ${run.oversold} oversold`,
      );
      flash.push(run);
    }
  });

  let profiles: ProfileSummary[] = [];
  if (ctx.config.profile) {
    const load = loadPerSec ?? ctx.config.roundTrip.loadTargetPerSec;
    await attempt('profiling', async () => {
      profiles = await profilePasses(ctx, load);
    });
  }
  return { hub, mosquitto: ref, loadPerSec, profiles, errors, flash };
}

/** `count` tasks, at most `limit` at once; results in order. */
async function mapLimit<T>(count: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  return results;
}
