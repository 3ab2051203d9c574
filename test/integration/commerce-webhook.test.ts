import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/commerce/signature.js';
import {
  checkInvariants,
  openShop,
  placeOrder,
  type Shop,
  sendWebhook,
  WEBHOOK_SECRET,
} from '../support/commerce.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';

describe('the payment webhook', () => {
  let hub: TestHub;
  let shop: Shop;
  let buyer: Awaited<ReturnType<typeof newUser>>;

  beforeAll(async () => {
    hub = await startHub({ paymentWebhookSecret: WEBHOOK_SECRET });
    shop = await openShop(hub, 20, { priceMinor: 1250, currency: 'EUR' });
    buyer = await newUser(hub);
  });
  afterEach(() => checkInvariants(hub));
  afterAll(() => hub.stop());

  async function newOrder(quantity = 1) {
    const placed = await placeOrder(hub, buyer.token, [{ skuId: shop.skuId, quantity }]);
    expect(placed.status, placed.text).toBe(201);
    return placed.body;
  }

  /** Everything a webhook could change: the order, the stock, the ledger. */
  async function snapshot(orderId: string) {
    const [order, sku, ledger] = await Promise.all([
      hub.request('GET', `/v1/orders/${orderId}`, { token: ADMIN_TOKEN }),
      hub.request('GET', `/v1/skus/${shop.skuId}`, { token: ADMIN_TOKEN }),
      hub.request('GET', `/v1/partners/${shop.partner.partnerId}/ledger`, { token: ADMIN_TOKEN }),
    ]);
    return { order: order.text, sku: sku.text, ledger: ledger.text };
  }

  function payment(order: Record<string, unknown>, id?: string) {
    return {
      ...(id !== undefined ? { id } : {}),
      orderId: String(order['id']),
      amountMinor: Number(order['totalMinor']),
      currency: String(order['currency']),
    };
  }

  it('applies a valid signed payment once; a replay of its event id is refused and changes nothing', async () => {
    const order = await newOrder(2);
    const event = payment(order, `evt_valid_${String(order['id'])}`);
    const ok = await sendWebhook(hub, event);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({ eventId: event.id, orderId: order['id'], status: 'paid' });

    const before = await snapshot(String(order['id']));
    const replay = await sendWebhook(hub, event);
    expect(replay.status).toBe(409);
    expect(replay.body['code']).toBe('ALREADY_EXISTS');
    expect(await snapshot(String(order['id']))).toEqual(before);
  });

  it('refuses a bad signature, a wrong secret and missing headers with 401, changing nothing', async () => {
    const order = await newOrder();
    const before = await snapshot(String(order['id']));
    const raw = JSON.stringify({ id: 'evt_bad_sig', type: 'payment.succeeded', ...payment(order) });
    const ts = String(Math.floor(Date.now() / 1000));
    const cases = [
      sendWebhook(hub, payment(order), { secret: 'another-secret-0123456789' }),
      sendWebhook(hub, payment(order), { signature: `sha256=${'0'.repeat(64)}` }),
      sendWebhook(hub, payment(order), { signature: 'not-a-signature' }),
      // Signed over different bytes than those sent (re-serialized body): refused.
      hub.request('POST', '/v1/payments/webhook', {
        body: `${raw} `,
        headers: { 'x-ecohub-timestamp': ts, 'x-ecohub-signature': signWebhook(WEBHOOK_SECRET, ts, raw) },
      }),
      hub.request('POST', '/v1/payments/webhook', { body: raw }),
    ];
    for (const res of await Promise.all(cases)) {
      expect(res.status, res.text).toBe(401);
      expect(res.body['code']).toBe('UNAUTHENTICATED');
    }
    expect(await snapshot(String(order['id']))).toEqual(before);
  });

  it('refuses a timestamp more than 5 minutes away, either way, changing nothing', async () => {
    const order = await newOrder();
    const before = await snapshot(String(order['id']));
    for (const offset of [-5 * 60_000 - 2000, 5 * 60_000 + 2000]) {
      const res = await sendWebhook(hub, payment(order), { timestampMs: Date.now() + offset });
      expect(res.status, res.text).toBe(401);
      expect(res.body['detail']).toMatch(/5 minutes/);
    }
    expect(await snapshot(String(order['id']))).toEqual(before);
    // Inside the tolerance it is accepted.
    const ok = await sendWebhook(hub, payment(order), { timestampMs: Date.now() - 4 * 60_000 });
    expect(ok.status, ok.text).toBe(200);
  });

  it('answers 404 for an unknown order and 400 for a wrong amount or currency, changing nothing', async () => {
    const order = await newOrder();
    const before = await snapshot(String(order['id']));
    const unknown = await sendWebhook(hub, { ...payment(order), orderId: '00000000000000ff' });
    expect(unknown.status).toBe(404);
    const wrongAmount = await sendWebhook(hub, { ...payment(order), amountMinor: 1 });
    expect(wrongAmount.status).toBe(400);
    expect(wrongAmount.body.errors?.[0]?.path).toBe('/amountMinor');
    const wrongCurrency = await sendWebhook(hub, { ...payment(order), currency: 'USD' });
    expect(wrongCurrency.status).toBe(400);
    expect(wrongCurrency.body.errors?.[0]?.path).toBe('/currency');
    const floatAmount = await sendWebhook(hub, { ...payment(order), amountMinor: 1250.5 });
    expect(floatAmount.status).toBe(400);
    expect(floatAmount.body.errors?.[0]?.path).toBe('/amountMinor');
    const notJson = await sendWebhook(hub, '{"id": ');
    expect(notJson.status).toBe(400);
    expect(notJson.body['code']).toBe('INVALID_JSON');
    expect(await snapshot(String(order['id']))).toEqual(before);
    // None of the refused event ids were burnt: the payment still goes through.
    expect((await sendWebhook(hub, payment(order))).status).toBe(200);
  });

  it('applies a provider refund of the whole remainder, once', async () => {
    const order = await newOrder(3);
    expect((await sendWebhook(hub, payment(order))).status).toBe(200);
    const partial = await sendWebhook(hub, {
      ...payment(order),
      type: 'refund.succeeded',
      amountMinor: 1250,
    });
    expect(partial.status).toBe(400);
    const refund = await sendWebhook(hub, { ...payment(order), type: 'refund.succeeded' });
    expect(refund.status, refund.text).toBe(200);
    expect(refund.body['status']).toBe('refunded');
    const again = await sendWebhook(hub, { ...payment(order), type: 'refund.succeeded' });
    expect(again.status).toBe(409);
  });
});

describe('the payment webhook without a secret', () => {
  it('answers 503 UNAVAILABLE: payments are not configured', async () => {
    const hub = await startHub();
    try {
      const res = await sendWebhook(hub, { orderId: '0000000000000001', amountMinor: 1, currency: 'EUR' });
      expect(res.status).toBe(503);
      expect(res.body['code']).toBe('UNAVAILABLE');
    } finally {
      await hub.stop();
    }
  });
});
