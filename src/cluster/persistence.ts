import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';

const require = createRequire(import.meta.url);

/** Keys aedes-persistence-redis writes are namespaced under this (its own names are bare: `clients`). */
export const PERSISTENCE_PREFIX = 'ecohub:aedes:';

/**
 * The same bound as one hub's (src/broker/bounded-persistence.ts, `--max-queued-messages`): QoS 1
 * messages kept for one persistent session (unacknowledged or queued while offline); past it new
 * ones are dropped, as mosquitto's max_queued_messages does.
 */
export interface PersistenceLimits {
  readonly maxQueuedPerClient: number;
  /** A queued message not delivered within this is dropped by Redis (seconds). */
  readonly offlineMessageTtlS: number;
  /** A message was not queued for a client whose queue is full. */
  readonly onDropped?: (clientId: string) => void;
}

export const DEFAULT_PERSISTENCE_LIMITS: PersistenceLimits = {
  maxQueuedPerClient: 1000,
  offlineMessageTtlS: 24 * 3600,
};

interface AedesRedisPersistence {
  outgoingEnqueueCombi(subs: ReadonlyArray<{ clientId: string }>, packet: unknown): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): AsyncIterable<unknown>;
  createRetainedStream(pattern: string): AsyncIterable<unknown>;
  outgoingStream(client: unknown): AsyncIterable<unknown>;
  streamWill(brokers: unknown): AsyncIterable<unknown>;
  delWill(client: unknown): Promise<unknown>;
  destroy(): Promise<void>;
}

/**
 * aedes-persistence-redis's name for a client's queue, `outgoing:{encodeURIComponent(id)}` (ioredis
 * adds the key prefix). Encoded: a phone's id `app/{uid}/{label}` is stored as `app%2F...`, so a
 * bound on the raw id would never touch the queue it means.
 */
function outgoingKey(clientId: string): string {
  return `outgoing:${encodeURIComponent(clientId)}`;
}

/**
 * The full Redis key of a client's stored subscriptions (aedes-persistence-redis' `client:{id}`
 * hash, under this module's prefix): it exists only while a persistent session holds some.
 */
export function storedSubscriptionsKey(clientId: string): string {
  return `${PERSISTENCE_PREFIX}client:${encodeURIComponent(clientId)}`;
}

type PersistenceClass = new (options: {
  conn: Redis;
  packetTTL: () => number;
  maxSessionDelivery: number;
}) => AedesRedisPersistence;

/**
 * aedes-persistence-redis (sessions, subscriptions, offline queues, retained messages, wills in
 * Redis; its async class, the API aedes 1.x calls), with the bound its users found missing: it
 * appends to an offline client's queue without limit and reads only the first `maxSessionDelivery`
 * back. Here a client whose queue holds `maxQueuedPerClient` packets gets no more (counted by
 * `onDropped`), a trim keeps the bound when two nodes enqueue at once, and every queued packet
 * expires (packetTTL), so the packets a trimmed queue no longer names are freed by Redis too.
 */
export function createRedisPersistence(
  conn: Redis,
  limits: PersistenceLimits = DEFAULT_PERSISTENCE_LIMITS,
  /** True for the one node that fires a dead node's will (see ClusterNode.firstToFire). */
  claimWill?: (brokerId: string, clientId: string) => Promise<boolean>,
): unknown {
  // aedes-persistence-redis sends LREM and RPUSH of its will list without awaiting them: a failure
  // (the connection closing at stop) would be an unhandled rejection. Callers that await still see it.
  for (const name of ['lrem', 'rpush'] as const) {
    const original = conn[name].bind(conn) as (...args: unknown[]) => Promise<unknown>;
    (conn as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      const sent = original(...args);
      sent.catch(() => undefined);
      return sent;
    };
  }
  const AsyncPersistence = require('aedes-persistence-redis/asyncPersistence.js') as PersistenceClass;
  const persistence = new AsyncPersistence({
    conn,
    packetTTL: () => limits.offlineMessageTtlS,
    maxSessionDelivery: limits.maxQueuedPerClient,
  });
  // aedes 1.2 pipes these (`stream.pipe`, `pipeline`); aedes-persistence-redis 11 answers async
  // generators, as its own aedes-persistence 10 did. Readable.from makes them streams again.
  const retainedCombi = persistence.createRetainedStreamCombi.bind(persistence);
  persistence.createRetainedStreamCombi = (patterns) => Readable.from(retainedCombi(patterns));
  persistence.createRetainedStream = (pattern) => Readable.from(retainedCombi([pattern]));
  const outgoing = persistence.outgoingStream.bind(persistence);
  persistence.outgoingStream = (client) => Readable.from(outgoing(client));
  const wills = persistence.streamWill.bind(persistence);
  persistence.streamWill = (brokers) => Readable.from(claimed(wills(brokers)));
  // Every node sweeps dead nodes' wills; aedes would publish each on every node (and a refusal in
  // authorizePublish becomes an unhandled rejection inside its sweep). Only the node that claims
  // a will sees it, so each fires once.
  async function* claimed(stream: AsyncIterable<unknown>): AsyncGenerator<unknown> {
    for await (const will of stream) {
      const { brokerId, clientId } = will as { brokerId?: unknown; clientId?: unknown };
      if (typeof brokerId !== 'string' || typeof clientId !== 'string') continue;
      if (!claimWill || (await claimWill(brokerId, clientId).catch(() => false))) yield will;
    }
  }
  // At every CONNECT aedes 1.2 calls delWill(client) before storing the new will, but the client
  // has no brokerId yet: the key it names, `will:undefined:{id}`, is one no node writes (a will is
  // stored under the node's id, and deleted under it when its connection closes or the sweep fires
  // it). Those were three commands per connect for nothing, two of them awaited before CONNACK, and
  // the third an LREM that scans the whole will list (~1 ms of Redis per connect at 78,000 wills).
  const delWill = persistence.delWill.bind(persistence);
  persistence.delWill = (client) =>
    (client as { brokerId?: unknown }).brokerId === undefined ? Promise.resolve(null) : delWill(client);
  // aedes-persistence-redis sends some commands without awaiting them (LREM of a will's list entry)
  // and destroys with disconnect(), which rejects what is still in flight: an unhandled rejection
  // at every stop that races a will. Redis answers in order, so once a PING is answered nothing
  // sent before it is still in flight.
  const destroy = persistence.destroy.bind(persistence);
  persistence.destroy = async () => {
    await conn.ping().catch(() => undefined);
    await destroy();
  };
  const enqueue = persistence.outgoingEnqueueCombi.bind(persistence);
  persistence.outgoingEnqueueCombi = async (subs, packet) => {
    if (subs.length === 0) return;
    const lengths = conn.pipeline();
    for (const sub of subs) lengths.llen(outgoingKey(sub.clientId));
    const counted = (await lengths.exec()) ?? [];
    const admitted = subs.filter((sub, i) => {
      const length = counted[i]?.[1];
      if (typeof length === 'number' && length >= limits.maxQueuedPerClient) {
        limits.onDropped?.(sub.clientId);
        return false;
      }
      return true;
    });
    if (admitted.length === 0) return;
    await enqueue(admitted, packet);
    const trim = conn.pipeline();
    for (const sub of admitted) {
      trim.ltrim(outgoingKey(sub.clientId), -limits.maxQueuedPerClient, -1);
      trim.expire(outgoingKey(sub.clientId), limits.offlineMessageTtlS);
    }
    await trim.exec();
  };
  return persistence;
}
