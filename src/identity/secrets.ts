import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * High-entropy credentials (access tokens, API keys, admin tokens, device secrets) look like
 * `<prefix>_<id>_<secret>`: the id finds the row, the secret is checked against its SHA-256 in
 * constant time. A slow hash buys nothing for 256-bit random secrets; scrypt is for passwords.
 */
export interface ParsedCredential {
  readonly prefix: string;
  readonly id: string;
  readonly secret: string;
}

const ID_PATTERN = /^[0-9a-f]{16}$/;

export function newId(): string {
  return randomBytes(8).toString('hex');
}

export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function formatCredential(prefix: string, id: string, secret: string): string {
  return `${prefix}_${id}_${secret}`;
}

export function parseCredential(token: string): ParsedCredential | undefined {
  const first = token.indexOf('_');
  if (first <= 0) return undefined;
  const second = token.indexOf('_', first + 1);
  if (second < 0) return undefined;
  const id = token.slice(first + 1, second);
  const secret = token.slice(second + 1);
  if (!ID_PATTERN.test(id) || secret.length < 16) return undefined;
  return { prefix: token.slice(0, first), id, secret };
}

export function hashSecret(secret: string): Buffer {
  // crypto.hash is the one-shot form: about 2.5x faster than createHash() for short inputs, which
  // matters when provisioning 100,000 devices at once.
  return hash('sha256', secret, 'buffer');
}

/** Constant-time check of a presented secret against a stored SHA-256. */
export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const presented = hashSecret(secret);
  return storedHash.length === presented.length && timingSafeEqual(presented, storedHash);
}
