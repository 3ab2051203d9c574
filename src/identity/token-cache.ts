import type { Logger } from 'pino';
import type { Engine, Subscription } from '../store/engine.js';
import * as store from './store.js';
import { type TokenLookupOptions, TokenLookups } from './token-lookups.js';

/** Notifications about user tokens: `t:<tokenId>` (issued or revoked), `u:<userId>` (all of them gone). */
export const USER_TOKENS_CHANNEL = 'user_tokens';

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Every user token that still works, in memory: the MQTT CONNECT and every REST request resolve a
 * token without a database round trip. Writers tell every hub process on the database through
 * USER_TOKENS_CHANNEL (sent at commit); a process that may have missed notifications reloads all.
 * A token not in memory (issued on another node whose notifications do not reach this one, or
 * during a reload) is read through to the store once (`resolve`), behind a negative cache and a
 * bound on concurrent reads (token-lookups.ts). Revocation drops a token here and marks it bad, so
 * it stops working on the next message. Bounded by the tokens alive at once (issued in the last
 * token TTL, not revoked): expired ones are swept every minute.
 */
function works(row: store.TokenRow, now: number): boolean {
  return row.revoked_at === null && row.expires_at > now;
}

export class UserTokenCache {
  readonly #store: Engine;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #tokens = new Map<string, store.TokenRow>();
  readonly #byUser = new Map<string, Set<string>>();
  #subscription: Subscription | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Bumped by every reload, so a reload that a newer one overtook does not overwrite it. */
  #generation = 0;

  readonly #lookups: TokenLookups<store.TokenRow>;

  constructor(options: {
    store: Engine;
    log: Logger;
    now: () => number;
    lookups?: Omit<TokenLookupOptions<store.TokenRow>, 'read' | 'now'>;
  }) {
    this.#store = options.store;
    this.#log = options.log;
    this.#now = options.now;
    this.#lookups = new TokenLookups({
      ...options.lookups,
      read: (id) => store.findUserToken(this.#store, id),
      now: options.now,
    });
  }

  /** Store reads done and refused by the read-through (for tests and metrics). */
  get lookups(): { readonly reads: number; readonly refused: number; readonly negative: number } {
    return {
      reads: this.#lookups.reads,
      refused: this.#lookups.refused,
      negative: this.#lookups.negativeSize,
    };
  }

  get size(): number {
    return this.#tokens.size;
  }

  async open(): Promise<void> {
    this.#subscription = await this.#store.listen(USER_TOKENS_CHANNEL, {
      message: (payload) => this.#message(payload),
      reset: () => {
        this.#reload().catch((err: unknown) => this.#log.error({ err }, 'reloading user tokens failed'));
      },
    });
    await this.#reload();
    this.#timer = setInterval(() => this.#sweep(), SWEEP_INTERVAL_MS);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#subscription?.close();
  }

  /** The token if it is known and has not expired or been revoked. */
  get(tokenId: string): store.TokenRow | undefined {
    const row = this.#tokens.get(tokenId);
    if (!row) return undefined;
    if (row.revoked_at !== null || row.expires_at <= this.#now()) {
      this.drop(tokenId);
      return undefined;
    }
    return row;
  }

  /**
   * The token if it works: from memory when known there (synchronously), else read once from the
   * store. Undefined for unknown, revoked and expired tokens; rejects with UNAVAILABLE when too
   * many reads are waiting.
   */
  resolve(
    tokenId: string,
    retried = false,
  ): store.TokenRow | undefined | Promise<store.TokenRow | undefined> {
    const known = this.get(tokenId);
    if (known) return known;
    if (this.#lookups.knownBad(tokenId)) return undefined;
    return this.#lookups.read(tokenId).then(({ row, fresh }) => {
      // A notification or a revocation during the read knows better than the row read before it.
      if (this.#tokens.has(tokenId)) return this.get(tokenId);
      if (this.#lookups.knownBad(tokenId)) return undefined;
      // A revocation of a user's tokens overlapped the read: read again, after it.
      if (!fresh && !retried) return this.resolve(tokenId, true);
      if (!row) {
        this.#lookups.markBad(tokenId);
        return undefined;
      }
      if (!fresh) return works(row, this.#now()) ? row : undefined;
      this.put(row);
      return this.get(tokenId);
    });
  }

  put(row: store.TokenRow): void {
    if (!works(row, this.#now())) {
      this.drop(row.id);
      return;
    }
    this.#lookups.forgetBad(row.id);
    this.#tokens.set(row.id, row);
    let ids = this.#byUser.get(row.user_id);
    if (!ids) {
      ids = new Set();
      this.#byUser.set(row.user_id, ids);
    }
    ids.add(row.id);
  }

  /**
   * Forgets every token of the user (account deleted, or revoked by another node). Tokens of the
   * user this node never held are revoked in the store, so a read-through finds them gone.
   */
  dropUser(userId: string): void {
    this.#lookups.revoked();
    for (const id of this.#byUser.get(userId) ?? []) {
      this.#tokens.delete(id);
      this.#lookups.markBad(id);
    }
    this.#byUser.delete(userId);
  }

  /** The token stopped working (revoked, expired): refused from memory from now on. */
  drop(tokenId: string): void {
    this.#lookups.revoked();
    this.#lookups.markBad(tokenId);
    const row = this.#tokens.get(tokenId);
    if (!row) return;
    this.#tokens.delete(tokenId);
    const ids = this.#byUser.get(row.user_id);
    ids?.delete(tokenId);
    if (ids?.size === 0) this.#byUser.delete(row.user_id);
  }

  #message(payload: string): void {
    if (payload.startsWith('u:')) {
      this.dropUser(payload.slice(2));
      return;
    }
    if (!payload.startsWith('t:')) return;
    const tokenId = payload.slice(2);
    store
      .findUserToken(this.#store, tokenId)
      .then((row) => (row ? this.put(row) : this.drop(tokenId)))
      .catch((err: unknown) => this.#log.error({ err, tokenId }, 'refreshing a user token failed'));
  }

  async #reload(): Promise<void> {
    const generation = ++this.#generation;
    const rows = await store.liveUserTokens(this.#store, this.#now());
    if (generation !== this.#generation) return;
    this.#tokens.clear();
    this.#byUser.clear();
    for (const row of rows) this.put(row);
    this.#log.debug({ tokens: rows.length }, 'user tokens loaded');
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, row] of this.#tokens) if (row.expires_at <= now) this.drop(id);
  }
}
