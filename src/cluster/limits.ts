import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  type FailureLimit,
  type FailureRule,
  type Limits,
  localLimits,
  type RateLimit,
  type RateRule,
} from '../limits.js';
import { connectRedis, quitRedis } from './redis.js';

/**
 * The hub's abuse limits (commands per user, failed logins, registrations, flash-sale attempts)
 * counted in the cluster's Redis, so a limit of N per minute holds across every node: one Lua
 * script per check, on Redis' clock (nodes' clocks may differ). Keys expire once they carry no
 * information (a full bucket, a window with no failures), and a failure window keeps at most
 * `maxFailures` entries, so Redis holds a bounded amount per active client. Keys are hashes of
 * what they count (an email, an address): no personal data in Redis.
 *
 * When Redis does not answer, a limit falls back to this node's own count (each node then allows
 * up to its budget: the cluster at most N times it) rather than refusing everyone or no one.
 */
export const LIMIT_PREFIX = 'ecohub:lim:';

// KEYS: bucket; ARGV: ratePerSec, burst. Returns ms until a token is available (0: taken).
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) * 1000 / rate))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return wait
`;

// KEYS: window; ARGV: maxFailures, windowMs. Returns ms until an attempt is allowed (0: now).
const RETRY_AFTER = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n < max then return 0 end
local oldest = redis.call('ZRANGE', KEYS[1], n - max, n - max, 'WITHSCORES')
return math.max(1, math.ceil(tonumber(oldest[2]) + window - now))
`;

// KEYS: window; ARGV: maxFailures, windowMs, unique member.
const RECORD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(max + 1))
redis.call('PEXPIRE', KEYS[1], window)
return 1
`;

interface LimitCommands {
  ecohubTake(key: string, rate: number, burst: number): Promise<number>;
  ecohubRetryAfter(key: string, max: number, windowMs: number): Promise<number>;
  ecohubRecordFailure(key: string, max: number, windowMs: number, member: string): Promise<number>;
}

type LimitRedis = Redis & LimitCommands;

function keyOf(name: string, key: string): string {
  return `${LIMIT_PREFIX}${name}:${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`;
}

export interface SharedLimits extends Limits {
  /** Checks that fell back to this node's count because Redis did not answer. */
  readonly fallbacks: number;
  close(): Promise<void>;
}

export async function openSharedLimits(deps: {
  redisUrl: string;
  log: Logger;
  now: () => number;
}): Promise<SharedLimits> {
  // Fails fast while Redis is unreachable (no offline queue): the check falls back at once.
  const redis = (await connectRedis(deps.redisUrl, 'limits', deps.log, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  })) as LimitRedis;
  redis.defineCommand('ecohubTake', { numberOfKeys: 1, lua: TAKE });
  redis.defineCommand('ecohubRetryAfter', { numberOfKeys: 1, lua: RETRY_AFTER });
  redis.defineCommand('ecohubRecordFailure', { numberOfKeys: 1, lua: RECORD });
  const local = localLimits(deps.now);
  let fallbacks = 0;
  let lastError = '';
  let member = 0;
  const prefix = `${process.pid}-${Date.now().toString(36)}-`;
  function fellBack(name: string, err: unknown): void {
    fallbacks++;
    const message = err instanceof Error ? err.message : String(err);
    if (message !== lastError)
      deps.log.warn({ limit: name, err: message }, 'shared limit unavailable: counting on this node');
    lastError = message;
  }
  const ok = <T>(value: T): T => {
    lastError = '';
    return value;
  };

  return {
    get fallbacks() {
      return fallbacks;
    },
    rate(name: string, rule: RateRule): RateLimit {
      const own = local.rate(name, rule);
      return {
        take: (key) =>
          redis.ecohubTake(keyOf(name, key), rule.ratePerSec, rule.burst).then(
            (wait) => ok(Number(wait)),
            (err: unknown) => {
              fellBack(name, err);
              return own.take(key);
            },
          ),
      };
    },
    failures(name: string, rule: FailureRule): FailureLimit {
      const own = local.failures(name, rule);
      return {
        retryAfterMs: (key) =>
          redis.ecohubRetryAfter(keyOf(name, key), rule.maxFailures, rule.windowMs).then(
            (wait) => ok(Number(wait)),
            (err: unknown) => {
              fellBack(name, err);
              return own.retryAfterMs(key);
            },
          ),
        recordFailure: async (key) => {
          await own.recordFailure(key);
          member = (member + 1) % Number.MAX_SAFE_INTEGER;
          await redis
            .ecohubRecordFailure(keyOf(name, key), rule.maxFailures, rule.windowMs, `${prefix}${member}`)
            .then(ok, (err: unknown) => fellBack(name, err));
        },
        reset: async (key) => {
          await own.reset(key);
          await redis.del(keyOf(name, key)).then(ok, (err: unknown) => fellBack(name, err));
        },
      };
    },
    close: () => quitRedis(redis),
  };
}
