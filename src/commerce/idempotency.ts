import { hash } from 'node:crypto';

/** Idempotency-Key: 1 to 255 visible ASCII characters (a UUID is typical). */
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7e]{1,255}$';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * The fingerprint a key is bound to: SHA-256 of the parsed body with object keys sorted, so the
 * same order sent with different whitespace or key order is the same request.
 */
export function requestHash(body: unknown): string {
  return hash('sha256', JSON.stringify(canonical(body)), 'hex');
}
