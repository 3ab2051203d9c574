import { HubError } from '../errors.js';

/**
 * The database side of user-token resolution when the token is not in memory: a token issued on
 * another hub node (a phone may land on any node) is read once from the store and cached. What
 * keeps a flood of made-up tokens off the database:
 * - a negative cache: an id the store does not know (or knows revoked or expired) is refused from
 *   memory for `negativeTtlMs`, up to `maxNegative` ids (the oldest go first);
 * - one read per id at a time: concurrent resolutions of one id share the read;
 * - at most `maxConcurrent` reads at once and `maxQueued` waiting; past that the resolution fails
 *   with UNAVAILABLE (REST 503, MQTT CONNACK 3: the client retries) rather than answering "unknown
 *   token", which a phone would take as being logged out.
 */
export interface TokenLookupOptions<T> {
  readonly read: (id: string) => Promise<T | undefined>;
  readonly now: () => number;
  readonly negativeTtlMs?: number;
  readonly maxNegative?: number;
  readonly maxConcurrent?: number;
  readonly maxQueued?: number;
}

export const TOKEN_LOOKUP_DEFAULTS = {
  negativeTtlMs: 60_000,
  maxNegative: 10_000,
  maxConcurrent: 16,
  maxQueued: 1_000,
} as const;

export class TokenLookups<T> {
  readonly #o: Required<TokenLookupOptions<T>>;
  /** Ids known not to work, with when that knowledge expires (insertion order = age). */
  readonly #negative = new Map<string, number>();
  readonly #inFlight = new Map<string, Promise<{ row: T | undefined; fresh: boolean }>>();
  /** Bumped by every revocation: a read that overlapped one may have read a row from before it. */
  #revocations = 0;
  readonly #waiting: Array<() => void> = [];
  #running = 0;
  /** Reads refused because too many were waiting (for metrics and tests). */
  refused = 0;
  /** Reads that reached the store. */
  reads = 0;

  constructor(options: TokenLookupOptions<T>) {
    this.#o = { ...TOKEN_LOOKUP_DEFAULTS, ...options };
  }

  get negativeSize(): number {
    return this.#negative.size;
  }

  /** True when the id is known not to work (and that knowledge is fresh). */
  knownBad(id: string): boolean {
    const until = this.#negative.get(id);
    if (until === undefined) return false;
    if (until > this.#o.now()) return true;
    this.#negative.delete(id);
    return false;
  }

  /** The id does not work (unknown, revoked, expired): refuse it from memory for a while. */
  markBad(id: string): void {
    this.#negative.delete(id);
    this.#negative.set(id, this.#o.now() + this.#o.negativeTtlMs);
    while (this.#negative.size > this.#o.maxNegative) {
      const oldest = this.#negative.keys().next().value;
      if (oldest === undefined) break;
      this.#negative.delete(oldest);
    }
  }

  /** The id may work now (it was just issued): forget what was known against it. */
  forgetBad(id: string): void {
    this.#negative.delete(id);
  }

  /** A token or a user's tokens were revoked: reads running now may be stale. */
  revoked(): void {
    this.#revocations++;
  }

  /**
   * Reads the id from the store, sharing a read already running for it. Resolves to the row, or
   * undefined when the store does not have it; `fresh` is false when a revocation arrived during
   * the read (the caller must not cache the row then).
   */
  read(id: string): Promise<{ row: T | undefined; fresh: boolean }> {
    let flight = this.#inFlight.get(id);
    if (!flight) {
      if (this.#running >= this.#o.maxConcurrent && this.#waiting.length >= this.#o.maxQueued) {
        this.refused++;
        return Promise.reject(
          new HubError('UNAVAILABLE', 'too many access tokens are being checked at once; retry shortly', {
            headers: { 'retry-after': '1' },
          }),
        );
      }
      const started = this.#limited(id);
      flight = started;
      this.#inFlight.set(id, started);
      const done = () => {
        if (this.#inFlight.get(id) === started) this.#inFlight.delete(id);
      };
      started.then(done, done);
    }
    return flight;
  }

  async #limited(id: string): Promise<{ row: T | undefined; fresh: boolean }> {
    // A finishing read hands its slot straight to the next waiter, so the bound holds exactly.
    if (this.#running >= this.#o.maxConcurrent) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      this.reads++;
      const before = this.#revocations;
      const row = await this.#o.read(id);
      return { row, fresh: before === this.#revocations };
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
