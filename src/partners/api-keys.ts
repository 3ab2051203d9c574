import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { CredentialResolver, Identity } from '../identity/identity.js';
import {
  formatCredential,
  hashSecret,
  newId,
  newSecret,
  parseCredential,
  secretMatches,
} from '../identity/secrets.js';
import type { Engine, Queryable } from '../store/engine.js';
import { type Page, type PageRequest, pageOf } from '../store/page.js';
import { visiblePartner } from './access.js';
import * as keys from './store-keys.js';
import { type ApiKeyView, apiKeyView, type IssuedApiKey } from './views.js';

export const API_KEY_PREFIX = 'ek';
/** Enough for one key per environment and service; a partner past it is leaking keys, not using them. */
export const MAX_ACTIVE_API_KEYS = 10;
/** lastUsedAt is written at most once a minute per key, so authenticating a read is not a write each time. */
export const LAST_USED_THROTTLE_MS = 60_000;

export interface ApiKeyOptions {
  readonly store: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly maxActive?: number;
  /** A key stopped working (revoked or rotated): its live MQTT sessions end (hub wiring). */
  readonly onRevoke?: (revocation: { partnerId: string; keyId: string; reason: string }) => void;
}

/** Partner API keys `ek_<id>_<secret>`: shown once when issued, stored as SHA-256, never logged. */
export class ApiKeys {
  readonly #o: ApiKeyOptions;

  constructor(options: ApiKeyOptions) {
    this.#o = options;
  }

  async list(caller: Identity, partnerId: string, page: PageRequest): Promise<Page<ApiKeyView>> {
    await visiblePartner(this.#o.store, caller, partnerId);
    const rows = await keys.listApiKeys(this.#o.store, partnerId, page);
    return pageOf(rows, page.limit, (r) => [r.created_at, r.id], apiKeyView);
  }

  async create(caller: Identity, partnerId: string, label: string): Promise<IssuedApiKey> {
    const max = this.#o.maxActive ?? MAX_ACTIVE_API_KEYS;
    // Serializable: two concurrent creations cannot both see nine active keys and make eleven.
    const issued = await this.#o.store.transaction(
      async (tx) => {
        await visiblePartner(tx, caller, partnerId);
        if ((await keys.countActiveApiKeys(tx, partnerId)) >= max) {
          throw new HubError(
            'INVALID_STATE',
            `a partner may hold at most ${max} active API keys; revoke one first`,
          );
        }
        return this.issue(tx, partnerId, label, this.#o.now());
      },
      { isolation: 'serializable' },
    );
    this.#o.log.info({ partnerId, keyId: issued.id, by: caller.kind }, 'API key created');
    return issued;
  }

  /** Revokes the key and issues its replacement (same label) in one transaction. */
  async rotate(caller: Identity, partnerId: string, keyId: string): Promise<IssuedApiKey> {
    const issued = await this.#o.store.transaction(async (tx) => {
      await visiblePartner(tx, caller, partnerId);
      const old = await this.#key(tx, partnerId, keyId);
      const now = this.#o.now();
      // Conditional: of two concurrent rotations only one revokes the key and issues its successor.
      if (old.revoked_at !== null || !(await keys.revokeApiKey(tx, keyId, now)))
        throw new HubError('INVALID_STATE', 'the API key is revoked; create a new one');
      return this.issue(tx, partnerId, old.label, now);
    });
    this.#o.log.info(
      { partnerId, revokedKeyId: keyId, keyId: issued.id, by: caller.kind },
      'API key rotated',
    );
    this.#o.onRevoke?.({ partnerId, keyId, reason: 'rotated' });
    return issued;
  }

  /** Idempotent: revoking a revoked key succeeds and keeps the first revocation time. */
  async revoke(caller: Identity, partnerId: string, keyId: string): Promise<void> {
    const revoked = await this.#o.store.transaction(async (tx) => {
      await visiblePartner(tx, caller, partnerId);
      await this.#key(tx, partnerId, keyId);
      return keys.revokeApiKey(tx, keyId, this.#o.now());
    });
    if (revoked) this.#o.log.info({ partnerId, keyId, by: caller.kind }, 'API key revoked');
    // Also when it was revoked already: a session opened on another node in between ends too.
    this.#o.onRevoke?.({ partnerId, keyId, reason: 'revoked' });
  }

  /** Inserts a new key; the caller owns the transaction and the access check. */
  async issue(tx: Queryable, partnerId: string, label: string, now: number): Promise<IssuedApiKey> {
    const id = newId();
    const secret = newSecret();
    await keys.insertApiKey(tx, {
      id,
      partner_id: partnerId,
      secret_hash: hashSecret(secret),
      label,
      created_at: now,
    });
    return {
      id,
      key: formatCredential(API_KEY_PREFIX, id, secret),
      label,
      createdAt: new Date(now).toISOString(),
    };
  }

  /** Bearer resolver for `ek_...`. A revoked key is refused on its very next request. */
  resolve: CredentialResolver = async (token) => {
    const parsed = parseCredential(token);
    if (!parsed || parsed.prefix !== API_KEY_PREFIX) return undefined;
    const row = await keys.findApiKey(this.#o.store, parsed.id);
    if (!row || row.revoked_at !== null || !secretMatches(parsed.secret, row.secret_hash)) return undefined;
    const now = this.#o.now();
    if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_THROTTLE_MS) {
      try {
        await keys.touchApiKey(this.#o.store, row.id, now, LAST_USED_THROTTLE_MS);
      } catch (err) {
        // Bookkeeping only: a busy database must not turn a valid key away.
        this.#o.log.warn({ err, keyId: row.id }, 'could not record API key use');
      }
    }
    return { kind: 'partner', partnerId: row.partner_id, keyId: row.id };
  };

  async #key(db: Queryable, partnerId: string, keyId: string): Promise<keys.ApiKeyRow> {
    const row = await keys.findApiKey(db, keyId);
    if (!row || row.partner_id !== partnerId) throw new HubError('NOT_FOUND', 'API key not found');
    return row;
  }
}
