import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import type { HubInput } from '../../src/config.js';
import { createTestDatabase } from '../support/engine.js';
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
  const database = await createTestDatabase('postgres');
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
