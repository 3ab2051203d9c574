import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { inject } from 'vitest';
import type { HubInput } from '../../src/config.js';
import { parseDatabaseUrl } from '../../src/store/database-url.js';
import { startHub, type TestHub, tempDir } from '../support/hub.js';

/**
 * N hub nodes in this process, one cluster: a shared Redis (each cluster its own key namespace is
 * not needed: the suite runs one file at a time and flushes between clusters) and one fresh
 * PostgreSQL database (a node refuses cluster mode on SQLite).
 */
export interface TestCluster {
  readonly nodes: TestHub[];
  readonly redis: Redis;
  readonly redisUrl: string;
  /** The database every node shares (spawned nodes get it too). */
  readonly database: import('../../src/store/database-url.js').DatabaseTarget;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export async function startCluster(
  count: number,
  extra: { heartbeatMs?: number; limits?: HubInput['limits']; hub?: (dataDir: string) => HubInput } = {},
): Promise<TestCluster> {
  const redisUrl = inject('redisUrl');
  const redis = new Redis(redisUrl);
  await redis.flushall();
  const dataDir = tempDir('ecohub-cluster-');
  const database = await clusterDatabase();
  const target = database.target;
  const nodes: TestHub[] = [];
  try {
    for (let i = 0; i < count; i++) {
      nodes.push(
        await startHub({
          dataDir: join(dataDir, `node${i + 1}`),
          database: target,
          ...(extra.limits ? { limits: extra.limits } : {}),
          ...(extra.hub ? extra.hub(dataDir) : {}),
          cluster: {
            redisUrl,
            nodeId: `node${i + 1}-${randomBytes(2).toString('hex')}`,
            heartbeatMs: extra.heartbeatMs ?? 500,
            takeoverTimeoutMs: 2000,
          },
        }),
      );
    }
  } catch (err) {
    for (const node of nodes) await node.stop();
    redis.disconnect();
    throw err;
  }
  return {
    nodes,
    redis,
    redisUrl,
    database: target,
    dataDir,
    async stop() {
      for (const node of nodes) await node.stop();
      await database.drop();
      redis.disconnect();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The cluster's first nodes as a tuple, to name them (`const [n1, n2] = firstNodes(cluster, 2)`). */
export function firstNodes(cluster: TestCluster, count: 2): [TestHub, TestHub];
export function firstNodes(cluster: TestCluster, count: 3): [TestHub, TestHub, TestHub];
export function firstNodes(cluster: TestCluster, count: number): TestHub[] {
  if (cluster.nodes.length < count)
    throw new Error(`the cluster has ${cluster.nodes.length} nodes, not ${count}`);
  return cluster.nodes.slice(0, count);
}

/** A fresh copy of the suite's migrated template database (test/cluster/database-setup.ts). */
async function clusterDatabase() {
  const admin = process.env['ECOHUB_TEST_POSTGRES_URL'];
  if (!admin) throw new Error('ECOHUB_TEST_POSTGRES_URL is not set: test:cluster needs a PostgreSQL server');
  const context = inject as unknown as (key: string) => unknown;
  const template = context('clusterTemplate') as string;
  const { role, password } = context('postgresApp') as { role: string; password: string };
  const name = `ecohub_c_${randomBytes(6).toString('hex')}`;
  const asAdmin = async (query: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  };
  await asAdmin(`CREATE DATABASE ${name} TEMPLATE ${template} OWNER ${role}`);
  const url = new URL(admin);
  url.username = role;
  url.password = password;
  url.pathname = `/${name}`;
  return {
    target: parseDatabaseUrl(url.toString()),
    drop: () => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
