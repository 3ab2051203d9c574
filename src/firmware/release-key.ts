import { createHmac, createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { Engine } from '../store/engine.js';
import { keyIdOf, publicKeyFromRaw } from './manifest.js';
import * as store from './store-keys.js';

/**
 * The hub's Ed25519 release key: signs every manifest and rollback grant. Created at first start
 * (by whichever hub node gets there first) and kept in the database; the public key is published at
 * `/.well-known/ecohub-release-key` so devices and partners can pin it.
 */
export class ReleaseKey {
  readonly keyId: string;
  readonly publicKeyRaw: Buffer;
  readonly publicKey: KeyObject;
  readonly #private: KeyObject;
  readonly #tokenKey: Buffer;
  readonly createdAt: number;

  private constructor(row: store.KeyRow) {
    this.publicKeyRaw = row.public_key;
    this.publicKey = publicKeyFromRaw(row.public_key);
    this.keyId = keyIdOf(row.public_key);
    this.#private = createPrivateKey({ key: row.private_key, format: 'der', type: 'pkcs8' });
    // Download tokens are MACed with a key derived from the release key: no second secret to keep.
    this.#tokenKey = createHmac('sha256', row.private_key).update('ecohub download token v1').digest();
    this.createdAt = row.created_at;
  }

  static async load(db: Engine, now: number): Promise<ReleaseKey> {
    const existing = await store.findKey(db);
    if (existing) return new ReleaseKey(existing);
    const pair = generateKeyPairSync('ed25519');
    const spki = pair.publicKey.export({ format: 'der', type: 'spki' });
    await store.insertKey(db, {
      public_key: spki.subarray(spki.length - 32),
      private_key: pair.privateKey.export({ format: 'der', type: 'pkcs8' }),
      created_at: now,
    });
    // Another node may have won the race: everyone uses the row that is there.
    const row = await store.findKey(db);
    if (!row) throw new Error('the firmware release key could not be stored');
    return new ReleaseKey(row);
  }

  /** Base64 Ed25519 signature of the text. */
  sign(text: string): string {
    return sign(null, Buffer.from(text), this.#private).toString('base64');
  }

  /** HMAC-SHA256 for download tokens. */
  mac(text: string): Buffer {
    return createHmac('sha256', this.#tokenKey).update(text).digest();
  }

  get publicKeyPem(): string {
    return this.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }
}
