import type { Redis } from 'ioredis';
import { storedSubscriptionsKey } from './persistence.js';

/**
 * The cluster's one truth about sessions, in Redis: who holds each client id (node and epoch),
 * which devices are online (`ecohub:presence`, device id -> node|epoch), and which devices each
 * node holds (for the sweep after a node dies). Every change is one Lua script, so a claim, a
 * release and a sweep never interleave, and an older epoch never overwrites a newer one.
 */
export const KEYS = {
  epoch: (clientId: string) => `ecohub:epoch:${clientId}`,
  session: (clientId: string) => `ecohub:sess:${clientId}`,
  presence: 'ecohub:presence',
  nodeDevices: (node: string) => `ecohub:nodedev:${node}`,
  nodeAlive: (node: string) => `ecohub:node:${node}`,
  nodes: 'ecohub:nodes',
  route: (commandId: string) => `ecohub:route:${commandId}`,
  will: (broker: string, clientId: string) => `ecohub:will:${broker}:${clientId}`,
  sweep: (node: string) => `ecohub:sweep:${node}`,
};

export const CHANNELS = {
  presence: 'ecohub:ctl:presence',
  bus: 'ecohub:ctl:bus',
  node: (node: string) => `ecohub:ctl:node:${node}`,
};

/** Epochs outlive sessions (a stale node must still compare against them) but not forever. */
const EPOCH_TTL_S = 30 * 24 * 3600;

// KEYS: epoch, session, presence, nodeDevices(node), stored subscriptions (aedes-persistence-redis);
// ARGV: node, now, isDevice, clientId, epochTtl
const CLAIM = `
local epoch = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
local prev = redis.call('HMGET', KEYS[2], 'node', 'epoch')
redis.call('HSET', KEYS[2], 'node', ARGV[1], 'epoch', epoch, 'at', ARGV[2])
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[3], ARGV[4], ARGV[1] .. '|' .. epoch)
  redis.call('SADD', KEYS[4], ARGV[4])
  if prev[1] and prev[1] ~= ARGV[1] then
    redis.call('SREM', 'ecohub:nodedev:' .. prev[1], ARGV[4])
  end
  redis.call('PUBLISH', 'ecohub:ctl:presence', ARGV[4] .. '|' .. ARGV[1] .. '|' .. epoch .. '|1')
end
return {epoch, prev[1] or false, prev[2] or false, redis.call('EXISTS', KEYS[5])}
`;

// KEYS: session, presence, nodeDevices(node); ARGV: node, epoch, isDevice, clientId
const RELEASE = `
local held = redis.call('HMGET', KEYS[1], 'node', 'epoch')
if held[1] ~= ARGV[1] or held[2] ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
if ARGV[3] == '1' then
  redis.call('HDEL', KEYS[2], ARGV[4])
  redis.call('SREM', KEYS[3], ARGV[4])
  redis.call('PUBLISH', 'ecohub:ctl:presence', ARGV[4] .. '|' .. ARGV[1] .. '|' .. ARGV[2] .. '|0')
end
return 1
`;

// KEYS: liveness key of the node, nodeDevices(dead), presence; ARGV: dead node, unused, batch
// Releases up to ARGV[3] devices the dead node still holds; returns the device ids released, or
// false when the node is alive again (it was only slow: it must keep what it holds).
const SWEEP = `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local released = {}
local dids = redis.call('SRANDMEMBER', KEYS[2], ARGV[3])
for _, did in ipairs(dids) do
  redis.call('SREM', KEYS[2], did)
  local skey = 'ecohub:sess:' .. did
  local held = redis.call('HMGET', skey, 'node', 'epoch')
  if held[1] == ARGV[1] then
    redis.call('DEL', skey)
    redis.call('HDEL', KEYS[3], did)
    redis.call('PUBLISH', 'ecohub:ctl:presence', did .. '|' .. ARGV[1] .. '|' .. held[2] .. '|0')
    table.insert(released, did)
  end
end
return released
`;

// KEYS: liveness key of the node, nodeDevices(dead), nodes; ARGV: dead node
// Forgets a swept node, unless it is alive again or holds devices again: 1 forgotten, 0 not.
const FORGET = `
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('SCARD', KEYS[2]) > 0 then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
`;

