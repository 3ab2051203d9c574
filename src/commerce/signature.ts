import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Payment webhooks are signed like Stripe's: `x-ecohub-timestamp: <unix seconds>` and
 * `x-ecohub-signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body bytes)>`.
 * The signature covers the exact bytes received (never a re-serialization) and the timestamp, so a
 * captured request cannot be replayed outside the tolerance window (replays inside it are caught by
 * the event id).
 */
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

const TIMESTAMP = /^[0-9]{1,12}$/;
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

function mac(secret: string, timestamp: string, raw: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(raw).digest();
}

/** The header value a provider sends (used by tests and docs' examples). */
export function signWebhook(secret: string, timestamp: string, raw: Buffer | string): string {
  return `sha256=${mac(secret, timestamp, Buffer.isBuffer(raw) ? raw : Buffer.from(raw)).toString('hex')}`;
}

export type Verification =
  | { readonly ok: true; readonly signedAt: number }
  | { readonly ok: false; readonly reason: string };

export function verifyWebhook(input: {
  readonly secret: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly raw: Buffer;
  readonly now: number;
}): Verification {
  if (input.timestamp === undefined || !TIMESTAMP.test(input.timestamp)) {
    return { ok: false, reason: 'x-ecohub-timestamp must be unix seconds' };
  }
  const hex = input.signature === undefined ? undefined : SIGNATURE.exec(input.signature)?.[1];
  if (hex === undefined) return { ok: false, reason: 'x-ecohub-signature must be sha256=<64 hex digits>' };
  const expected = mac(input.secret, input.timestamp, input.raw);
  // Both are 32 bytes (the pattern fixes the length), so the comparison takes the same time whatever matches.
  if (!timingSafeEqual(expected, Buffer.from(hex, 'hex'))) return { ok: false, reason: 'bad signature' };
  const signedAt = Number(input.timestamp) * 1000;
  if (Math.abs(input.now - signedAt) > SIGNATURE_TOLERANCE_MS) {
    return { ok: false, reason: 'timestamp is more than 5 minutes away from the hub clock' };
  }
  return { ok: true, signedAt };
}
