import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commissionFor, divideHalfEven, lineAmount, marginBp, sumMinor } from '../../src/commerce/money.js';
import { signWebhook, verifyWebhook } from '../../src/commerce/signature.js';

/**
 * Reference rounding, written differently from the implementation: compare twice the distance to
 * the floor with the divisor, using floor division (BigInt division truncates, so fix negatives).
 */
function referenceHalfEven(n: bigint, d: bigint): bigint {
  let floor = n / d;
  if (n % d !== 0n && n < 0n) floor -= 1n;
  const twiceRest = 2n * (n - floor * d);
  if (twiceRest < d) return floor;
  if (twiceRest > d) return floor + 1n;
  return floor % 2n === 0n ? floor : floor + 1n;
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

describe('money arithmetic', () => {
  it('rounds half to even: the worked examples in docs/commerce.md', () => {
    // amount x rate / 10000
    expect(commissionFor(250, 500)).toBe(12); // 12.5 -> 12 (even)
    expect(commissionFor(350, 500)).toBe(18); // 17.5 -> 18 (even)
    expect(commissionFor(1999, 500)).toBe(100); // 99.95 -> 100
    expect(commissionFor(5997, 500)).toBe(300); // 299.85 -> 300
    expect(commissionFor(1, 5000)).toBe(0); // 0.5 -> 0
    expect(commissionFor(3, 5000)).toBe(2); // 1.5 -> 2
    expect(commissionFor(-250, 500)).toBe(-12); // symmetric around zero
    expect(commissionFor(Number.MAX_SAFE_INTEGER, 10_000)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('divideHalfEven agrees with the reference for any integers, and is the nearest integer', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(MAX * 10_000n), max: MAX * 10_000n }),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        (n, d) => {
          const q = divideHalfEven(n, d);
          expect(q).toBe(referenceHalfEven(n, d));
          const distance = 2n * (n - q * d);
          expect(distance <= d && distance >= -d).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('commission of a safe amount at 0..10000 bp is a safe integer within the amount', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.integer({ min: 0, max: 10_000 }), (amount, rate) => {
        const c = commissionFor(amount, rate);
        expect(Number.isSafeInteger(c)).toBe(true);
        expect(c >= 0 && c <= amount).toBe(true);
        expect(BigInt(c)).toBe(referenceHalfEven(BigInt(amount) * BigInt(rate), 10_000n));
      }),
    );
  });

  it('refuses line amounts and sums past 2^53 - 1, naming the path', () => {
    expect(lineAmount(Number.MAX_SAFE_INTEGER, 1, '/x')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => lineAmount(Number.MAX_SAFE_INTEGER, 2, '/lines/0/quantity')).toThrow(/lines\/0\/quantity/);
    expect(() => sumMinor([Number.MAX_SAFE_INTEGER, 1], '/lines')).toThrow(/\/lines/);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2 ** 40 }), { maxLength: 20 }), (amounts) => {
        const exact = amounts.reduce((s, a) => s + BigInt(a), 0n);
        expect(BigInt(sumMinor(amounts, '/'))).toBe(exact);
      }),
    );
  });

  it('expresses margins in basis points, half to even', () => {
    expect(marginBp(350, 1000)).toBe(3500);
    expect(marginBp(1, 3)).toBe(3333);
    expect(marginBp(1, 20_000)).toBe(0); // 0.5 bp -> 0
    expect(marginBp(3, 20_000)).toBe(2); // 1.5 bp -> 2
    expect(marginBp(-Number.MAX_SAFE_INTEGER, 1)).toBeNull();
  });
});

describe('webhook signatures', () => {
  const secret = 'unit-secret-0123456789';
  const raw = Buffer.from('{"id":"evt_1"}');
  const now = 1_900_000_000_000;
  const ts = String(now / 1000);

  it('accept the HMAC of "<timestamp>.<raw body>" within 5 minutes either way', () => {
    const signature = signWebhook(secret, ts, raw);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    for (const skew of [0, 299_000, -299_000]) {
      expect(verifyWebhook({ secret, timestamp: ts, signature, raw, now: now + skew })).toEqual({
        ok: true,
        signedAt: now,
      });
    }
    for (const skew of [301_000, -301_000]) {
      expect(verifyWebhook({ secret, timestamp: ts, signature, raw, now: now + skew }).ok).toBe(false);
    }
  });

  it('refuse other bytes, another secret, another timestamp and malformed headers', () => {
    const signature = signWebhook(secret, ts, raw);
    const check = (over: Partial<Parameters<typeof verifyWebhook>[0]>) =>
      verifyWebhook({ secret, timestamp: ts, signature, raw, now, ...over }).ok;
    expect(check({ raw: Buffer.from('{"id":"evt_1"} ') })).toBe(false);
    expect(check({ secret: 'another-secret-0123' })).toBe(false);
    expect(check({ timestamp: String(now / 1000 + 1) })).toBe(false);
    expect(check({ signature: signature.toUpperCase().replace('SHA256=', 'sha256=') })).toBe(true);
    expect(check({ signature: signature.slice(0, -2) })).toBe(false);
    expect(check({ signature: undefined })).toBe(false);
    expect(check({ timestamp: '1.5e9' })).toBe(false);
  });
});
