import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { monthOf } from '../../src/partners/ledger-month.js';
import {
  checkInvariants,
  listSku,
  openShop,
  payOrder,
  placeOrder,
  type Shop,
  sendWebhook,
  WEBHOOK_SECRET,
} from '../support/commerce.js';
import { partnerWithModel, provision } from '../support/devices.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';
import { publishVersion } from '../support/models.js';

describe('orders, payment, fulfilment and refunds', () => {
  let hub: TestHub;
  let shop: Shop;
  let buyer: Awaited<ReturnType<typeof newUser>>;

  beforeAll(async () => {
    hub = await startHub({ paymentWebhookSecret: WEBHOOK_SECRET });
    shop = await openShop(hub, 10, { priceMinor: 1999, currency: 'EUR' });
    buyer = await newUser(hub);
  });
  afterEach(() => checkInvariants(hub));
  afterAll(() => hub.stop());

  it('shows active SKUs with price and availability in the public store', async () => {
    const res = await hub.request('GET', '/v1/store/skus');
    expect(res.status).toBe(200);
    const skus = res.body['items'] as Array<Record<string, unknown>>;
    expect(skus.find((s) => s['id'] === shop.skuId)).toMatchObject({
      modelId: shop.modelId,
      priceMinor: 1999,
      currency: 'EUR',
      minorUnits: 2,
      available: 10,
    });
  });

  it('lists an "S" variant as its own SKU once published; drafts and other partners\' models are refused', async () => {
    const variant = `${shop.partner.slug}.light.bulb1s`;
    const created = await hub.request('POST', `/v1/models/${shop.modelId}/variants`, {
      token: shop.partner.key,
      body: { code: 'bulb1s' },
    });
    expect(created.status, created.text).toBe(201);
    const body = { modelId: variant, priceMinor: 2499, currency: 'EUR' };
    const draft = await hub.request('POST', '/v1/skus', { token: shop.partner.key, body });
    expect(draft.status).toBe(409);
    await publishVersion(hub, shop.partner, variant, 1);
    const sku = await hub.request('POST', '/v1/skus', { token: shop.partner.key, body });
    expect(sku.status, sku.text).toBe(201);
    expect(sku.body).toMatchObject({
      modelId: variant,
      priceMinor: 2499,
      stock: { provisioned: 0, available: 0 },
    });
    const rival = await partnerWithModel(hub);
    const foreign = await hub.request('POST', '/v1/skus', { token: rival.partner.key, body });
    expect(foreign.status).toBe(404);

    // Re-pricing lists a new SKU, which replaces the active one for the model and currency.
    const repriced = await hub.request('POST', '/v1/skus', {
      token: shop.partner.key,
      body: { ...body, priceMinor: 2299 },
    });
    expect(repriced.status).toBe(201);
    const old = await hub.request('GET', `/v1/skus/${String(sku.body['id'])}`, { token: shop.partner.key });
    expect(old.body['active']).toBe(false);
  });

  it('reserves stock, sells the devices on payment and books commission at the contract rate', async () => {
    const placed = await placeOrder(hub, buyer.token, [{ skuId: shop.skuId, quantity: 3 }]);
    expect(placed.status, placed.text).toBe(201);
    expect(placed.body).toMatchObject({
      status: 'reserved',
      currency: 'EUR',
      totalMinor: 5997,
      paidAt: null,
    });
    const lines = placed.body['lines'] as Array<{ deviceIds: string[] }>;
    expect(lines[0]?.deviceIds).toEqual([]);
    const sku = await hub.request('GET', `/v1/skus/${shop.skuId}`, { token: shop.partner.key });
    expect(sku.body['stock']).toEqual({ provisioned: 10, available: 7, reserved: 3, sold: 0, claimed: 0 });

    await payOrder(hub, placed.body);
    const order = await hub.request('GET', `/v1/orders/${String(placed.body['id'])}`, { token: buyer.token });
    expect(order.body['status']).toBe('paid');
    const sold = (order.body['lines'] as Array<{ deviceIds: string[] }>)[0]?.deviceIds ?? [];
    expect(sold).toHaveLength(3);
    for (const id of sold) {
      expect(shop.deviceIds).toContain(id);
      expect(await hub.commerce.buyerOf(id)).toBe(buyer.id);
    }

    const ledger = await hub.request('GET', `/v1/partners/${shop.partner.partnerId}/ledger`, {
      token: shop.partner.key,
    });
    const entries = ledger.body['items'] as Array<Record<string, unknown>>;
    // 5997 x 500 bp = 299.85 -> 300 (half-to-even only matters on exact halves).
    expect(entries.at(-1)).toMatchObject({
      kind: 'sale',
      grossMinor: 5997,
      rateBp: 500,
      commissionMinor: 300,
      payableMinor: 5697,
      quantity: 3,
      statementMonth: monthOf(Date.now()),
    });
  });

  it('refunds per line and whole order once: stock comes back, the ledger reverses exactly', async () => {
    const other = await partnerWithModel(hub);
    await provision(hub, other.partner, other.modelId, 4);
    const otherSku = await listSku(hub, other.partner, other.modelId, { priceMinor: 250, currency: 'EUR' });

    const placed = await placeOrder(hub, buyer.token, [
      { skuId: shop.skuId, quantity: 2 },
      { skuId: otherSku, quantity: 2 },
    ]);
    expect(placed.status, placed.text).toBe(201);
    expect(placed.body['totalMinor']).toBe(2 * 1999 + 2 * 250);
    await payOrder(hub, placed.body);
    const orderId = String(placed.body['id']);

    const partial = await hub.request('POST', `/v1/orders/${orderId}/refunds`, {
      token: buyer.token,
      body: { lines: [1], reason: 'changed my mind' },
    });
    expect(partial.status, partial.text).toBe(201);
    expect(partial.body['refund']).toMatchObject({ lineNos: [1], amountMinor: 500, requestedBy: 'buyer' });
    const again = await hub.request('POST', `/v1/orders/${orderId}/refunds`, {
      token: buyer.token,
      body: { lines: [1] },
    });
    expect(again.status).toBe(409);
    const otherStock = await hub.request('GET', `/v1/skus/${otherSku}`, { token: other.partner.key });
    expect(otherStock.body['stock']).toEqual({
      provisioned: 4,
      available: 4,
      reserved: 0,
      sold: 0,
      claimed: 0,
    });

    const rest = await hub.request('POST', `/v1/orders/${orderId}/refunds`, { token: ADMIN_TOKEN, body: {} });
    expect(rest.status, rest.text).toBe(201);
    expect((rest.body['order'] as Record<string, unknown>)['status']).toBe('refunded');
    const otherLedger = await hub.request('GET', `/v1/partners/${other.partner.partnerId}/ledger`, {
      token: ADMIN_TOKEN,
    });
    const kinds = (otherLedger.body['items'] as Array<Record<string, unknown>>).map((e) => [
      e['kind'],
      e['grossMinor'],
      e['commissionMinor'],
    ]);
    // 500 x 5 % = 25 exactly; the refund reverses the same 25.
    expect(kinds).toEqual([
      ['sale', 500, 25],
      ['refund', -500, -25],
    ]);
  });

  it('refuses mixed currencies, unknown SKUs and more than the stock, naming the field', async () => {
    const usd = await partnerWithModel(hub);
    await provision(hub, usd.partner, usd.modelId, 1);
    const usdSku = await listSku(hub, usd.partner, usd.modelId, { priceMinor: 100, currency: 'USD' });
    const mixed = await placeOrder(hub, buyer.token, [
      { skuId: shop.skuId, quantity: 1 },
      { skuId: usdSku, quantity: 1 },
    ]);
    expect(mixed.status).toBe(400);
    expect(mixed.body.errors?.[0]?.path).toBe('/lines/1/skuId');

    const unknown = await placeOrder(hub, buyer.token, [{ skuId: '0123456789abcdef', quantity: 1 }]);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors?.[0]?.path).toBe('/lines/0/skuId');

    const tooMany = await placeOrder(hub, buyer.token, [{ skuId: usdSku, quantity: 2 }]);
    expect(tooMany.status).toBe(409);
    expect(tooMany.body['code']).toBe('OUT_OF_STOCK');
    expect(tooMany.body.errors?.[0]).toEqual({ path: '/lines/0/quantity', message: 'only 1 available' });
  });

  it('lets the buyer cancel an unpaid order, which releases its stock at once', async () => {
    const placed = await placeOrder(hub, buyer.token, [{ skuId: shop.skuId, quantity: 1 }]);
    const cancel = await hub.request('POST', `/v1/orders/${String(placed.body['id'])}/cancel`, {
      token: buyer.token,
    });
    expect(cancel.status, cancel.text).toBe(200);
    expect(cancel.body['status']).toBe('cancelled');
    const late = await sendWebhook(hub, {
      orderId: String(placed.body['id']),
      amountMinor: 1999,
      currency: 'EUR',
    });
    expect(late.status).toBe(409);
    expect(late.body['code']).toBe('INVALID_STATE');
  });
});
