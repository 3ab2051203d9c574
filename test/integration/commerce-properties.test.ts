import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/store/sql.js';
import {
  checkInvariants,
  expectOnlySafeIntegers,
  listSku,
  payOrder,
  placeOrder,
  WEBHOOK_SECRET,
} from '../support/commerce.js';
import { type ProvisionedDevice, partnerWithModel, provision } from '../support/devices.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';
import type { OnboardedPartner } from '../support/partners.js';

const DAY = 86_400_000;

/** The rounding rule, restated for non-negative amounts: nearest integer, exact halves to even. */
function referenceCommission(amount: bigint, rateBp: bigint): bigint {
  const exact = amount * rateBp;
  const floor = exact / 10_000n;
  const rest = exact - floor * 10_000n;
  if (rest * 2n > 10_000n) return floor + 1n;
  if (rest * 2n < 10_000n) return floor;
  return floor % 2n === 0n ? floor : floor + 1n;
}

type Entry = Record<string, number | string | null>;

describe('commerce properties (fast-check, real hub)', () => {
  let hub: TestHub;
  let now = Date.UTC(2032, 4, 1, 10);
  let buyer: Awaited<ReturnType<typeof newUser>>;
  /** Pairs devices with their pairing codes, as people who got a box elsewhere would. */
  let holder: Awaited<ReturnType<typeof newUser>>;
  const makers: Array<{ partner: OnboardedPartner; modelId: string; devices: ProvisionedDevice[] }> = [];
  const claimed = new Set<string>();

  beforeAll(async () => {
    hub = await startHub({ now: () => now, paymentWebhookSecret: WEBHOOK_SECRET, tokenTtlMs: 3650 * DAY });
    buyer = await newUser(hub);
    holder = await newUser(hub);
    for (let i = 0; i < 3; i++) {
      const maker = await partnerWithModel(hub);
      const devices = await provision(hub, maker.partner, maker.modelId, 130);
      makers.push({ ...maker, devices });
    }
  });
  afterEach(() => checkInvariants(hub));
  afterAll(() => hub.stop());

  const ledgerOf = async (partnerId: string): Promise<Entry[]> =>
    (await hub.request('GET', `/v1/partners/${partnerId}/ledger?limit=1000`, { token: ADMIN_TOKEN })).body[
      'items'
    ] as Entry[];

  it('for random carts, rates and refunds: totals add up, commission follows the rule, the ledger balances', async () => {
    const scenario = fc.record({
      rates: fc.tuple(...makers.map(() => fc.integer({ min: 0, max: 10_000 }))),
      prices: fc.tuple(
        ...makers.map(() =>
          fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 2 ** 40 })),
        ),
      ),
      cart: fc.uniqueArray(
        fc.record({ maker: fc.nat({ max: makers.length - 1 }), quantity: fc.integer({ min: 1, max: 3 }) }),
        {
          minLength: 1,
          maxLength: makers.length,
          selector: (l) => l.maker,
        },
      ),
      refund: fc.oneof(
        fc.constant('none' as const),
        fc.constant('all' as const),
        fc.constant('first' as const),
      ),
      // Devices paired with their codes before the order: they must never be sold.
      pairings: fc.array(fc.record({ maker: fc.nat({ max: makers.length - 1 }), pick: fc.nat() }), {
        maxLength: 2,
      }),
    });

    await fc.assert(
      fc.asyncProperty(scenario, async ({ rates, prices, cart, refund, pairings }) => {
        // New rates from tomorrow, new prices now; then move the clock into tomorrow.
        const tomorrow = new Date(now + DAY).toISOString().slice(0, 10);
        const skus: string[] = [];
        for (const [i, maker] of makers.entries()) {
          const contract = await hub.request('POST', `/v1/partners/${maker.partner.partnerId}/contracts`, {
            token: ADMIN_TOKEN,
            body: { rateBp: rates[i], effectiveFrom: tomorrow },
          });
          expect(contract.status, contract.text).toBe(201);
          skus.push(
            await listSku(hub, maker.partner, maker.modelId, { priceMinor: prices[i] ?? 1, currency: 'EUR' }),
          );
        }
        now += DAY + 3_600_000;

        for (const { maker, pick } of pairings) {
          const free = (makers[maker]?.devices ?? []).filter((d) => !claimed.has(d.id));
          const device = free[pick % free.length];
          if (!device) continue;
          const res = await hub.request('POST', `/v1/devices/${device.id}/claim`, {
            token: holder.token,
            body: { pairingCode: device.pairingCode },
          });
          // A device already sold to the buyer may be paired too (the box changed hands).
          expect(res.status, res.text).toBe(201);
          claimed.add(device.id);
        }

        const placed = await placeOrder(
          hub,
          buyer.token,
          cart.map((l) => ({ skuId: skus[l.maker] ?? '', quantity: l.quantity })),
        );
        expect(placed.status, placed.text).toBe(201);
        expectOnlySafeIntegers(placed.body);
        const lines = placed.body['lines'] as Array<{
          amountMinor: number;
          unitPriceMinor: number;
          quantity: number;
        }>;
        lines.forEach((line, i) => {
          expect(BigInt(line.amountMinor)).toBe(
            BigInt(prices[cart[i]?.maker ?? 0] ?? 0) * BigInt(line.quantity),
          );
        });
        const sum = lines.reduce((s, l) => s + BigInt(l.amountMinor), 0n);
        expect(BigInt(Number(placed.body['totalMinor']))).toBe(sum);

        const before = new Map<string, number>();
        for (const m of makers) before.set(m.partner.partnerId, (await ledgerOf(m.partner.partnerId)).length);
        await payOrder(hub, placed.body, now);
        const orderId = String(placed.body['id']);
        const paid = await hub.request('GET', `/v1/orders/${orderId}`, { token: buyer.token });
        const sold = (paid.body['lines'] as Array<{ deviceIds: string[] }>).flatMap((l) => l.deviceIds);
        for (const deviceId of sold) {
          expect(claimed.has(deviceId), `sold ${deviceId}, which a user had already claimed`).toBe(false);
        }
        if (refund !== 'none') {
          const body = refund === 'all' ? {} : { lines: [0] };
          const res = await hub.request('POST', `/v1/orders/${orderId}/refunds`, {
            token: ADMIN_TOKEN,
            body,
          });
          expect(res.status, res.text).toBe(201);
        }

        for (const [i, line] of lines.entries()) {
          const maker = makers[cart[i]?.maker ?? 0];
          if (!maker) throw new Error('no maker');
          const entries = (await ledgerOf(maker.partner.partnerId)).filter((e) => e['orderId'] === orderId);
          const sale = entries.find((e) => e['kind'] === 'sale');
          const rate = rates[cart[i]?.maker ?? 0] ?? 0;
          expect(sale).toMatchObject({ grossMinor: line.amountMinor, rateBp: rate, quantity: line.quantity });
          expect(BigInt(Number(sale?.['commissionMinor']))).toBe(
            referenceCommission(BigInt(line.amountMinor), BigInt(rate)),
          );
          const refunded = refund === 'all' || (refund === 'first' && i === 0);
          const reversal = entries.find((e) => e['kind'] === 'refund');
          if (refunded) {
            expect(reversal).toMatchObject({
              grossMinor: -line.amountMinor,
              commissionMinor: 0 - Number(sale?.['commissionMinor']) || 0,
            });
          } else {
            expect(reversal).toBeUndefined();
          }
        }
      }),
      { numRuns: 25 },
    );

    // Nothing stored is anything but an integer (SQLite would keep a REAL if one slipped in;
    // PostgreSQL's BIGINT columns refuse one, checked the same way with pg_typeof).
    const type = (column: string) =>
      sql.dialect({
        sqlite: sql`typeof(${sql.raw(column)}) <> 'integer'`,
        postgres: sql`pg_typeof(${sql.raw(column)})::text <> 'bigint'`,
      });
    const stored = await hub.store.many<{ n: number }>(
      sql`SELECT count(*) AS n FROM partner_ledger_entries WHERE ${type('gross_minor')}
            OR ${type('commission_minor')} OR ${type('payable_minor')}
          UNION ALL SELECT count(*) FROM commerce_order_lines WHERE ${type('amount_minor')}
          UNION ALL SELECT count(*) FROM commerce_orders WHERE ${type('total_minor')}`,
    );
    expect(stored.map((r) => r.n)).toEqual([0, 0, 0]);
  }, 60_000);
});
