import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Cleanup } from './cleanup.js';
import { openWindow, sleep, type Watched } from './cluster/measure.js';
import { type HubNode, startNode } from './cluster/nodes.js';
import {
  freePort,
  type PostgresServer,
  type RedisServer,
  startPostgres,
  startRedis,
} from './cluster/servers.js';
import { endpoint } from './cluster/traffic.js';
import { Generator } from './generator.js';
import type { ClusterDevice } from './generator-protocol.js';
import { HubApi, onboardPartner, provisionDevices, publishBulbModel } from './setup.js';

/**
 * `node dist/bench/cluster-connect.js [--nodes 2] [--devices 4000] [--window 100] [--generators 2]
 * [--subscribe] [--rounds 2] [--cpu-prof DIR] [--stop]`: the cluster's connect path alone (docs/scaling.md,
 * "Connect path"). Starts a throwaway PostgreSQL and redis-server and N nodes as bench:cluster does,
 * then connects the fleet `rounds` times (the first with every node's credential cache cold; each
 * later round after every device disconnected), and prints per round: connects/s, CPU per process
 * group, and what each connect cost Redis (commands by name, from INFO commandstats, background
 * traffic measured while idle subtracted) and PostgreSQL (transactions, backends started). `--stop`:
 * after the last round's connects, SIGTERM node 1 and time its exit.
 */

const USAGE = `Usage: node dist/bench/cluster-connect.js [--nodes N] [--devices N] [--window N]
  [--generators N] [--subscribe] [--rounds N] [--cpu-prof DIR] [--stop]`;

