import type { MachineInfo } from '../machine.js';
import { num, sig, table } from '../report-format.js';
import { type ClusterBenchConfig, NODE_HEADROOM } from './config.js';
import type { WindowResult } from './measure.js';
import type { ClusterResults, IngestFigures, LatencyFigures } from './types.js';

export interface ClusterReportInput {
  readonly machine: MachineInfo;
  readonly loadAtEnd: readonly number[];
  readonly elapsedSeconds: number;
  readonly config: ClusterBenchConfig;
  readonly results: ClusterResults;
}

const n0 = (v: number | undefined) => (v === undefined ? '–' : num(v, 0));
const s1 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : num(v, 1));
const pct = (v: number | undefined) => (v === undefined ? '–' : `${num(v, 0)} %`);
const total = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

function method(c: ClusterBenchConfig): string {
  const all = c.nodes * c.devicesPerNode;
  return `## Method

- **Servers**, started by the bench and removed at the end: a throwaway PostgreSQL
  (\`scripts/pg-test-server.mjs\`: fsync on, one database \`ecohub_bench\` the nodes share, as the
  superuser), and \`redis-server\` on a free loopback port with no persistence (\`--save ''
  --appendonly no\`), as \`npm run test:cluster\` starts them.
- **Nodes**: ${c.nodes} processes \`ecohub serve --cluster redis://... --database postgres://...
  --node-id bench-N\` on fixed loopback ports, \`--max-connections ${c.devicesPerNode + NODE_HEADROOM}\` (each
  node's share of the fleet plus the round-trip phone and device, and room for the devices a slow
  node's connect timeouts push to the others), \`--command-rate 100000\` (one
  phone sends every round trip), \`--connect-rate-per-address\` and \`--max-pending-per-address\`
  raised (the fleet comes from ${c.sourceAddresses} loopback source addresses, where each real device has its own),
  \`--log-level warn\`, everything else default. Node 1 starts first and runs the migrations; it
  is set up only through its REST API (a partner, the bulb model published, ${num(all + 1, 0)} devices
  provisioned, a user who claims the round-trip device).
- **Generators**: ${c.generators} processes (\`bench/worker/cluster-fleet.ts\`, raw-socket MQTT from
  \`bench/client.ts\`), at most 13,000 sockets each (20,000 open files per process here). Device j
  tries node (j mod ${c.nodes}) first; a failed attempt (refused: node down; closed before CONNACK: node
  full) moves it to the next node, round robin, as a load balancer that skips dead and full nodes would.
- **One-node baseline** (same run, before the other nodes start): node 1 alone, *in cluster mode on
  PostgreSQL* (Redis in the path), with only the measuring clients connected.
- **Ingest**: ${c.ingest.devices} devices (spread evenly over the nodes in the cluster), each with
  ${c.ingest.window} QoS 1 reports in flight, ${c.ingest.warmupMs / 1000} s warm-up, ${c.ingest.durationMs / 1000} s measured; a
  PUBACK means validated and committed to PostgreSQL, so PUBACKs per second are the figure.
- **Round trip**: phone -> node -> device -> node -> phone, QoS 1, one command in flight
  (${c.roundTrip.count} after ${c.roundTrip.warmup} unrecorded); in the cluster with phone and device on node 1, and
  with the phone on node 1 and the device on node 2 (the reply routed back through Redis).
- **Steady load**: the whole fleet reporting ${num(c.pacedPerSec, 0)} reports/s in all (each device about every 30 s),
  one report in flight per device, ${c.steadyMs / 1000} s measured, round trips across nodes meanwhile.
- **Node loss**: the steady load continues; node ${c.nodes} gets SIGKILL. The operator's supervisor
  restarts it at once as a new process with a new node id (\`bench-${c.nodes}-restarted\`) on the same
  ports. Its devices see their connections close and reconnect as device firmware does: a random
  0-1 s wait, then the next node round robin, exponential backoff from 250 ms to 4 s with 50 %
  jitter after each failure, never giving up; the surviving nodes are full, so they refuse (close
  before CONNACK) until the restarted node takes them. Timed from the SIGKILL: the restarted node
  ready (/readyz 200); the dead node swept (the survivors notice its liveness key expired, 15 s TTL by default,
  and one of them releases what it held; done when it leaves \`ecohub:nodes\`); every device connected
  again; presence whole in Redis (\`ecohub:presence\`) and in the database (\`devices.online\`).
- **Integrity**, after the load stopped and drained: per device, QoS 1 reports acknowledged
  against \`telemetry\` rows stored (an acknowledged report missing would be a loss; rows beyond
  what was sent would be duplicates; rows stored but never acknowledged are the reports in flight
  when the node died); devices online in the database and in Redis against devices connected, and
  presence entries still naming the killed node (ghosts).
- **Load figures**: CPU from \`/proc/PID/stat\` (utime + stime) over each measured interval, % of
  one core: per hub node, all generators, redis-server, PostgreSQL (the postmaster and all its
  children); Redis commands from \`INFO stats\` (total_commands_processed); PostgreSQL transactions
  and rows from \`pg_stat_database\` (backends report it at most once a second, so short intervals
  are approximate), WAL bytes from \`pg_current_wal_lsn()\`.`;
}

