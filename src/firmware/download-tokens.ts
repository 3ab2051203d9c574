import { timingSafeEqual } from 'node:crypto';
import type { ReleaseKey } from './release-key.js';

/**
 * Download tokens: short-lived, bound to one device and one package, stateless (an HMAC under a key
 * derived from the release key), so any hub node can check them and nothing is stored per offer.
 * `{deviceId}.{packageId}.{expiresAt}.{mac}`; ids never contain dots.
 */
export class DownloadTokens {
  readonly #key: ReleaseKey;

  constructor(key: ReleaseKey) {
    this.#key = key;
  }

  issue(deviceId: string, packageId: string, expiresAt: number): string {
    const body = `${deviceId}.${packageId}.${expiresAt}`;
    return `${body}.${this.#key.mac(body).toString('base64url')}`;
  }

  /** The device the token was issued to, if it is valid for this package now; else a reason. */
  check(
    token: string,
    packageId: string,
    now: number,
  ): { ok: true; deviceId: string } | { ok: false; reason: string } {
    const parts = token.split('.');
    if (parts.length !== 4) return { ok: false, reason: 'malformed token' };
    const [deviceId, tokenPackage, expires, mac] = parts as [string, string, string, string];
    const expected = this.#key.mac(`${deviceId}.${tokenPackage}.${expires}`);
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: 'bad token' };
    }
    if (tokenPackage !== packageId) return { ok: false, reason: 'the token is for another package' };
    if (!/^\d+$/.test(expires) || Number(expires) < now) return { ok: false, reason: 'the token expired' };
    return { ok: true, deviceId };
  }
}
