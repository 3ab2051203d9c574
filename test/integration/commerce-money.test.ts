import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  checkInvariants,
  listSku,
  openShop,
  placeOrder,
  type Shop,
  WEBHOOK_SECRET,
} from '../support/commerce.js';
import { partnerWithModel, provision } from '../support/devices.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';

/** Raw JSON texts for an amount field: each must be refused with the field named. */
const BAD_AMOUNTS = ['"100"', '1.5', '1e21', 'null', '9007199254740993', 'true', '[]'];

describe('money validation', () => {
  let hub: TestHub;
  let shop: Shop;
  let buyer: Awaited<ReturnType<typeof newUser>>;

  beforeAll(async () => {
    hub = await startHub({ paymentWebhookSecret: WEBHOOK_SECRET });
    shop = await openShop(hub, 2);
    buyer = await newUser(hub);
  });
  afterEach(() => checkInvariants(hub));
  afterAll(() => hub.stop());

  async function expectRefused(
    path: string,
    token: string,
    body: (value: string) => string,
    field: string,
    values: readonly string[],
    headers: Record<string, string> = {},
  ) {
    for (const value of values) {
      const res = await hub.request('POST', path, { token, body: body(value), headers });
      expect(res.status, `${field} = ${value}: ${res.text}`).toBe(400);
      expect(
        res.body.errors?.map((e) => e.path),
        `${field} = ${value}`,
      ).toContain(field);
    }
  }

  it('refuses prices that are not safe positive integers, naming /priceMinor', async () => {
    await expectRefused(
      '/v1/skus',
      shop.partner.key,
      (v) => `{"modelId":"${shop.modelId}","priceMinor":${v},"currency":"EUR"}`,
      '/priceMinor',
      [...BAD_AMOUNTS, '-1', '0'],
    );
  });

  it('refuses BOM costs that are not safe non-negative integers, naming /costMinor', async () => {
    await expectRefused(
      `/v1/models/${shop.modelId}/bom-costs`,
      shop.partner.key,
      (v) => `{"costMinor":${v},"currency":"EUR","effectiveFrom":"2030-01-01"}`,
      '/costMinor',
      [...BAD_AMOUNTS, '-1'],
    );
  });

  it('refuses adjustments that are not non-zero safe integers (negative is fine), naming /amountMinor', async () => {
    await expectRefused(
      `/v1/partners/${shop.partner.partnerId}/ledger/adjustments`,
      ADMIN_TOKEN,
      (v) => `{"amountMinor":${v},"currency":"EUR","reason":"x"}`,
      '/amountMinor',
      [...BAD_AMOUNTS, '0', '-9007199254740992'],
    );
    const negative = await hub.request('POST', `/v1/partners/${shop.partner.partnerId}/ledger/adjustments`, {
      token: ADMIN_TOKEN,
      body: { amountMinor: -1, currency: 'JPY', reason: 'rounding' },
    });
    expect(negative.status, negative.text).toBe(201);
  });

  it('refuses quantities that are not positive integers, naming the line', async () => {
    await expectRefused(
      '/v1/orders',
      buyer.token,
      (v) => `{"lines":[{"skuId":"${shop.skuId}","quantity":${v}}]}`,
      '/lines/0/quantity',
      [...BAD_AMOUNTS, '-1', '0'],
      { 'idempotency-key': 'money-validation' },
    );
  });

  it('refuses currency codes that are not active ISO 4217 codes, naming /currency', async () => {
    await expectRefused(
      '/v1/skus',
      shop.partner.key,
      (v) => `{"modelId":"${shop.modelId}","priceMinor":100,"currency":${v}}`,
      '/currency',
      ['"eur"', '"XYZ"', '"EURO"', '"XTS"', '"DEM"', '978', 'null'],
    );
    // Zero- and three-decimal currencies are listed with their minor units.
    const { partner, modelId } = await partnerWithModel(hub);
    await listSku(hub, partner, modelId, { priceMinor: 1500, currency: 'JPY' });
    const store = await hub.request('GET', '/v1/store/skus');
    const jpy = (store.body['items'] as Array<Record<string, unknown>>).find((s) => s['modelId'] === modelId);
    expect(jpy).toMatchObject({ currency: 'JPY', minorUnits: 0 });
  });

  it('refuses a line whose amount would pass 2^53 - 1 minor units', async () => {
    const { partner, modelId } = await partnerWithModel(hub);
    await provision(hub, partner, modelId, 2);
    const skuId = await listSku(hub, partner, modelId, {
      priceMinor: Number.MAX_SAFE_INTEGER,
      currency: 'EUR',
    });
    const res = await placeOrder(hub, buyer.token, [{ skuId, quantity: 2 }]);
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors?.[0]?.path).toBe('/lines/0/quantity');
    const one = await placeOrder(hub, buyer.token, [{ skuId, quantity: 1 }]);
    expect(one.status).toBe(201);
    expect(one.body['totalMinor']).toBe(Number.MAX_SAFE_INTEGER);
  });
});
