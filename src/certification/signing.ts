import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';

/**
 * Ed25519 signatures over a report's exact bytes (its canonical JSON, UTF-8). Anyone holding the
 * published public key verifies a report offline; changing any byte breaks the signature.
 */
export interface SigningKey {
  readonly id: string;
  readonly publicKeyPem: string;
  readonly privateKeyPem: string;
}

/** The key id: the first 16 hex digits of SHA-256 of the raw 32-byte public key. */
export function keyIdOf(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ format: 'der', type: 'spki' });
  // An Ed25519 SPKI is a 12-byte header followed by the 32-byte key.
  return createHash('sha256')
    .update(der.subarray(der.length - 32))
    .digest('hex')
    .slice(0, 16);
}

export function generateSigningKey(): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { id: keyIdOf(publicKeyPem), publicKeyPem, privateKeyPem };
}

const privateKeys = new WeakMap<SigningKey, KeyObject>();

export function signBytes(key: SigningKey, bytes: Buffer): string {
  let keyObject = privateKeys.get(key);
  if (keyObject === undefined) {
    keyObject = createPrivateKey(key.privateKeyPem);
    privateKeys.set(key, keyObject);
  }
  return sign(null, bytes, keyObject).toString('base64');
}

/** True when `signature` (base64) is the Ed25519 signature of exactly `bytes` under the public key. */
export function verifyBytes(publicKeyPem: string, bytes: Buffer, signature: string): boolean {
  try {
    return verify(null, bytes, createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