export interface Claim {
  readonly epoch: number;
  /** The node that held the client id before, if another one did. */
  readonly previousNode: string | undefined;
  /** This node held the client id before (a connection of it may still be open here). */
  readonly heldHere: boolean;
  /** aedes-persistence-redis holds subscriptions of a persistent session of this client id. */
  readonly storedSession: boolean;
}

export class SessionDirectory {
  readonly #redis: Redis;
  readonly #node: string;

  constructor(redis: Redis, node: string) {
    this.#redis = redis;
    this.#node = node;
  }

  async claim(clientId: string, isDevice: boolean, now: number): Promise<Claim> {
    const result = (await this.#redis.eval(
      CLAIM,
      5,
      KEYS.epoch(clientId),
      KEYS.session(clientId),
      KEYS.presence,
      KEYS.nodeDevices(this.#node),
      storedSubscriptionsKey(clientId),
      this.#node,
      String(now),
      isDevice ? '1' : '0',
      clientId,
      String(EPOCH_TTL_S),
    )) as [number, string | null, string | null, number];
    const previous = result[1];
    return {
      epoch: Number(result[0]),
      previousNode: previous && previous !== this.#node ? previous : undefined,
      heldHere: previous === this.#node,
      storedSession: result[3] === 1,
    };
  }

  /** Ends the session only if this node still holds it at this epoch; false when it was taken over. */
  async release(clientId: string, epoch: number, isDevice: boolean): Promise<boolean> {
    const done = await this.#redis.eval(
      RELEASE,
      3,
      KEYS.session(clientId),
      KEYS.presence,
      KEYS.nodeDevices(this.#node),
      this.#node,
      String(epoch),
      isDevice ? '1' : '0',
      clientId,
    );
    return done === 1;
  }

  /** The epochs the cluster holds for these client ids (undefined: no session, or another node's). */
  async heldEpochs(clientIds: readonly string[]): Promise<Array<number | undefined>> {
    const pipeline = this.#redis.pipeline();
    for (const id of clientIds) pipeline.hmget(KEYS.session(id), 'node', 'epoch');
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, value]) => {
      const [node, epoch] = (value as [string | null, string | null] | null) ?? [null, null];
      return !err && node === this.#node && epoch !== null ? Number(epoch) : undefined;
    });
  }

  /**
   * Releases what a dead node still holds, in batches; the caller announces each device offline.
   * 'alive' when the node renewed its liveness key meanwhile: it was slow, not dead, and keeps
   * what it holds (it closes itself what was swept before it came back).
   */
  async sweep(deadNode: string, batch = 500): Promise<string[] | 'alive'> {
    const released = (await this.#redis.eval(
      SWEEP,
      3,
      KEYS.nodeAlive(deadNode),
      KEYS.nodeDevices(deadNode),
      KEYS.presence,
      deadNode,
      '0',
      String(batch),
    )) as string[] | null;
    return released === null ? 'alive' : released;
  }

  /** Drops a swept node from the member list, unless it came back or holds devices again. */
  async forget(deadNode: string): Promise<boolean> {
    const done = await this.#redis.eval(
      FORGET,
      3,
      KEYS.nodeAlive(deadNode),
      KEYS.nodeDevices(deadNode),
      KEYS.nodes,
      deadNode,
    );
    return done === 1;
  }

  /** Every online device and the node holding it (seeds a node's view of presence at start). */
  async onlineDevices(): Promise<Map<string, { node: string; epoch: number }>> {
    const all = await this.#redis.hgetall(KEYS.presence);
    const map = new Map<string, { node: string; epoch: number }>();
    for (const [did, value] of Object.entries(all)) {
      const [node, epoch] = value.split('|');
      if (node && epoch) map.set(did, { node, epoch: Number(epoch) });
    }
    return map;
  }
}

/** A presence change as published by the scripts: `did|node|epoch|1` (online) or `...|0`. */
export function parsePresence(
  message: string,
): { deviceId: string; node: string; epoch: number; online: boolean } | undefined {
  const parts = message.split('|');
  if (parts.length !== 4) return undefined;
  const [deviceId, node, epoch, online] = parts as [string, string, string, string];
  return { deviceId, node, epoch: Number(epoch), online: online === '1' };
}
