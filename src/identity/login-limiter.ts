/**
 * Counts failed logins per key (an account, a client address) in a sliding window. Node-local state:
 * in a cluster the same counts live in Redis (src/cluster/limits.ts), this one is their fallback.
 */
export interface LoginLimiterOptions {
  /** Failures allowed inside the window; the next attempt is refused. */
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly now: () => number;
}

export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #options: LoginLimiterOptions;

  constructor(options: LoginLimiterOptions) {
    this.#options = options;
  }

  /** Milliseconds until an attempt for `key` is allowed again; 0 when allowed now. */
  retryAfterMs(key: string): number {
    const now = this.#options.now();
    const recent = this.#recent(key, now);
    if (recent.length < this.#options.maxFailures) return 0;
    const oldest = recent[recent.length - this.#options.maxFailures] ?? now;
    return Math.max(1, oldest + this.#options.windowMs - now);
  }

  recordFailure(key: string): void {
    const now = this.#options.now();
    const recent = this.#recent(key, now);
    recent.push(now);
    this.#failures.set(key, recent);
    if (this.#failures.size > 100_000) this.#sweep(now);
  }

  reset(key: string): void {
    this.#failures.delete(key);
  }

  #recent(key: string, now: number): number[] {
    const all = this.#failures.get(key);
    if (!all) return [];
    const cutoff = now - this.#options.windowMs;
    const recent = all.filter((t) => t > cutoff);
    if (recent.length === 0) this.#failures.delete(key);
    return recent;
  }

  #sweep(now: number): void {
    for (const key of [...this.#failures.keys()]) this.#recent(key, now);
  }
}
