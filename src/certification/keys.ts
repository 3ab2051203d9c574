import type { Logger } from 'pino';
import type { Engine } from '../store/engine.js';
import { type Page, type PageRequest, pageOf } from '../store/page.js';
import { generateSigningKey, type SigningKey } from './signing.js';
import * as store from './store.js';

export interface PublishedKey {
  readonly id: string;
  readonly algorithm: 'Ed25519';
  readonly publicKey: string;
  readonly createdAt: string;
  readonly retiredAt: string | null;
}

/** The hub's report-signing keys: created at first start, kept in the database, published. */
export class SigningKeys {
  readonly #db: Engine;
  readonly #now: () => number;
  #current: SigningKey | undefined;

  constructor(db: Engine, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  /** Makes sure a signing key exists and loads it. */
  async load(log: Logger): Promise<void> {
    let signer = await store.currentKey(this.#db);
    if (signer === undefined) {
      await store.insertKey(this.#db, generateSigningKey(), this.#now());
      signer = await store.currentKey(this.#db);
    }
    if (signer === undefined) throw new Error('no certification signing key');
    this.#current = { id: signer.id, publicKeyPem: signer.public_key, privateKeyPem: signer.private_key };
    log.info({ keyId: signer.id }, 'certification signing key ready');
  }

  /** The key reports are signed with (undefined before load()). */
  get current(): SigningKey | undefined {
    return this.#current;
  }

  /** The published keys, newest first, a page at a time: every report verifies with one of them. */
  async list(page: PageRequest): Promise<Page<PublishedKey>> {
    const rows = await store.readKeys(this.#db, page);
    return pageOf(
      rows,
      page.limit,
      (k) => [k.created_at, k.id],
      (k) => ({
        id: k.id,
        algorithm: 'Ed25519' as const,
        publicKey: k.public_key,
        createdAt: new Date(k.created_at).toISOString(),
        retiredAt: k.retired_at === null ? null : new Date(k.retired_at).toISOString(),
      }),
    );
  }
}
