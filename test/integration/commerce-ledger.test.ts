import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/store/sql.js';
import {
  checkInvariants,
  openShop,
  payOrder,
  placeOrder,
  type Shop,
  sendWebhook,
  WEBHOOK_SECRET,
} from '../support/commerce.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';

const DAY = 86_400_000;

describe('windows, months, statements and isolation (hub clock)', () => {
  let hub: TestHub;
  let now = Date.UTC(2031, 0, 20, 12);
  let shop: Shop;
  let rival: Shop;
  let buyer: Awaited<ReturnType<typeof newUser>>;
  let stranger: Awaited<ReturnType<typeof newUser>>;

  beforeAll(async () => {
    hub = await startHub({
      now: () => now,
      paymentWebhookSecret: WEBHOOK_SECRET,
      tokenTtlMs: 3650 * DAY,
      commerce: { paymentWindowMs: 60_000, returnWindowMs: 7 * DAY, sweepIntervalMs: 10 },
    });
    [shop, rival] = await Promise.all([openShop(hub, 10, { priceMinor: 1000 }), openShop(hub, 3)]);
    [buyer, stranger] = await Promise.all([newUser(hub), newUser(hub)]);
  });
  afterEach(() => checkInvariants(hub));
  afterAll(() => hub.stop());

  const order = async (quantity = 1, who = buyer) => {
    const placed = await placeOrder(hub, who.token, [{ skuId: shop.skuId, quantity }]);
    expect(placed.status, placed.text).toBe(201);
    return placed.body;
  };
  const stock = async () =>
    (await hub.request('GET', `/v1/skus/${shop.skuId}`, { token: ADMIN_TOKEN })).body['stock'] as Record<
      string,
      number
    >;
  const statement = (month: string, token = ADMIN_TOKEN, partnerId = shop.partner.partnerId) =>
    hub.request('GET', `/v1/partners/${partnerId}/statements/${month}`, { token });

  it('releases an unpaid reservation when the payment window passes (the sweep timer), then refuses payment', async () => {
    const placed = await order(2);
    const other = await order(1);
    expect(await stock()).toMatchObject({ reserved: 3 });
    now += 60_001;
    // Past the window but before the sweep ran (nothing yields to the timer here): refused all the same.
    const event = { id: 'evt_late', type: 'payment.succeeded' as const, currency: 'EUR' };
    await expect(
      hub.commerce.payments.apply({ ...event, orderId: String(other['id']), amountMinor: 1000 }, now),
    ).rejects.toThrow(/payment window closed/);
    const deadline = Date.now() + 5000;
    while ((await stock())['reserved'] !== 0) {
      if (Date.now() > deadline) throw new Error('the sweep did not release the reservation within 5 s');
      await new Promise((resolve) => setImmediate(resolve));
    }
    const res = await hub.request('GET', `/v1/orders/${String(placed['id'])}`, { token: buyer.token });
    expect(res.body['status']).toBe('expired');
    const late = await sendWebhook(
      hub,
      { orderId: String(placed['id']), amountMinor: 2000, currency: 'EUR' },
      { timestampMs: now },
    );
    expect(late.status).toBe(409);
    expect(late.body['detail']).toMatch(/expired/);
  });

  it('books commission at the rate in force at payment, and the buyer may refund only within the return window', async () => {
    const contract = await hub.request('POST', `/v1/partners/${shop.partner.partnerId}/contracts`, {
      token: ADMIN_TOKEN,
      body: { rateBp: 1250, effectiveFrom: '2031-01-22' },
    });
    expect(contract.status, contract.text).toBe(201);
    const early = await order(1);
    await payOrder(hub, early, now); // 2031-01-20: 5 %
    now = Date.UTC(2031, 0, 22, 9);
    const later = await order(3);
    await payOrder(hub, later, now); // 2031-01-22: 12.5 %: 3000 x 1250 / 10000 = 375
    const ledger = await hub.request('GET', `/v1/partners/${shop.partner.partnerId}/ledger`, {
      token: ADMIN_TOKEN,
    });
    const sales = (ledger.body['items'] as Array<Record<string, unknown>>).map((e) => [
      e['rateBp'],
      e['commissionMinor'],
    ]);
    expect(sales).toEqual([
      [500, 50],
      [1250, 375],
    ]);

    now += 8 * DAY;
    const tooLate = await hub.request('POST', `/v1/orders/${String(early['id'])}/refunds`, {
      token: buyer.token,
      body: {},
    });
    expect(tooLate.status).toBe(409);
    expect(tooLate.body['detail']).toMatch(/return window/);
    const byOperator = await hub.request('POST', `/v1/orders/${String(early['id'])}/refunds`, {
      token: ADMIN_TOKEN,
      body: { reason: 'goodwill' },
    });
    expect(byOperator.status, byOperator.text).toBe(201);
  });

  it('closes an ended month; later corrections land in the next open month and the closed statement never changes', async () => {
    expect(now).toBeGreaterThan(Date.UTC(2031, 0, 30));
    const open = await hub.request('POST', '/v1/statements/2031-01/close', { token: ADMIN_TOKEN });
    expect(open.status).toBe(409); // January has not ended yet
    now = Date.UTC(2031, 1, 3);
    const january = await statement('2031-01');
    expect(january.body).toMatchObject({ closed: false, unitsSold: 4, unitsRefunded: 1 });
    expect(january.body['totals']).toEqual([
      {
        currency: 'EUR',
        grossSalesMinor: 4000,
        refundsMinor: 1000,
        commissionMinor: 375,
        adjustmentsMinor: 0,
        netPayableMinor: 2625,
        unitsSold: 4,
        unitsRefunded: 1,
        unitsActivated: 0,
        entries: 3,
      },
    ]);
    const closed = await hub.request('POST', '/v1/statements/2031-01/close', { token: ADMIN_TOKEN });
    expect(closed.status, closed.text).toBe(201);
    expect((await hub.request('POST', '/v1/statements/2031-01/close', { token: ADMIN_TOKEN })).status).toBe(
      200,
    );
    const frozen = (await statement('2031-01')).body;
    expect(frozen['closed']).toBe(true);

    // A refund of a January sale and an adjustment, made in February, are February's.
    const ledger = await hub.request('GET', `/v1/partners/${shop.partner.partnerId}/ledger?month=2031-01`, {
      token: ADMIN_TOKEN,
    });
    const januarySale = (ledger.body['items'] as Array<Record<string, unknown>>).find(
      (e) => e['rateBp'] === 1250,
    );
    const refund = await hub.request('POST', `/v1/orders/${String(januarySale?.['orderId'])}/refunds`, {
      token: ADMIN_TOKEN,
      body: { reason: 'late return' },
    });
    expect(refund.status, refund.text).toBe(201);
    const adjustment = await hub.request(
      'POST',
      `/v1/partners/${shop.partner.partnerId}/ledger/adjustments`,
      {
        token: ADMIN_TOKEN,
        body: { amountMinor: -125, currency: 'EUR', reason: 'shipping damage share' },
      },
    );
    expect(adjustment.status, adjustment.text).toBe(201);
    expect(adjustment.body).toMatchObject({
      kind: 'adjustment',
      statementMonth: '2031-02',
      payableMinor: -125,
    });
    expect((await statement('2031-01')).body).toEqual(frozen);
    const february = await statement('2031-02');
    expect(february.body['totals']).toEqual([
      expect.objectContaining({
        refundsMinor: 3000,
        commissionMinor: -375,
        adjustmentsMinor: -125,
        netPayableMinor: -2750,
      }),
    ]);
    const csv = await hub.request(
      'GET',
      `/v1/partners/${shop.partner.partnerId}/statements/2031-02?format=csv`,
      {
        token: shop.partner.key,
      },
    );
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.text.split('\n')[1]).toBe(
      `${shop.partner.partnerId},2031-02,false,EUR,0,3000,-375,-125,-2750,0,3,0`,
    );

    // The schema itself refuses entries dated in a closed month, and any UPDATE or DELETE.
    await expect(
      hub.store.run(sql`UPDATE partner_ledger_entries SET gross_minor = 1 WHERE statement_month = '2031-01'`),
    ).rejects.toThrow(/append-only/);
    await expect(hub.store.run(sql`DELETE FROM partner_ledger_entries`)).rejects.toThrow(/append-only/);
    await expect(hub.store.run(sql`DELETE FROM partner_statement_closures`)).rejects.toThrow(/append-only/);
  });

  it('keeps partners and users apart: another partner or user gets 404, a user may not read statements', async () => {
    const mine = await order(1, stranger);
    expect(
      (await hub.request('GET', `/v1/orders/${String(mine['id'])}`, { token: buyer.token })).status,
    ).toBe(404);
    const list = await hub.request('GET', '/v1/orders', { token: stranger.token });
    expect((list.body['items'] as Array<Record<string, unknown>>).map((o) => o['userId'])).toEqual([
      stranger.id,
    ]);
    const refund = await hub.request('POST', `/v1/orders/${String(mine['id'])}/refunds`, {
      token: buyer.token,
      body: {},
    });
    expect(refund.status).toBe(404);

    const other = rival.partner;
    for (const path of [
      `/v1/partners/${shop.partner.partnerId}/ledger`,
      `/v1/partners/${shop.partner.partnerId}/statements/2031-02`,
      `/v1/skus/${shop.skuId}`,
      `/v1/skus/${shop.skuId}/margins`,
      `/v1/models/${shop.modelId}/bom-costs`,
    ]) {
      expect((await hub.request('GET', path, { token: other.key })).status, path).toBe(404);
      expect((await hub.request('GET', path, { token: buyer.token })).status, path).toBe(403);
    }
    const skus = await hub.request('GET', '/v1/skus', { token: other.key });
    expect((skus.body['items'] as Array<Record<string, unknown>>).map((s) => s['id'])).toEqual([rival.skuId]);
    const margins = await hub.request('GET', '/v1/margins', { token: other.key });
    expect((margins.body['items'] as Array<Record<string, unknown>>).map((s) => s['skuId'])).toEqual([
      rival.skuId,
    ]);
    expect((await hub.request('GET', '/v1/statements/2031-02', { token: other.key })).status).toBe(403);
    expect((await hub.request('GET', '/v1/orders', { token: other.key })).status).toBe(403);
    const all = await hub.request('GET', '/v1/statements/2031-02', { token: ADMIN_TOKEN });
    expect((all.body['items'] as Array<Record<string, unknown>>).map((s) => s['partnerId'])).toEqual([
      shop.partner.partnerId,
    ]);
  });

  it('tracks BOM cost over time and reports gross margin now and per period', async () => {
    const bom = (costMinor: number, effectiveFrom: string) =>
      hub.request('POST', `/v1/models/${shop.modelId}/bom-costs`, {
        token: shop.partner.key,
        body: { costMinor, currency: 'EUR', effectiveFrom },
      });
    expect((await bom(800, '2031-01-01')).status).toBe(201);
    expect((await bom(650, '2031-02-01')).status).toBe(201);
    expect((await bom(600, '2031-03-01')).status).toBe(201);
    const history = await hub.request('GET', `/v1/models/${shop.modelId}/bom-costs`, { token: ADMIN_TOKEN });
    expect((history.body['current'] as Record<string, unknown>)['costMinor']).toBe(650);

    const margins = await hub.request('GET', '/v1/margins', { token: ADMIN_TOKEN });
    const row = (margins.body['items'] as Array<Record<string, unknown>>).find(
      (m) => m['skuId'] === shop.skuId,
    );
    expect(row).toMatchObject({ priceMinor: 1000, marginMinor: 350, marginBp: 3500 });
    const periods = await hub.request('GET', `/v1/skus/${shop.skuId}/margins`, { token: ADMIN_TOKEN });
    expect(periods.body['items']).toEqual([
      {
        from: '2031-01-01',
        until: '2031-02-01',
        costMinor: 800,
        currency: 'EUR',
        marginMinor: 200,
        marginBp: 2000,
      },
      {
        from: '2031-02-01',
        until: '2031-03-01',
        costMinor: 650,
        currency: 'EUR',
        marginMinor: 350,
        marginBp: 3500,
      },
      { from: '2031-03-01', until: null, costMinor: 600, currency: 'EUR', marginMinor: 400, marginBp: 4000 },
    ]);
  });
});
