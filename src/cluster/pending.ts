import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { errorTable } from '../errors.js';
import type { PhoneReply } from '../registry/control/command-schema.js';
import { KEYS } from './directory.js';

const pendingKey = (userId: string) => `ecohub:pending:${userId}`;

/** Commands a phone may have waiting at once are bounded by the command path; this bounds the ledger too. */
const MAX_PER_USER = 256;

/**
 * Which phone commands are running on which node, in Redis: recorded when a phone's command
 * arrives, removed when its one reply is sent. The pending timer lives on that node; if the node
 * dies, the timer dies with it, so when the phone connects again (to any node) each command a dead
 * node held is answered NODE_LOST: a clear end instead of silence.
 */
export class PendingLedger {
  readonly #redis: Redis;
  readonly #node: string;
  readonly #ttlMs: number;
  readonly #log: Logger;

  constructor(deps: { redis: Redis; node: string; ttlMs: number; log: Logger }) {
    this.#redis = deps.redis;
    this.#node = deps.node;
    this.#ttlMs = deps.ttlMs;
    this.#log = deps.log;
  }

  started(userId: string, commandId: string, deviceId: string | null): void {
    const key = pendingKey(userId);
    this.#redis
      .multi()
      .hset(key, commandId, `${this.#node}|${deviceId ?? ''}`)
      .pexpire(key, this.#ttlMs)
      .hlen(key)
      .exec()
      .then(async (results) => {
        const size = Number(results?.[2]?.[1] ?? 0);
        if (size > MAX_PER_USER) await this.#redis.del(key); // a flood: forget, never grow
      })
      .catch((err: unknown) => this.#log.warn({ err: String(err) }, 'recording a pending command failed'));
  }

  answered(userId: string, commandId: string | null): void {
    if (commandId === null) return;
    this.#redis.hdel(pendingKey(userId), commandId).catch(() => undefined);
  }

  /** The replies owed to this user for commands held by nodes that are no longer alive. */
  async lost(userId: string): Promise<PhoneReply[]> {
    const entries = await this.#redis.hgetall(pendingKey(userId));
    const nodes = new Set(Object.values(entries).map((v) => v.split('|')[0] ?? ''));
    const alive = new Map<string, boolean>();
    for (const node of nodes) alive.set(node, (await this.#redis.exists(KEYS.nodeAlive(node))) === 1);
    const replies: PhoneReply[] = [];
    for (const [id, value] of Object.entries(entries)) {
      const [node, did] = value.split('|') as [string, string];
      if (alive.get(node)) continue;
      // HDEL returns 1 for one caller only: two connections of the user never both answer it.
      if ((await this.#redis.hdel(pendingKey(userId), id)) !== 1) continue;
      replies.push({
        id,
        did: did === '' ? null : did,
        status: 'error',
        error: {
          code: 'NODE_LOST',
          mqttCode: errorTable.NODE_LOST.mqtt,
          message: `the hub node ${node} stopped before the device answered; the command may or may not have run`,
        },
      });
    }
    return replies;
  }
}
