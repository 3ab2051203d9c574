/**
 * Token buckets per key (a user, a client address): `burst` requests at once, then `ratePerSec` on
 * average. Node-local state, bounded: past `maxKeys` the buckets that are full again (they carry no
 * information) are dropped, then the oldest ones.
 */
export interface TokenBucketOptions {
  readonly ratePerSec: number;
  readonly burst: number;
  readonly now: () => number;
  /** Most keys tracked at once (default 100,000: about 10 MB). */
  readonly maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  readonly #o: TokenBucketOptions;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: TokenBucketOptions) {
    this.#o = options;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  /** Takes one token for `key`: 0 when taken, else how many ms until one is available (nothing taken). */
  take(key: string): number {
    const now = this.#o.now();
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxKeys) this.#shrink(now);
      bucket = { tokens: this.#o.burst, at: now };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = this.#refilled(bucket, now);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 1000) / this.#o.ratePerSec));
  }

  /** Keys tracked now (for bounds checks and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  #refilled(bucket: Bucket, now: number): number {
    const elapsed = Math.max(0, now - bucket.at);
    return Math.min(this.#o.burst, bucket.tokens + (elapsed * this.#o.ratePerSec) / 1000);
  }

  #shrink(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (this.#refilled(bucket, now) >= this.#o.burst) this.#buckets.delete(key);
    }
    // Still full of active keys: forget the oldest tenth (each forgotten key starts with a full bucket).
    if (this.#buckets.size >= this.#maxKeys) {
      let drop = Math.ceil(this.#maxKeys / 10);
      for (const key of this.#buckets.keys()) {
        if (drop-- <= 0) break;
        this.#buckets.delete(key);
      }
    }
  }
}
