/**
 * 64-bit integers (`int64`, `uint64`) in JSON. A JSON number is exact only up to 2^53 - 1, so the
 * spec gives every 64-bit value one spelling: a JSON integer when |n| <= 2^53 - 1, and a string of
 * decimal digits (optional leading "-", no leading zeros) beyond it. Both directions use it:
 * documents (range bounds), reports, commands and replies. One spelling per value keeps equality a
 * comparison of JSON text (desired state, deduplication).
 */

const DECIMAL = /^-?(0|[1-9][0-9]*)$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The value as a bigint when it is spelled canonically, otherwise undefined. */
export function parseWide(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value !== 'string' || value.length > 21 || !DECIMAL.test(value)) return undefined;
  const n = BigInt(value);
  return n > MAX_SAFE || n < -MAX_SAFE ? n : undefined;
}

/** The canonical JSON form of a 64-bit integer. */
export function wideJson(n: bigint): number | string {
  return n > MAX_SAFE || n < -MAX_SAFE ? n.toString() : Number(n);
}

/** Why `value` is not a canonical 64-bit integer (for messages), or undefined when it is one. */
export function wideSpellingProblem(value: unknown): string | undefined {
  if (parseWide(value) !== undefined) return undefined;
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? `${value} is beyond 2^53 - 1, where JSON numbers lose digits: send it as a decimal string`
      : `${value} is not an integer`;
  }
  if (typeof value === 'string' && DECIMAL.test(value)) {
    return `"${value}" is within 2^53 - 1: send it as a JSON number`;
  }
  return undefined;
}
