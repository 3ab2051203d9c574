import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import type { Engine } from '../store/engine.js';
import { type Page, type PageRequest, pageOf } from '../store/page.js';
import type { Identity } from './identity.js';
import { formatCredential, hashSecret, newId, newSecret, parseCredential, secretMatches } from './secrets.js';
import * as store from './store-operator-tokens.js';

export const ADMIN_TOKEN_PREFIX = 'eo';
/** Row id of the operator token taken from ECOHUB_ADMIN_TOKEN (any string of 24+ characters). */
export const ENV_TOKEN_ID = 'env';
/** `last_used_at` is refreshed at most this often: a script polling the API does not write per request. */
const TOUCH_INTERVAL_MS = 60_000;

export type OperatorTokenSource = store.OperatorTokenSource;

/** An operator token as listed: never its secret or hash. */
export interface OperatorTokenView {
  readonly id: string;
  readonly label: string;
  readonly source: OperatorTokenSource;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface MintedOperatorToken extends OperatorTokenView {
  /** Shown once; only its hash is stored. */
  readonly token: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toView(row: store.OperatorTokenRow): OperatorTokenView {
  return {
    id: row.id,
    label: row.label,
    source: row.source,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

/**
 * Operator tokens: minted (`eo_<id>_<secret>`, by the first start, the CLI or the API) or adopted
 * from ECOHUB_ADMIN_TOKEN. The adopted one lives only while the variable is set: a start without
 * it removes that token. Every token can be listed (without its secret) and revoked; a revoked
 * token is refused from its next request on.
 */
export class OperatorTokens {
  readonly #db: Engine;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(options: { store: Engine; log: Logger; now: () => number }) {
    this.#db = options.store;
    this.#log = options.log;
    this.#now = options.now;
  }

  /** Bearer resolver for `eo_...` and for a bearer without a known prefix (the adopted one). */
  resolve = async (token: string): Promise<Identity | undefined> => {
    const parsed = parseCredential(token);
    const [id, secret] =
      parsed && parsed.prefix === ADMIN_TOKEN_PREFIX ? [parsed.id, parsed.secret] : [ENV_TOKEN_ID, token];
    const row = await store.findOperatorToken(this.#db, id);
    if (!row || row.revoked_at !== null || !secretMatches(secret, row.secret_hash)) return undefined;
    const now = this.#now();
    if (row.last_used_at === null || now - row.last_used_at >= TOUCH_INTERVAL_MS) {
      await store.touchOperatorToken(this.#db, row.id, now);
    }
    return { kind: 'operator', tokenId: row.id };
  };

  async mint(label: string, source: Exclude<OperatorTokenSource, 'env'>): Promise<MintedOperatorToken> {
    const id = newId();
    const secret = newSecret();
    const row = { id, secret_hash: hashSecret(secret), label, source, created_at: this.#now() };
    await store.insertOperatorToken(this.#db, row);
    this.#log.info({ tokenId: id, label, source }, 'operator token minted');
    return {
      ...toView({ ...row, last_used_at: null, revoked_at: null }),
      token: formatCredential(ADMIN_TOKEN_PREFIX, id, secret),
    };
  }

  async list(page: PageRequest): Promise<Page<OperatorTokenView>> {
    return pageOf(
      await store.listOperatorTokens(this.#db, page),
      page.limit,
      (r) => [r.created_at, r.id],
      toView,
    );
  }

  /** Revokes a token (idempotent); the next request that presents it gets 401. */
  async revoke(tokenId: string, by?: Identity): Promise<OperatorTokenView> {
    const revoked = await store.revokeOperatorToken(this.#db, tokenId, this.#now());
    const row = await store.findOperatorToken(this.#db, tokenId);
    if (!row) throw new HubError('NOT_FOUND', 'no such operator token');
    if (revoked) {
      this.#log.info(
        { tokenId, source: row.source, by: by?.kind === 'operator' ? by.tokenId : 'cli' },
        'operator token revoked',
      );
    }
    return toView(row);
  }

  /**
   * Runs on every start. With ECOHUB_ADMIN_TOKEN set its value is the adopted token (a new value
   * replaces the old; a value an operator revoked stays revoked). Without it the adopted token is
   * removed. Then, when no operator token is left, one is minted and returned for the CLI to print
   * once; otherwise undefined.
   */
  async bootstrap(envToken: string | undefined): Promise<string | undefined> {
    const current = await store.findOperatorToken(this.#db, ENV_TOKEN_ID);
    if (envToken === undefined) {
      if (current && (await store.deleteOperatorToken(this.#db, ENV_TOKEN_ID))) {
        this.#log.info('ECOHUB_ADMIN_TOKEN is no longer set: the operator token adopted from it is removed');
      }
    } else if (current && current.revoked_at !== null && secretMatches(envToken, current.secret_hash)) {
      this.#log.warn(
        'ECOHUB_ADMIN_TOKEN holds a token an operator revoked: it stays revoked; set a new value to adopt one',
      );
    } else if (!current || !secretMatches(envToken, current.secret_hash)) {
      await store.replaceEnvToken(this.#db, {
        id: ENV_TOKEN_ID,
        secret_hash: hashSecret(envToken),
        created_at: this.#now(),
      });
      this.#log.info('operator token adopted from ECOHUB_ADMIN_TOKEN');
    }
    if ((await store.countActiveOperatorTokens(this.#db)) > 0) return undefined;
    return (await this.mint('bootstrap', 'bootstrap')).token;
  }
}
