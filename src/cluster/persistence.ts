import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';

const require = createRequire(import.meta.url);

/** Keys aedes-persistence-redis writes are namespaced under this (its own names are bare: `clients`). */
export const PERSISTENCE_PREFIX = 'ecohub:aedes:';

export interface PersistenceLimits {
  /** QoS 1 messages kept for one offline persistent session; the oldest go first past it. */
  readonly maxOfflineMessages: number;
  /** A queued message not delivered within this is dropped by Redis (seconds). */
  readonly offlineMessageTtlS: number;
}

export const DEFAULT_PERSISTENCE_LIMITS: PersistenceLimits = {
  // A device that was away receives its commands' worth, not a day of every shadow update.
  maxOfflineMessages: 100,
  offlineMessageTtlS: 24 * 3600,
};

interface AedesRedisPersistence {
  outgoingEnqueueCombi(subs: ReadonlyArray<{ clientId: string }>, packet: unknown): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): AsyncIterable<unknown>;
  createRetainedStream(pattern: string): AsyncIterable<unknown>;
  outgoingStream(client: unknown): AsyncIterable<unknown>;
  streamWill(brokers: unknown): AsyncIterable<unknown>;
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
 * back. Here every enqueue trims the queue to the newest `maxOfflineMessages`, and every queued
 * packet expires (packetTTL), so the packets a trimmed queue no longer names are freed by Redis too.
 */
export function createRedisPersistence(
  conn: Redis,
  limits: PersistenceLimits = DEFAULT_PERSISTENCE_LIMITS,
): unknown {
  const AsyncPersistence = require('aedes-persistence-redis/asyncPersistence.js') as PersistenceClass;
  const persistence = new AsyncPersistence({
    conn,
    packetTTL: () => limits.offlineMessageTtlS,
    maxSessionDelivery: limits.maxOfflineMessages,
  });
  // aedes 1.2 pipes these (`stream.pipe`, `pipeline`); aedes-persistence-redis 11 answers async
  // generators, as its own aedes-persistence 10 did. Readable.from makes them streams again.
  const retainedCombi = persistence.createRetainedStreamCombi.bind(persistence);
  persistence.createRetainedStreamCombi = (patterns) => Readable.from(retainedCombi(patterns));
  persistence.createRetainedStream = (pattern) => Readable.from(retainedCombi([pattern]));
  const outgoing = persistence.outgoingStream.bind(persistence);
  persistence.outgoingStream = (client) => Readable.from(outgoing(client));
  const wills = persistence.streamWill.bind(persistence);
  persistence.streamWill = (brokers) => Readable.from(wills(brokers));
  const enqueue = persistence.outgoingEnqueueCombi.bind(persistence);
  persistence.outgoingEnqueueCombi = async (subs, packet) => {
    await enqueue(subs, packet);
    if (subs.length === 0) return;
    const trim = conn.pipeline();
    for (const sub of subs) {
      // ioredis adds the key prefix; the list name is aedes-persistence-redis's `outgoing:{id}`.
      trim.ltrim(`outgoing:${sub.clientId}`, -limits.maxOfflineMessages, -1);
      trim.expire(`outgoing:${sub.clientId}`, limits.offlineMessageTtlS);
    }
    await trim.exec();
  };
  return persistence;
}