function root(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got '${value}'`);
  return n;
}

type Stats = Map<string, number>;

async function commandStats(redis: RedisServer): Promise<Stats> {
  const text = await redis.client.info('commandstats');
  const stats: Stats = new Map();
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) stats.set(m[1] ?? '?', Number(m[2]));
  return stats;
}

function minus(a: Stats, b: Stats, scale = 1): Stats {
  const out: Stats = new Map();
  for (const [k, v] of a) out.set(k, v - (b.get(k) ?? 0) * scale);
  return out;
}

async function pgCounts(pg: PostgresServer): Promise<{ transactions: number; sessions: number }> {
  const { transactions, sessions } = await pg.counters();
  return { transactions, sessions };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string' },
      devices: { type: 'string' },
      window: { type: 'string' },
      generators: { type: 'string' },
      rounds: { type: 'string' },
      subscribe: { type: 'boolean' },
      'cpu-prof': { type: 'string' },
      stop: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const nodeCount = int(values.nodes, 2);
  const total = int(values.devices, 4000);
  const window = int(values.window, 100);
  const generatorCount = int(values.generators, 2);
  const rounds = int(values.rounds, 2);
  const subscribe = values.subscribe === true;
  const profileDir = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const dir = root();
  const workerPath = join(dir, 'dist', 'bench', 'generator-worker.js');
  const cleanup = new Cleanup();
  process.once('exit', () => cleanup.killNow());
  const t0 = performance.now();
  const say = (line: string) =>
    process.stdout.write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
  try {
    const [redis, postgres] = await Promise.all([startRedis(cleanup), startPostgres(dir, cleanup)]);
    const adminToken = `bench-admin-${randomBytes(16).toString('hex')}`;
    const nodes: HubNode[] = [];
    const start = async (i: number) => {
      const node = await startNode(
        {
          root: dir,
          adminToken,
          redisUrl: redis.url,
          databaseUrl: postgres.url,
          id: `probe-${i + 1}`,
          httpPort: await freePort(),
          mqttPort: await freePort(),
          maxConnections: total + 10,
          progress: say,
          ...(profileDir ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
        },
        cleanup,
      );
      nodes[i] = node;
    };
    await start(0);
    await Promise.all(Array.from({ length: nodeCount - 1 }, (_, k) => start(k + 1)));
    say(`${nodeCount} nodes ready`);
    const sessions0 = (await pgCounts(postgres)).sessions;
    const api = new HubApi(nodes[0]?.api.baseUrl ?? '', adminToken);
    const partner = await onboardPartner(api);
    const modelId = await publishBulbModel(api, partner, dir);
    const provisioned = await provisionDevices(api, partner, modelId, total);
    const fleet: ClusterDevice[] = provisioned.map((d, j) => ({
      did: d.id,
      clientId: d.id,
      username: d.id,
      password: d.secret,
      home: j % nodeCount,
    }));
    say(`provisioned ${total} devices`);
    const endpoints = nodes.map((n) => endpoint(n.mqttPort));
    const per = Math.ceil(total / generatorCount);
    for (let round = 1; round <= rounds; round++) {
      const generators = Array.from({ length: generatorCount }, (_, g) =>
        Generator.start(`probe-${round}-${g}`, workerPath, cleanup),
      );
      const watched: Watched = {
        hubs: () => nodes.map((n) => n.pid),
        generators: () => generators.map((g) => g.pid),
        redis,
        postgres,
      };
      // Background traffic (heartbeats, will sweeps, metrics) over an idle interval, to subtract.
      await redis.client.config('RESETSTAT');
      const idle0 = performance.now();
      await sleep(3000);
      const idleStats = await commandStats(redis);
      const idleSeconds = (performance.now() - idle0) / 1000;
      await redis.client.config('RESETSTAT');
      const x0 = await pgCounts(postgres);
      const w = await openWindow(watched);
      const results = await Promise.all(
        generators.map((g, k) =>
          g.call(
            {
              op: 'cfConnect',
              endpoints,
              devices: fleet.slice(k * per, (k + 1) * per),
              localAddresses: ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'],
              window,
              attempts: 3,
              subscribe,
            },
            1_800_000,
          ),
        ),
      );
      const figures = await w.end();
      const stats = await commandStats(redis);
      const x1 = await pgCounts(postgres);
      const seconds = Math.max(...results.map((r) => r.ms)) / 1000;
      const connected = results.reduce((a, r) => a + r.connected, 0);
      const failed = results.reduce((a, r) => a + r.failedAttempts, 0);
      const net = minus(stats, idleStats, figures.seconds / idleSeconds);
      const perConnect = [...net.entries()]
        .map(([k, v]) => [k, v / connected] as const)
        .filter(([, v]) => v >= 0.05)
        .sort((a, b) => b[1] - a[1]);
      const sumPer = perConnect.reduce((a, [, v]) => a + v, 0);
      say(
        `round ${round}${round === 1 ? ' (credential caches cold)' : ''}: ${connected}/${total} connected` +
          `${subscribe ? ' and subscribed' : ''} in ${seconds.toFixed(1)} s = ${Math.round(connected / seconds)}/s, ` +
          `${failed} failed attempts`,
      );
      say(
        `  CPU % of a core: hubs ${figures.hubCpu.map((c) => c.toFixed(0)).join(' / ')}, redis ${figures.redisCpu.toFixed(0)}, ` +
          `postgres ${figures.postgresCpu.toFixed(0)}, generators ${figures.generatorCpu.toFixed(0)}, box ${figures.boxCpu.toFixed(0)} % of all cores`,
      );
      say(
        `  hub CPU per connect: ${((figures.hubCpu.reduce((a, b) => a + b, 0) * 10 * figures.seconds) / connected).toFixed(2)} ms; ` +
          `redis ${((figures.redisCpu * 10 * figures.seconds) / connected).toFixed(2)} ms`,
      );
      say(
        `  Redis commands per connect: ${sumPer.toFixed(1)} (${perConnect.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')})`,
      );
      say(
        `  PostgreSQL transactions per connect: ${((x1.transactions - x0.transactions) / connected).toFixed(2)}; ` +
          `backends started during the round: ${x1.sessions - x0.sessions}`,
      );
      if (values.stop === true && round === rounds) {
        // A graceful stop of a node holding its share of the fleet: SIGTERM to exit.
        const held = await redis.client.hlen('ecohub:presence');
        const s0 = performance.now();
        await nodes[0]?.stop();
        say(
          `  SIGTERM of node 1 (${held} devices online in the cluster, ~${Math.round(held / nodeCount)} on it): ` +
            `exited in ${((performance.now() - s0) / 1000).toFixed(2)} s`,
        );
      }
      for (const g of generators) await g.close();
      // Every device's disconnect handled (its presence released in Redis) before the next round.
      const deadline = Date.now() + 120_000;
      while ((await redis.client.hlen('ecohub:presence')) > 0 && Date.now() < deadline) await sleep(200);
    }
    say(
      `PostgreSQL backends started since the nodes were up: ${(await pgCounts(postgres)).sessions - sessions0}`,
    );
  } finally {
    await cleanup.runAll();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`cluster-connect: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
