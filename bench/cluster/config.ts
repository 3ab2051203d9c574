import { parseArgs } from 'node:util';

/** What one `npm run bench:cluster` does. */
export interface ClusterBenchConfig {
  readonly mode: 'quick' | 'full';
  readonly out: string;
  readonly nodes: number;
  readonly devicesPerNode: number;
  /** Generator processes holding the fleet (each stays below its 20,000 open files). */
  readonly generators: number;
  /** Client sockets spread over 127.0.0.2 .. 127.0.0.(1+n): ~28k ephemeral ports per address. */
  readonly sourceAddresses: number;
  /** Connects in flight per generator. */
  readonly connectWindow: number;
  /** Full-speed ingest: this many devices (spread over the nodes), `window` QoS 1 reports in flight each. */
  readonly ingest: {
    readonly devices: number;
    readonly window: number;
    readonly warmupMs: number;
    readonly durationMs: number;
  };
  readonly roundTrip: { readonly warmup: number; readonly count: number; readonly timeLimitMs: number };
  /** The whole fleet reporting at this rate (reports/s in all) while a node is killed. */
  readonly pacedPerSec: number;
  /** Measured interval of the paced load before the kill. */
  readonly steadyMs: number;
  /** How long the fleet may take to be whole again after the kill. */
  readonly recoveryTimeoutMs: number;
}

export const CLUSTER_USAGE = `Usage: npm run bench:cluster -- [--quick] [--devices-per-node N] [--nodes N] [--out FILE]

Starts a throwaway PostgreSQL and redis-server, N hub nodes (ecohub serve --cluster), fills them
with devices from several generator processes, measures ingest and command round trips against
one node and across nodes, then kills one node with SIGKILL and measures the reconnect storm.
Writes docs/benchmarks-cluster.md (or --out). Build first: npm run build.

  --quick               4 x 500 devices, short measurements (a check that it works, 4-7 min)
  --devices-per-node N  devices held by each node (default 19,500: the per-process file limit here)
  --nodes N             hub nodes (default 4; one is killed)
  --out FILE            where the report goes (default docs/benchmarks-cluster.md)
`;

/** Connections a node takes beyond its share of the fleet (the round-trip parties, stray devices). */
export const NODE_HEADROOM = 40;

export class ClusterUsageError extends Error {}

function positive(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replaceAll(',', '').replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new ClusterUsageError(`--${name} must be an integer 1..${max}, got '${value}'`);
  return n;
}

export function clusterBenchConfig(argv: readonly string[]): ClusterBenchConfig | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean' },
        'devices-per-node': { type: 'string' },
        nodes: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ClusterUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values['help'] === true) return 'help';
  const quick = values['quick'] === true;
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const nodes = positive(str('nodes'), 'nodes', 4, 16);
  if (nodes < 2) throw new ClusterUsageError('--nodes must be at least 2 (one is killed)');
  const devicesPerNode = positive(str('devices-per-node'), 'devices-per-node', quick ? 500 : 19_500, 19_500);
  const total = nodes * devicesPerNode;
  // At most 13,000 sockets per generator (20,000 open files each), and at least 5 for a full run.
  const generators = quick ? Math.max(2, Math.ceil(total / 13_000)) : Math.max(5, Math.ceil(total / 13_000));
  return {
    mode: quick ? 'quick' : 'full',
    out: str('out') ?? 'docs/benchmarks-cluster.md',
    nodes,
    devicesPerNode,
    generators,
    sourceAddresses: quick ? 4 : 16,
    connectWindow: quick ? 50 : 100,
    ingest: quick
      ? { devices: 20 * nodes, window: 16, warmupMs: 500, durationMs: 2000 }
      : { devices: 50 * nodes, window: 16, warmupMs: 2000, durationMs: 10_000 },
    roundTrip: quick
      ? { warmup: 50, count: 300, timeLimitMs: 5000 }
      : { warmup: 200, count: 2000, timeLimitMs: 30_000 },
    // Every device reporting about once every 30 s.
    pacedPerSec: Math.max(200, Math.round(total / 30)),
    steadyMs: quick ? 3000 : 15_000,
    recoveryTimeoutMs: quick ? 180_000 : 600_000,
  };
}