function loadRows(label: string, w: WindowResult, nodes: number): string[][] {
  return [
    [
      `${label}: hub CPU, all nodes (per node)`,
      `${pct(total(w.hubCpu))} (${w.hubCpu.map((x) => num(x, 0)).join(' / ')})`,
    ],
    [`${label}: redis-server CPU`, pct(w.redisCpu)],
    [`${label}: PostgreSQL CPU`, pct(w.postgresCpu)],
    [`${label}: generators CPU`, pct(w.generatorCpu)],
    [`${label}: whole box (2 cores = 100 %)`, pct(w.boxCpu)],
    [`${label}: Redis commands/s (per node)`, `${n0(w.redisOpsPerSec)} (${n0(w.redisOpsPerSec / nodes)})`],
    [
      `${label}: PostgreSQL transactions/s (per node)`,
      `${n0(w.pgTransactionsPerSec)} (${n0(w.pgTransactionsPerSec / nodes)})`,
    ],
    [
      `${label}: PostgreSQL rows inserted/s, updated/s`,
      `${n0(w.pgRowsInsertedPerSec)}, ${n0(w.pgRowsUpdatedPerSec)}`,
    ],
    [`${label}: PostgreSQL WAL KiB/s`, n0(w.pgWalBytesPerSec / 1024)],
  ];
}

function perReport(i: IngestFigures | undefined): string[] {
  if (i === undefined) return ['–', '–', '–', '–'];
  const w = i.window;
  return [
    sig(w.redisOpsPerSec / i.perSec),
    sig(w.pgTransactionsPerSec / i.perSec),
    n0(w.pgWalBytesPerSec / i.perSec),
    sig((10 * total(w.hubCpu)) / i.perSec),
  ];
}

function latency(l: LatencyFigures | undefined): string {
  if (l === undefined) return '–';
  return `${sig(l.p50)} / ${sig(l.p99)} / ${sig(l.max)} (${l.count}${l.errors > 0 ? `, ${l.errors} errors` : ''})`;
}

export function renderClusterReport(input: ClusterReportInput): string {
  const { machine: m, config: c, results: r } = input;
  const all = c.nodes * c.devicesPerNode;
  const out: string[] = [];
  out.push(`# Cluster benchmark

This file is written by \`npm run bench:cluster\` (${c.mode === 'quick' ? '`-- --quick`: a small check that the scenario works, **not capacity figures**' : 'full'}).
Edit the method in \`bench/cluster/report.ts\`, not here. docs/scaling.md builds its capacity model on
these figures; docs/benchmarks.md has the single-process bench.`);
  out.push(method(c));
  out.push(`## Results

${table(
  ['', ''],
  [
    ['date', m.date],
    [
      'mode',
      `${c.mode}: ${c.nodes} nodes x ${num(c.devicesPerNode, 0)} devices = ${num(all, 0)}, ${c.generators} generator processes; ${num(input.elapsedSeconds, 0)} s in all`,
    ],
    ['machine', `${m.cpuModel}, ${m.cores} cores, ${num(m.ramGiB, 1)} GiB RAM, ${m.kernel}`],
    [
      'load average (1/5/15 min)',
      `${m.loadAtStart.map((l) => num(l, 2)).join(' / ')} at start, ${input.loadAtEnd.map((l) => num(l, 2)).join(' / ')} at end (other engineers' work shares this box)`,
    ],
    [
      'software',
      `Node.js ${m.node}, ecohub ${m.ecohub}, aedes ${m.aedes}, redis-server ${r.redisVersion}, PostgreSQL ${r.postgresVersion}`,
    ],
    ['node start (s, to /readyz)', r.nodeStartS.map((s) => s1(s)).join(' / ')],
    ['setup over REST (s)', s1(r.provisionS)],
  ],
)}`);
  const cn = r.connect;
  out.push(`### Devices held

