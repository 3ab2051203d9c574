import { LoginLimiter } from './identity/login-limiter.js';
import { TokenBuckets } from './rate-limit.js';

/**
 * Where the hub's abuse limits count: in this process (one hub), or in Redis shared by every node
 * of a cluster (src/cluster/limits.ts), so that "N per minute" holds however many nodes a client's
 * requests spread over. A limit's answers may be promises (a Redis round trip); callers that are
 * synchronous today take the number when it is one.
 */
export interface RateRule {
  readonly ratePerSec: number;
  readonly burst: number;
}

export interface FailureRule {
  /** Failures allowed inside the window; the next attempt is refused. */
  readonly maxFailures: number;
  readonly windowMs: number;
}

/** Token buckets per key: `take` answers 0 when a token was taken, else ms until one is available. */
export interface RateLimit {
  take(key: string): number | Promise<number>;
}

/** Failures per key in a sliding window (failed logins, registrations, wrong passwords). */
export interface FailureLimit {
  /** Milliseconds until an attempt for `key` is allowed again; 0 when allowed now. */
  retryAfterMs(key: string): number | Promise<number>;
  recordFailure(key: string): void | Promise<void>;
  reset(key: string): void | Promise<void>;
}

/**
 * Makes the limits; `name` tells limits apart in a shared store (each name is its own key space),
 * so two limits of one name must have the same rule.
 */
export interface Limits {
  rate(name: string, rule: RateRule): RateLimit;
  failures(name: string, rule: FailureRule): FailureLimit;
}

/** Limits counted in this process: the embedded default. */
export function localLimits(now: () => number): Limits {
  return {
    rate: (_name, rule) => new TokenBuckets({ ...rule, now }),
    failures: (_name, rule) => new LoginLimiter({ ...rule, now }),
  };
}

/** Applies `then` to a value that may be a promise, staying synchronous when it is not. */
export function settle<T, R>(value: T | Promise<T>, then: (v: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(then) : then(value);
}
