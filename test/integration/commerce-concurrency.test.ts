import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  checkInvariants,
  keepAliveRequester,
  openShop,
  payOrder,
  placeOrder,
  type Shop,
  WEBHOOK_SECRET,
} from '../support/commerce.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';

describe('orders under concurrency', () => {
  let hub: TestHub;
  let users: Array<Awaited<ReturnType<typeof newUser>>>;

  beforeAll(async () => {
    hub = await startHub({ paymentWebhookSecret: WEBHOOK_SECRET });
    // scrypt makes each registration ~200 ms: a few users place many orders.
    users = await Promise.all(Array.from({ length: 10 }, () => newUser(hub)));
  });
  afterEach(() => checkInvariants(hub));
  afterAll(() => hub.stop());

  it('1,000 parallel attempts on a stock of 100 reserve exactly 100, never more', async () => {
    const shop: Shop = await openShop(hub, 100, { priceMinor: 4900, currency: 'EUR' });
    // All 1,000 are sent at once; they share 100 keep-alive connections.
    const client = keepAliveRequester(hub.httpPort, 100);
    const attempts = Array.from({ length: 1000 }, (_, i) => {
      const user = users[i % users.length];
      if (!user) throw new Error('no user');
      return placeOrder(client, user.token, [{ skuId: shop.skuId, quantity: 1 }], randomUUID());
    });
    const results = await Promise.all(attempts).finally(() => client.close());
    const statuses = new Map<number, number>();
    for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    expect(Object.fromEntries(statuses)).toEqual({ 201: 100, 409: 900 });
    for (const r of results.filter((x) => x.status === 409)) expect(r.body['code']).toBe('OUT_OF_STOCK');

    const reservedDevices = new Set<string>();
    const created = results.filter((r) => r.status === 201);
    expect(new Set(created.map((r) => r.body['id'])).size).toBe(100);
    const sku = await hub.request('GET', `/v1/skus/${shop.skuId}`, { token: ADMIN_TOKEN });
    expect(sku.body['stock']).toEqual({ provisioned: 100, available: 0, reserved: 100, sold: 0, claimed: 0 });

    // Paying all of them sells 100 distinct devices.
    await Promise.all(created.map((r) => payOrder(hub, r.body)));
    for (const r of created) {
      const user = users.find((u) => u.id === r.body['userId']);
      const order = await hub.request('GET', `/v1/orders/${String(r.body['id'])}`, {
        token: user?.token ?? '',
      });
      for (const line of order.body['lines'] as Array<{ deviceIds: string[] }>) {
        for (const id of line.deviceIds) reservedDevices.add(id);
      }
    }
    expect(reservedDevices.size).toBe(100);
    const after = await hub.request('GET', `/v1/skus/${shop.skuId}`, { token: ADMIN_TOKEN });
    expect(after.body['stock']).toEqual({
      provisioned: 100,
      available: 0,
      reserved: 0,
      sold: 100,
      claimed: 0,
    });
  }, 60_000);

  it('50 concurrent requests with one Idempotency-Key make one order and 50 identical responses', async () => {
    const shop = await openShop(hub, 5);
    const user = users[0];
    if (!user) throw new Error('no user');
    const key = randomUUID();
    const lines = [{ skuId: shop.skuId, quantity: 2 }];
    const results = await Promise.all(
      Array.from({ length: 50 }, () => placeOrder(hub, user.token, lines, key)),
    );
    for (const r of results) {
      expect(r.status).toBe(201);
      expect(r.text).toBe(results[0]?.text);
    }
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(49);
    const sku = await hub.request('GET', `/v1/skus/${shop.skuId}`, { token: ADMIN_TOKEN });
    expect(sku.body['stock']).toMatchObject({ reserved: 2, available: 3 });

    // Same key, same body, after the order moved on: still the original response, byte for byte.
    await payOrder(hub, results[0]?.body ?? {});
    const replay = await placeOrder(hub, user.token, lines, key);
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(results[0]?.text);

    // Same key, different body: refused, nothing created.
    const other = await placeOrder(hub, user.token, [{ skuId: shop.skuId, quantity: 1 }], key);
    expect(other.status).toBe(422);
    expect(other.body['code']).toBe('IDEMPOTENCY_KEY_REUSED');
    // Key order and whitespace do not make a different body.
    const reordered = await hub.request('POST', '/v1/orders', {
      token: user.token,
      headers: { 'idempotency-key': key },
      body: '{ "lines": [ { "quantity": 2, "skuId": "' + shop.skuId + '" } ] }',
    });
    expect(reordered.text).toBe(results[0]?.text);

    // Keys are per user: another user's identical key is a new order.
    const stranger = users[1];
    const theirs = await placeOrder(hub, stranger?.token ?? '', lines, key);
    expect(theirs.status).toBe(201);
    expect(theirs.body['id']).not.toBe(results[0]?.body['id']);
    const final = await hub.request('GET', `/v1/skus/${shop.skuId}`, { token: ADMIN_TOKEN });
    expect(final.body['stock']).toEqual({ provisioned: 5, available: 1, reserved: 2, sold: 2, claimed: 0 });
  });

  it('requires the Idempotency-Key header', async () => {
    const shop = await openShop(hub, 1);
    const res = await hub.request('POST', '/v1/orders', {
      token: users[0]?.token ?? '',
      body: { lines: [{ skuId: shop.skuId, quantity: 1 }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: '/idempotency-key', message: 'is required' }]);
  });
});