${table(
  ['figure', 'value'],
  cn === undefined
    ? [['fleet', 'not connected (see errors)']]
    : [
        ['devices connected at once', `${num(cn.connected, 0)} of ${num(cn.devices, 0)}`],
        ['per node', cn.perNode.map((x) => num(x, 0)).join(' / ')],
        [
          'time to connect all (s), rate',
          `${s1(cn.seconds)}, ${n0(cn.connected / cn.seconds)} connections/s`,
        ],
        ['hub RSS per node with all connected (MiB)', cn.rssMiB.map((x) => num(x, 0)).join(' / ')],
        ['while connecting: hub CPU per node', cn.window.hubCpu.map((x) => pct(x)).join(' / ')],
        [
          'while connecting: redis-server, PostgreSQL, generators CPU',
          `${pct(cn.window.redisCpu)}, ${pct(cn.window.postgresCpu)}, ${pct(cn.window.generatorCpu)}`,
        ],
        [
          'while connecting: Redis commands, PostgreSQL transactions, WAL bytes per connect',
          `${sig((cn.window.redisOpsPerSec * cn.window.seconds) / cn.connected)}, ` +
            `${sig((cn.window.pgTransactionsPerSec * cn.window.seconds) / cn.connected)}, ` +
            n0((cn.window.pgWalBytesPerSec * cn.window.seconds) / cn.connected),
        ],
      ],
)}`);
  const b = r.baseline.ingest;
  const ci = r.clusterIngest;
  out.push(`### Ingest and command round trip: one node vs ${c.nodes} nodes

${table(
  ['figure', '1 node (cluster mode, PostgreSQL)', `${c.nodes} nodes`],
  [
    ['reports/s validated and committed (PUBACKs)', n0(b?.perSec), n0(ci?.perSec)],
    [
      'devices reporting',
      n0(b?.devices),
      ci ? `${n0(ci.devices)} (spread over the nodes, ${num(all, 0)} connected)` : '–',
    ],
    [
      'hub CPU (all nodes)',
      pct(b ? total(b.window.hubCpu) : undefined),
      pct(ci ? total(ci.window.hubCpu) : undefined),
    ],
    ['redis-server CPU', pct(b?.window.redisCpu), pct(ci?.window.redisCpu)],
    ['PostgreSQL CPU', pct(b?.window.postgresCpu), pct(ci?.window.postgresCpu)],
    ['generators CPU', pct(b?.window.generatorCpu), pct(ci?.window.generatorCpu)],
    ['whole box', pct(b?.window.boxCpu), pct(ci?.window.boxCpu)],
    ['Redis commands per report', perReport(b)[0] ?? '–', perReport(ci)[0] ?? '–'],
    ['PostgreSQL transactions per report', perReport(b)[1] ?? '–', perReport(ci)[1] ?? '–'],
    ['PostgreSQL WAL bytes per report', perReport(b)[2] ?? '–', perReport(ci)[2] ?? '–'],
    ['hub CPU ms per report', perReport(b)[3] ?? '–', perReport(ci)[3] ?? '–'],
    [
      'round trip p50 / p99 / max ms (count), idle, same node',
      latency(r.baseline.roundTrip),
      latency(r.roundTripSameNode),
    ],
    ['round trip, idle, phone on node 1, device on node 2', '–', latency(r.roundTripAcross)],
    ['round trip across nodes, under the steady load below', '–', latency(r.steady?.roundTripAcross)],
  ],
)}

