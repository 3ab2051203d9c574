import { parseArgs } from 'node:util';

/** What one `npm run bench` does: sizes, durations and repetitions per mode. */
export interface BenchConfig {
  readonly mode: 'quick' | 'full';
  readonly runs: number;
  readonly out: string;
  readonly mosquitto: boolean;
  readonly profile: boolean;
  /** The scenarios to run (--only): (a) connect, (b) ingest, (c) round trip, (d) flash sale. */
  readonly only: ReadonlySet<Scenario>;
  readonly connect: {
    readonly devices: number;
    /** Sockets per generator process: each stays well below its 20,000 open files. */
    readonly perGenerator: number;
    /** Connects in flight per generator. */
    readonly window: number;
    /** Client sockets spread over 127.0.0.2 .. 127.0.0.(1+n). */
    readonly sourceAddresses: number;
    /** "RSS after" is the lowest VmRSS over this long, once every device is online. */
    readonly settleMs: number;
    /**
     * A fresh hub for every run, so that no run's memory figure is flattered by heap freed in an
     * earlier one. Quick mode shares one: hub start-up costs seconds of CPU.
     */
    readonly freshHubPerRun: boolean;
    /**
     * A hub idles this long after its setup before "RSS before" is read: V8's memory reducer
     * collects the setup's garbage after some seconds of idle, so without it the first run's
     * baseline would be higher than the others' and its per-connection figure lower.
     */
    readonly idleBeforeMs: number;
  };
  readonly ingest: {
    readonly devices: number;
    /** QoS 1 reports in flight per device. */
    readonly window: number;
    readonly warmupMs: number;
    readonly durationMs: number;
  };
  readonly roundTrip: {
    readonly count: number;
    /** Round trips before the measured ones (JIT, caches), not recorded. */
    readonly warmup: number;
    readonly timeLimitMs: number;
    /** The load for "under ingest load": this rate, or less when the hub sustains less. */
    readonly loadTargetPerSec: number;
    /** Fraction of the hub's measured full-speed ingest used as load when that is below the target. */
    readonly loadFraction: number;
    readonly loadWarmupMs: number;
  };
  /** (d) the flash-sale opening (issue 16): the same size in both modes, fewer runs in quick. */
  readonly flash: {
    readonly buyers: number;
    readonly cap: number;
    readonly inFlight: number;
    /** Runs (each a fresh hub and sale): the hub's setup of 10,000 buyers costs seconds. */
    readonly runs: number;
  };
}

export type Scenario = 'a' | 'b' | 'c' | 'd';
const SCENARIOS: readonly Scenario[] = ['a', 'b', 'c', 'd'];

export const USAGE = `Usage: npm run bench -- [--quick] [--runs N] [--out FILE] [--no-mosquitto] [--profile|--no-profile]

Benchmarks a real ecohub hub (child process) against mosquitto (if installed) and writes a
markdown report (default docs/benchmarks.md).

  --quick          small sizes, 3 short runs, under a minute (CI)
  --runs N         repetitions of every figure (default: 5 full, 3 quick)
  --out FILE       where the report goes (default docs/benchmarks.md)
  --no-mosquitto   skip the reference broker
  --profile        also profile the hub (node --cpu-prof); default on in full mode
  --no-profile     do not profile
  --only LIST      only these scenarios, e.g. --only a or --only b,c (a connect, b ingest,
                   c round trip, d flash sale; c takes its load from b when b runs)
`;

export class UsageError extends Error {}

export function benchConfig(argv: readonly string[]): BenchConfig | 'help' {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help === true) return 'help';
  const quick = values.quick === true;
  const runs = values.runs === undefined ? (quick ? 3 : 5) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50)
    throw new UsageError(`--runs must be 1..50, got '${values.runs}'`);
  const profile = values['no-profile'] === true ? false : values.profile === true ? true : !quick;
  const only = new Set<Scenario>();
  for (const name of (values.only ?? SCENARIOS.join(',')).split(',')) {
    const scenario = SCENARIOS.find((s) => s === name.trim());
    if (scenario === undefined) throw new UsageError(`--only takes a list of a, b, c, d; got '${name}'`);
    only.add(scenario);
  }
  return {
    mode: quick ? 'quick' : 'full',
    runs,
    out: values.out ?? 'docs/benchmarks.md',
    mosquitto: values['no-mosquitto'] !== true,
    profile,
    only,
    connect: quick
      ? {
          devices: 200,
          perGenerator: 10_000,
          window: 50,
          sourceAddresses: 2,
          settleMs: 200,
          freshHubPerRun: false,
          idleBeforeMs: 0,
        }
      : {
          devices: 19_500,
          perGenerator: 10_000,
          window: 100,
          sourceAddresses: 8,
          settleMs: 10_000,
          freshHubPerRun: true,
          idleBeforeMs: 15_000,
        },
    ingest: quick
      ? { devices: 20, window: 16, warmupMs: 300, durationMs: 1500 }
      : { devices: 200, window: 16, warmupMs: 2000, durationMs: 10_000 },
    roundTrip: quick
      ? {
          count: 2000,
          warmup: 100,
          timeLimitMs: 2000,
          loadTargetPerSec: 10_000,
          loadFraction: 0.7,
          loadWarmupMs: 300,
        }
      : {
          count: 10_000,
          warmup: 500,
          timeLimitMs: 30_000,
          loadTargetPerSec: 10_000,
          loadFraction: 0.7,
          loadWarmupMs: 2000,
        },
    flash: { buyers: 10_000, cap: 1000, inFlight: 256, runs: quick ? 1 : runs },
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      runs: { type: 'string' },
      out: { type: 'string' },
      'no-mosquitto': { type: 'boolean' },
      profile: { type: 'boolean' },
      'no-profile': { type: 'boolean' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
}
