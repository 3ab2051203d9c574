import { HubError } from '../errors.js';

/**
 * Money is an integer count of a currency's minor units (cents for EUR), never a float; rates are
 * integer basis points (1 bp = 0.01 %). Every amount the hub stores or returns is a safe integer
 * (|x| <= 2^53 - 1); products and quotients are computed with BigInt and checked back into range.
 */
export const MAX_MINOR = Number.MAX_SAFE_INTEGER;
const BP_DENOMINATOR = 10_000n;

export function isSafeMinor(value: number): boolean {
  return Number.isSafeInteger(value);
}

/** A BigInt result back into a number; a value outside the safe range throws VALIDATION_FAILED naming `path`. */
export function toSafeMinor(value: bigint, path: string): number {
  if (value > BigInt(MAX_MINOR) || value < -BigInt(MAX_MINOR)) {
    throw new HubError('VALIDATION_FAILED', `${path} would exceed ${MAX_MINOR} minor units`, {
      errors: [{ path, message: `the amount would exceed ${MAX_MINOR} minor units` }],
    });
  }
  return Number(value);
}

/**
 * numerator / denominator rounded half-to-even ("banker's rounding"): the exact quotient is rounded
 * to the nearest integer, and an exact half goes to the even neighbour. Unbiased: over many sales the
 * halves rounded up and down cancel out. Integer arithmetic only.
 */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const quotient = numerator / denominator; // truncates toward zero
  const remainder = numerator % denominator; // same sign as the numerator
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  if (twice < denominator) return quotient;
  const away = numerator < 0n ? quotient - 1n : quotient + 1n;
  if (twice > denominator) return away;
  return quotient % 2n === 0n ? quotient : away;
}

/** Commission on an amount at a rate: amountMinor x rateBp / 10000, rounded half-to-even. */
export function commissionFor(amountMinor: number, rateBp: number): number {
  if (!isSafeMinor(amountMinor)) throw new RangeError(`amount ${amountMinor} is not a safe integer`);
  if (!Number.isInteger(rateBp) || rateBp < 0 || rateBp > 10_000) throw new RangeError(`bad rate ${rateBp}`);
  // |amount| <= 2^53 and rate <= 10^4, so the result is within the amount: always safe.
  return Number(divideHalfEven(BigInt(amountMinor) * BigInt(rateBp), BP_DENOMINATOR));
}

/** unit x quantity, refused past the safe range (the path names the offending field). */
export function lineAmount(unitMinor: number, quantity: number, path: string): number {
  return toSafeMinor(BigInt(unitMinor) * BigInt(quantity), path);
}

/** Sum of amounts, refused past the safe range. */
export function sumMinor(amounts: readonly number[], path: string): number {
  let total = 0n;
  for (const a of amounts) total += BigInt(a);
  return toSafeMinor(total, path);
}

/**
 * A margin as basis points of the price (margin x 10000 / price), half-to-even; price > 0. null when
 * a cost far above the price puts it outside the safe range.
 */
export function marginBp(marginMinor: number, priceMinor: number): number | null {
  const bp = divideHalfEven(BigInt(marginMinor) * BP_DENOMINATOR, BigInt(priceMinor));
  return bp > BigInt(MAX_MINOR) || bp < -BigInt(MAX_MINOR) ? null : Number(bp);
}
