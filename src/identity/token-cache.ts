import type { Logger } from 'pino';
import type { Engine, Subscription } from '../store/engine.js';
import * as store from './store.js';

/** Notifications about user tokens: `t:<tokenId>` (issued or revoked), `u:<userId>` (all of them gone). */
export const USER_TOKENS_CHANNEL = 'user_tokens';

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Every user token that still works, in memory: the MQTT CONNECT and every REST request resolve a
 * token without a database round trip. Writers tell every hub process on the database through
 * USER_TOKENS_CHANNEL (sent at commit); a process that may have missed notifications reloads all.
 * Bounded by the tokens alive at once (issued in the last token TTL, not revoked): expired ones are
 * swept every minute.
 */
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

  constructor(options: { store: Engine; log: Logger; now: () => number }) {
    this.#store = options.store;
    this.#log = options.log;
    this.#now = options.now;
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

  put(row: store.TokenRow): void {
    if (row.revoked_at !== null || row.expires_at <= this.#now()) {
      this.drop(row.id);
      return;
    }
    this.#tokens.set(row.id, row);
    let ids = this.#byUser.get(row.user_id);
    if (!ids) {
      ids = new Set();
      this.#byUser.set(row.user_id, ids);
    }
    ids.add(row.id);
  }

  /** Forgets every token of the user (account deleted). */
  dropUser(userId: string): void {
    for (const id of this.#byUser.get(userId) ?? []) this.#tokens.delete(id);
    this.#byUser.delete(userId);
  }

  drop(tokenId: string): void {
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
