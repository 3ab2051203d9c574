/**
 * Pre-order -> production batch -> balance -> claim -> activation over HTTP, with the deposits and
 * the forfeit in the partner's statement, the held batch released by itself once the BOM cost has
 * fallen, and the margin chart served as an SVG image to its partner only.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/commerce/signature.js';
import { listSku, WEBHOOK_SECRET } from '../support/commerce.js';
import { partnerWithModel } from '../support/devices.js';
import { buy, createSale, manyUsers, register } from '../support/flash.js';
import { ADMIN_TOKEN, startHub, type TestHub } from '../support/hub.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describe('pre-orders paid by deposit, batches released by margin (HTTP)', () => {
  let hub: TestHub;
  let clock = Date.UTC(2031, 2, 1, 12);

  beforeAll(async () => {
    hub = await startHub({
      paymentWebhookSecret: WEBHOOK_SECRET,
      now: () => clock,
      flash: {
        sweepIntervalMs: 3_600_000,
        userBurst: 1000,
        addressBurst: 100_000,
        addressRatePerSec: 100_000,
      },
    });
  });
  afterAll(() => hub.stop());

  function webhook(type: string, purchaseId: string, amountMinor: number) {
    const raw = JSON.stringify({ id: `evt_${randomUUID()}`, type, purchaseId, amountMinor, currency: 'EUR' });
    const timestamp = String(Math.floor(clock / 1000));
    return hub.request('POST', '/v1/flash-payments/webhook', {
      body: raw,
      headers: {
        'x-ecohub-timestamp': timestamp,
        'x-ecohub-signature': signWebhook(WEBHOOK_SECRET, timestamp, raw),
      },
    });
  }

  it('pre-order, held batch, release by falling BOM, balance, claim and activation; deposits in the statement', async () => {
    const { partner, modelId } = await partnerWithModel(hub);
    const other = await partnerWithModel(hub);
    const skuId = await listSku(hub, partner, modelId, { priceMinor: 20000, currency: 'EUR' });
    const bom = (costMinor: number, effectiveFrom: string) =>
      hub.request('POST', `/v1/models/${modelId}/bom-costs`, {
        token: partner.key,
        body: { costMinor, currency: 'EUR', effectiveFrom },
      });
    expect((await bom(16000, '2031-03-01')).status).toBe(201);

    const refused = await hub.request('POST', '/v1/flash-sales', {
      token: partner.key,
      body: {
        skuId,
        cap: 2,
        mode: 'first_come',
        payment: 'deposit',
        registrationOpensAt: new Date(clock).toISOString(),
        opensAt: new Date(clock + MIN).toISOString(),
        closesAt: new Date(clock + DAY).toISOString(),
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body['errors']).toEqual([
      { path: '/depositMinor', message: 'is required when payment is deposit' },
      { path: '/missedBalance', message: 'is required when payment is deposit: forfeit or refund' },
    ]);
    const sale = await createSale(
      hub,
      partner,
      skuId,
      { registrationOpensAt: clock, opensAt: clock + MIN, closesAt: clock + DAY },
      { cap: 2, payment: 'deposit', depositMinor: 5000, balanceWindowMs: 3 * DAY, missedBalance: 'forfeit' },
    );
    expect(sale).toMatchObject({ payment: 'deposit', depositMinor: 5000, missedBalance: 'forfeit' });
    const saleId = String(sale['id']);
    const [ann, bob] = await manyUsers(hub, 2);
    if (!ann || !bob) throw new Error('users');
    for (const u of [ann, bob]) await register(hub, u.token, saleId);
    clock += MIN;
    const purchases: string[] = [];
    for (const u of [ann, bob]) {
      const res = await buy(hub, u.token, saleId);
      expect(res.status, res.text).toBe(201);
      const purchase = res.body['purchase'] as { id: string; amountMinor: number };
      expect(purchase.amountMinor).toBe(5000);
      const paid = await webhook('payment.succeeded', purchase.id, 5000);
      expect(paid.status, paid.text).toBe(200);
      expect(paid.body).toMatchObject({ status: 'paid', orderId: null });
      purchases.push(purchase.id);
    }
    const [annId, bobId] = purchases as [string, string];
    const mine = await hub.request('GET', '/v1/flash-preorders', { token: ann.token });
    expect(mine.body['items']).toEqual([
      expect.objectContaining({ id: annId, status: 'waiting', depositMinor: 5000, balanceMinor: 15000 }),
    ]);
    expect((await hub.request('GET', `/v1/flash-preorders/${annId}`, { token: bob.token })).status).toBe(404);

    // The partner builds a batch of 2 at a BOM of 16000: held until 2500 bp of margin.
    const made = await hub.request('POST', '/v1/device-batches', {
      token: partner.key,
      body: { modelId, version: 1, count: 2 },
    });
    expect(made.status, made.text).toBe(201);
    const batchId = String((made.body['batch'] as { id: string }).id);
    const devices = made.body['devices'] as Array<{ id: string }>;
    const notYours = await hub.request('POST', '/v1/production-batches', {
      token: other.partner.key,
      body: { batchId },
    });
    expect(notYours.status).toBe(404);
    const held = await hub.request('POST', '/v1/production-batches', {
      token: partner.key,
      body: { batchId, holdUntilMarginBp: 2500 },
    });
    expect(held.status, held.text).toBe(201);
    // 20000 - 16000 - 1000 commission (5 %) = 3000 = 1500 bp.
    expect(held.body).toMatchObject({ status: 'held', bomCostMinor: 16000, marginNow: { marginBp: 1500 } });
    const store = await hub.request('GET', '/v1/store/skus');
    const listed = (store.body['items'] as Array<{ id: string; available: number }>).find(
      (s) => s.id === skuId,
    );
    expect(listed?.available).toBe(0);

    // The BOM falls to 14000 from the 3rd: 20000 - 14000 - 1000 = 5000 = 2500 bp. The sweep releases it.
    expect((await bom(14000, '2031-03-03')).status).toBe(201);
    await hub.flash.sweep();
    expect(
      (await hub.request('GET', `/v1/production-batches/${batchId}`, { token: partner.key })).body,
    ).toMatchObject({
      status: 'held',
    });
    clock = Date.UTC(2031, 2, 3, 1);
    await hub.flash.sweep();
    const released = await hub.request('GET', `/v1/production-batches/${batchId}`, { token: partner.key });
    expect(released.body).toMatchObject({ status: 'released', releaseReason: 'margin', allocated: 2 });

    // ann pays her balance and claims her device by order: the activation of a sale.
    const annView = await hub.request('GET', `/v1/flash-preorders/${annId}`, { token: ann.token });
    expect(annView.body).toMatchObject({ status: 'allocated', batchId });
    expect((await webhook('balance.succeeded', annId, 14999)).status).toBe(400);
    const balance = await webhook('balance.succeeded', annId, 15000);
    expect(balance.status, balance.text).toBe(200);
    expect(balance.body).toMatchObject({ status: 'completed' });
    const orderId = String(balance.body['orderId']);
    const order = await hub.request('GET', `/v1/orders/${orderId}`, { token: ann.token });
    expect(order.body).toMatchObject({ status: 'paid', totalMinor: 20000 });
    const deviceId = (order.body['lines'] as Array<{ deviceIds: string[] }>)[0]?.deviceIds[0] ?? '';
    expect(devices.map((d) => d.id)).toContain(deviceId);
    const claim = await hub.request('POST', `/v1/devices/${deviceId}/claim`, {
      token: ann.token,
      body: { orderId },
    });
    expect(claim.status, claim.text).toBeLessThan(300);

    // bob lets his window pass: the deposit is forfeited (the sale's rule).
    clock += 3 * DAY + 1;
    await hub.flash.sweep();
    const bobView = await hub.request('GET', `/v1/flash-preorders/${bobId}`, { token: bob.token });
    expect(bobView.body).toMatchObject({ status: 'forfeited' });

    const statement = await hub.request('GET', `/v1/partners/${partner.partnerId}/statements/2031-03`, {
      token: partner.key,
    });
    expect(statement.status, statement.text).toBe(200);
    expect(statement.body['deposits']).toEqual([
      {
        currency: 'EUR',
        receivedMinor: 10000,
        appliedMinor: 5000,
        forfeitedMinor: 5000,
        refundedMinor: 0,
        entries: 4,
      },
    ]);
    // ann's sale (20000, commission 1000) and bob's forfeited deposit (5000, commission 250).
    expect(statement.body['totals']).toEqual([
      expect.objectContaining({
        grossSalesMinor: 25000,
        commissionMinor: 1250,
        unitsSold: 1,
        unitsActivated: 1,
      }),
    ]);

    const margins = await hub.request('GET', `/v1/models/${modelId}/batch-margins`, { token: partner.key });
    expect(margins.body).toMatchObject({
      lifetime: [
        {
          currency: 'EUR',
          unitsSold: 1,
          revenueMinor: 20000,
          commissionMinor: 1000,
          bomCostMinor: 16000,
          marginMinor: 3000,
        },
      ],
      links: { chart: `/v1/models/${modelId}/margin-chart.svg` },
    });
    const chart = await hub.request('GET', `/v1/models/${modelId}/margin-chart.svg`, { token: partner.key });
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toContain('image/svg+xml');
    expect(chart.text).toContain('<svg');
    expect(
      (await hub.request('GET', `/v1/models/${modelId}/margin-chart.svg`, { token: ADMIN_TOKEN })).status,
    ).toBe(200);
    expect(
      (await hub.request('GET', `/v1/models/${modelId}/margin-chart.svg`, { token: other.partner.key }))
        .status,
    ).toBe(404);
    expect(
      (await hub.request('GET', `/v1/models/${modelId}/margin-chart.svg`, { token: ann.token })).status,
    ).toBe(403);
    expect((await hub.request('GET', `/v1/models/${modelId}/margin-chart.svg`)).status).toBe(401);
  });
});
