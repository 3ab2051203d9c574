import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RegistryBus } from '../registry/events.js';
import { KEYS } from './directory.js';
import { type ClusterEmitter, createRedisEmitter } from './emitter.js';
import { clusterMetrics } from './metrics.js';
import { ClusterNode, type NodeHooks } from './node.js';
import { type ClusterOptions, describeRedis } from './options.js';
import { PendingLedger } from './pending.js';
import {
  createRedisPersistence,
  DEFAULT_PERSISTENCE_LIMITS,
  PERSISTENCE_PREFIX,
  type PersistenceLimits,
} from './persistence.js';
import { connectRedis, quitRedis } from './redis.js';
import { BusRelay } from './relay.js';

export type { ClusterOptions } from './options.js';

/** One hub node's membership of the cluster: what the broker and the composition root use. */
export interface Cluster {
  readonly node: ClusterNode;
  /** For aedes: the Redis emitter (fan-out) and persistence (sessions, retained, wills). */
  readonly mq: ClusterEmitter;
  readonly persistence: unknown;
  readonly heartbeatMs: number;
  /** Phone commands running on each node, so a dead node's are answered NODE_LOST. */
  readonly pending: PendingLedger;
  /** Names of what is not ready (for /readyz). */
  notReady(): string[];
  /** Joins: liveness key, heartbeat, direct channel, presence feed, registry relay. */
  start(hooks: NodeHooks): Promise<void>;
  close(): Promise<void>;
}

export async function openCluster(deps: {
  options: ClusterOptions;
  log: Logger;
  bus: RegistryBus;
  registry: Registry;
  /** How long a phone command can stay pending (the command timeout), plus margin. */
  commandTtlMs: number;
  /** The one bound on a persistent session's queue (`--max-queued-messages`), and its drop counter. */
  queue?: Pick<PersistenceLimits, 'maxQueuedPerClient' | 'onDropped'>;
}): Promise<Cluster> {
  const { options, log } = deps;
  const opened: Redis[] = [];
  try {
    const open = async (role: string, extra = {}) => {
      const conn = await connectRedis(options.redisUrl, role, log, extra);
      opened.push(conn);
      return conn;
    };
    const redis = await open('control');
    const ctlSub = await open('control-sub');
    const mqPub = await open('mq-pub');
    // Subscribers must never give up on a command: a lost SUBSCRIBE would silently stop delivery.
    const mqSub = await open('mq-sub', { maxRetriesPerRequest: null });
    const store = await open('persistence', { keyPrefix: PERSISTENCE_PREFIX });
    const info = await redis.info('server');
    log.info(
      { redis: describeRedis(options.redisUrl), version: /redis_version:(\S+)/.exec(info)?.[1] },
      'cluster redis ready',
    );
    let node: ClusterNode | undefined;
    const counters = clusterMetrics(deps.registry, options.nodeId, {
      nodesAlive: () => node?.nodesAlive ?? 0,
      redisUp: () => node?.ready ?? false,
      remoteOnline: () => node?.remoteOnline ?? 0,
    });
    node = new ClusterNode({ options, redis, sub: ctlSub, log, counters });
    const member = node;
    const relay = new BusRelay({ bus: deps.bus, redis, sub: ctlSub, node: options.nodeId, log });
    const mq = createRedisEmitter(mqSub, mqPub);
    const persistence = createRedisPersistence(
      store,
      { ...DEFAULT_PERSISTENCE_LIMITS, ...deps.queue },
      {
        nodeId: options.nodeId,
        claim: (brokerId, clientIds) => member.claimWills(brokerId, clientIds),
        aliveKey: KEYS.nodeAlive,
      },
    );
    return {
      node: member,
      mq,
      persistence,
      heartbeatMs: options.heartbeatMs,
      pending: new PendingLedger({ redis, node: options.nodeId, ttlMs: deps.commandTtlMs, log }),
      notReady: () => (member.ready && mqSub.status === 'ready' && mqPub.status === 'ready' ? [] : ['redis']),
      async start(hooks) {
        await member.start(hooks);
        await relay.start(ctlSub);
      },
      async close() {
        relay.stop();
        await member.close();
        // The emitter and persistence connections are closed by aedes (mq.close, persistence.destroy).
        for (const conn of [redis, ctlSub, store, mqPub, mqSub]) await quitRedis(conn);
      },
    };
  } catch (err) {
    for (const conn of opened) conn.disconnect();
    throw err;
  }
}
