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

interface WillOwner {
  readonly id: string;
  readonly brokerId?: string | undefined;
}

interface AedesRedisPersistence {
  outgoingEnqueueCombi(subs: ReadonlyArray<{ clientId: string }>, packet: unknown): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): AsyncIterable<unknown>;
  createRetainedStream(pattern: string): AsyncIterable<unknown>;
  outgoingStream(client: unknown): AsyncIterable<unknown>;
  putWill(client: WillOwner, packet: Record<string, unknown>): Promise<void>;
  getWill(client: WillOwner): Promise<unknown>;
  streamWill(brokers: unknown): AsyncIterable<unknown>;
  delWill(client: WillOwner): Promise<unknown>;
  destroy(): Promise<void>;
}

/** How this node's wills are kept and a dead node's fired once (see ClusterNode.claimWills). */
export interface WillOptions {
  readonly nodeId: string;
  /** For each will of a dead node, true when this node won the right to fire it (one round trip). */
  claim(brokerId: string, clientIds: readonly string[]): Promise<boolean[]>;
  /** The liveness key of a node (a node whose key exists is never forgotten). */
  aliveKey(node: string): string;
}

/** Each node's wills: one hash per node, client id -> the will packet (msgpack, as the library stores it). */
const willsKey = (node: string) => `wills:${node}`;
/** The nodes that may hold wills. */
const WILL_NODES = 'will-nodes';
/** Wills read (and claimed) per round trip when sweeping a dead node's. */
const WILL_PAGE = 500;

// KEYS: wills hash of a node, will-nodes; ARGV: node, its liveness key (not under the prefix).
// A node is forgotten only once it holds no will and is not alive: a putWill (HSET and SADD in one
// MULTI) either ran before (the hash is not empty) or runs after (it adds the node again).
const FORGET_NODE = `
if redis.call('HLEN', KEYS[1]) == 0 and redis.call('EXISTS', ARGV[2]) == 0 then
  redis.call('SREM', KEYS[2], ARGV[1])
  return 1
end
return 0
`;

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
  wills: WillOptions,
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
  // Wills: aedes-persistence-redis keeps one list of every will in the cluster, scanned by an LREM
  // at each putWill and delWill (~1 ms of Redis per will'd connect at 78,000 wills), and its sweep
  // GETs the wills one by one. Here each node's wills are one hash: a put or a delete is O(1), and
  // a dead node's wills are read and claimed a page per round trip.
  const msgpack = createRequire(require.resolve('aedes-persistence-redis/asyncPersistence.js'))(
    'msgpack-lite',
  ) as { encode(value: unknown): Buffer; decode(buffer: Buffer): unknown };
  /**
   * Connections of each client id on this node that stored a will and have not deleted it yet.
   * aedes stores a new connection's will before it closes the old connection of the same id (a
   * takeover on one node), and that close deletes "the" will of the id on this node: the new one.
   * A delete while another connection's will is still stored here is skipped instead. Bounded by
   * the connections: an entry goes with its last connection.
   */
  const stored = new Map<string, number>();
  persistence.putWill = async (client, packet) => {
    packet['clientId'] = client.id;
    packet['brokerId'] = wills.nodeId;
    stored.set(client.id, (stored.get(client.id) ?? 0) + 1);
    await conn
      .multi()
      .hset(willsKey(wills.nodeId), client.id, msgpack.encode(packet))
      .sadd(WILL_NODES, wills.nodeId)
      .exec();
  };
  persistence.getWill = async (client) => {
    const packet = await conn.hgetBuffer(willsKey(wills.nodeId), client.id);
    return packet ? msgpack.decode(packet) : null;
  };
  persistence.delWill = async (client) => {
    // At every CONNECT aedes 1.2 calls delWill(client) before storing the new will, but the client
    // has no brokerId yet: it names a will no node wrote (a will is stored under the node's id, and
    // deleted under it when its connection closes or the sweep fires it). Nothing to do.
    const { id, brokerId } = client;
    if (brokerId === undefined) return null;
    if (brokerId === wills.nodeId) {
      const left = (stored.get(id) ?? 1) - 1;
      if (left > 0) {
        stored.set(id, left);
        return null;
      }
      stored.delete(id);
    }
    const key = willsKey(brokerId);
    const [got] = (await conn.multi().hgetBuffer(key, id).hdel(key, id).exec()) ?? [];
    const packet = got?.[1];
    return packet instanceof Buffer ? msgpack.decode(packet) : null;
  };
  // Every node sweeps dead nodes' wills; aedes would publish each on every node (and a refusal in
  // authorizePublish becomes an unhandled rejection inside its sweep). Only the node that claims
  // a will sees it, so each fires once.
  async function* deadNodesWills(brokers: unknown): AsyncGenerator<unknown> {
    const alive = (typeof brokers === 'object' && brokers !== null ? brokers : {}) as Record<string, unknown>;
    for (const node of await conn.smembers(WILL_NODES)) {
      if (node === wills.nodeId || alive[node] !== undefined) continue;
      let cursor = '0';
      do {
        const [next, flat] = await conn.hscanBuffer(willsKey(node), cursor, 'COUNT', WILL_PAGE);
        cursor = next.toString();
        const ids: string[] = [];
        const packets: Buffer[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) {
          ids.push(String(flat[i]));
          packets.push(flat[i + 1] as Buffer);
        }
        if (ids.length === 0) continue;
        const won = await wills.claim(node, ids).catch(() => [] as boolean[]);
        for (let i = 0; i < ids.length; i++) if (won[i]) yield msgpack.decode(packets[i] as Buffer);
      } while (cursor !== '0');
      await conn.eval(FORGET_NODE, 2, willsKey(node), WILL_NODES, node, wills.aliveKey(node));
    }
  }
  persistence.streamWill = (brokers) => Readable.from(deadNodesWills(brokers));
  // aedes-persistence-redis sends some commands without awaiting them (LREM of a queue's entry)
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