All processes share the box's ${m.cores} cores: the ${c.nodes}-node figure is what the whole box does as a
cluster, not ${c.nodes} machines' worth. The per-report costs (Redis commands, PostgreSQL transactions and WAL,
hub CPU) are what the capacity model in docs/scaling.md scales.`);
  const st = r.steady;
  out.push(`### Steady load: the whole fleet reporting

${
  st === undefined
    ? 'Not measured (see errors).'
    : table(
        ['figure', 'value'],
        [
          [
            'reports/s acknowledged (per node)',
            `${n0(st.reportsPerSec)} (${n0(st.reportsPerSec / c.nodes)})`,
          ],
          ...loadRows('steady', st.window, c.nodes),
        ],
      )
}`);
  const sm = r.storm;
  const t = (v: number | undefined) => (v === undefined ? 'not within the time limit' : `${s1(v)} s`);
  out.push(`### Node loss: SIGKILL, restart, reconnect storm

${
  sm === undefined
    ? 'Not measured (see errors).'
    : `${table(
        ['figure', 'value'],
        [
          ['node killed (SIGKILL), devices it held', `${sm.killedNode}, ${num(sm.devicesOnKilled, 0)}`],
          ['restarted as, ready after', `${sm.restartedAs}, ${t(sm.restartedReadyS)}`],
          ['dead node swept by the survivors after', t(sm.sweptS)],
          ['devices the sweep set offline (not reconnected by then)', num(sm.devicesSwept, 0)],
          [`all ${num(all, 0)} connected again after`, t(sm.allOnlineS)],
          ['presence whole in Redis after', t(sm.presenceWholeS)],
          ['presence whole in the database after', t(sm.databaseWholeS)],
          [
            'connected at the end, per node',
            `${num(sm.connectedAfter, 0)}: ${sm.perNodeAfter.map((x) => num(x, 0)).join(' / ')}`,
          ],
          ['connect attempts refused or failed during the storm', num(sm.failedAttempts, 0)],
          ['devices reconnected', num(sm.reconnected, 0)],
          ...loadRows('storm', sm.window, c.nodes - 1),
        ],
      )}

Devices connected after the kill (seconds: devices): ${timeline(sm.timeline)}.`
}`);
  const ig = r.integrity;
  out.push(`### Integrity after the storm

${
  ig === undefined
    ? 'Not checked (see errors).'
    : table(
        ['check', 'value', 'must be'],
        [
          [
            'QoS 1 reports sent / acknowledged / rows stored',
            `${num(ig.sent, 0)} / ${num(ig.acked, 0)} / ${num(ig.rows, 0)}`,
            '',
          ],
          ['acknowledged reports missing from the database', num(ig.ackedMissing, 0), '0'],
          ['rows beyond what was sent (duplicates)', num(ig.duplicates, 0), '0'],
          ['stored, never acknowledged (in flight at the kill)', num(ig.storedUnacked, 0), 'any'],
          [
            'devices connected / online in Redis / online in the database',
            `${num(ig.connected, 0)} / ${num(ig.onlineInRedis, 0)} / ${num(ig.onlineInDatabase, 0)}`,
            'equal',
          ],
          ['presence entries still naming the killed node (ghosts)', num(ig.presenceOnKilledNode, 0), '0'],
        ],
      )
}`);
  if (r.errors.length > 0)
    out.push(`## Errors\n\n${r.errors.map((e) => `- ${e.split('\n')[0]}`).join('\n')}`);
  return `${out.join('\n\n')}\n`;
}

function timeline(points: ReadonlyArray<[number, number]>): string {
  const marks = [0.5, 1, 2, 4, 6, 8, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300];
  const out: string[] = [];
  for (const mark of marks) {
    const p = points.find(([s]) => s >= mark);
    if (p === undefined) break;
    out.push(`${mark}: ${num(p[1], 0)}`);
  }
  return out.join(', ') || '–';
}
