import type { Logger } from 'pino';
import type { Engine } from '../store/engine.js';
import { generateSigningKey, type SigningKey } from './signing.js';
import * as store from './store.js';

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
    let keys = await store.readKeys(this.#db);
    if (!keys.some((k) => k.retired_at === null)) {
      await store.insertKey(this.#db, generateSigningKey(), this.#now());
      keys = await store.readKeys(this.#db);
    }
    const signer = keys.find((k) => k.retired_at === null);
    if (signer === undefined) throw new Error('no certification signing key');
    this.#current = { id: signer.id, publicKeyPem: signer.public_key, privateKeyPem: signer.private_key };
    log.info({ keyId: signer.id }, 'certification signing key ready');
  }

  /** The key reports are signed with (undefined before load()). */
  get current(): SigningKey | undefined {
    return this.#current;
  }

  /** The published keys: every report verifies with one of them. */
  async list() {
    const rows = await store.readKeys(this.#db);
    return rows.map((k) => ({
      id: k.id,
      algorithm: 'Ed25519' as const,
      publicKey: k.public_key,
      createdAt: new Date(k.created_at).toISOString(),
      retiredAt: k.retired_at === null ? null : new Date(k.retired_at).toISOString(),
    }));
  }
}
