import { hash, randomBytes } from 'node:crypto';

// Crockford base32 without I, L, O, U: nothing on a sticker reads as another character.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A pairing code for the QR sticker: 60 random bits as XXXX-XXXX-XXXX. */
export function newPairingCode(random: Uint8Array = randomBytes(PAIRING_RANDOM_BYTES)): string {
  let out = '';
  for (let i = 0; i < 12; i++) {
    out += ALPHABET[(random[i] ?? 0) & 31];
    if (i === 3 || i === 7) out += '-';
  }
  return out;
}

export const PAIRING_RANDOM_BYTES = 12;
const ID_BYTES = 8;
const SECRET_BYTES = 24;

export interface DeviceCredentials {
  readonly id: string;
  readonly secret: string;
  readonly pairingCode: string;
}

/**
 * Credentials for `count` new devices from one call to the CSPRNG: asking it 300,000 times for
 * a 100,000-device batch costs more than everything else provisioning does.
 */
export function newDeviceCredentials(count: number): DeviceCredentials[] {
  const per = ID_BYTES + SECRET_BYTES + PAIRING_RANDOM_BYTES;
  const pool = randomBytes(per * count);
  const out: DeviceCredentials[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * per;
    out[i] = {
      id: pool.toString('hex', at, at + ID_BYTES),
      secret: pool.toString('base64url', at + ID_BYTES, at + ID_BYTES + SECRET_BYTES),
      pairingCode: newPairingCode(pool.subarray(at + ID_BYTES + SECRET_BYTES, at + per)),
    };
  }
  return out;
}

/** Codes are compared without dashes, spaces or case, as people type them. */
export function normalizePairingCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function hashPairingCode(code: string): Buffer {
  return hash('sha256', `pairing:${normalizePairingCode(code)}`, 'buffer');
}

/** Device ids are 16 hex characters: topic-safe, unguessable, and short enough for a sticker. */
export const DEVICE_ID_PATTERN = /^[0-9a-f]{16}$/;
