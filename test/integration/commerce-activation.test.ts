import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { monthOf } from '../../src/partners/ledger-month.js';
import { checkInvariants, listSku, payOrder, placeOrder, WEBHOOK_SECRET } from '../support/commerce.js';
import { partnerWithModel, provision } from '../support/devices.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';

describe('sale -> device -> activation', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startHub({ paymentWebhookSecret: WEBHOOK_SECRET });
  });
  afterEach(() => checkInvariants(hub));
  afterAll(() => hub.stop());

  it('lets the buyer claim the devices of a paid order without a pairing code; each first claim is an activation', async () => {
    const { partner, modelId } = await partnerWithModel(hub);
    const provisioned = await provision(hub, partner, modelId, 3);
    const skuId = await listSku(hub, partner, modelId, { priceMinor: 3000 });
    const [buyer, stranger] = await Promise.all([newUser(hub), newUser(hub)]);

    const placed = await placeOrder(hub, buyer.token, [{ skuId, quantity: 2 }]);
    expect(placed.status, placed.text).toBe(201);
    const orderId = String(placed.body['id']);
    const [first] = provisioned;
    // Not paid yet: nobody may claim by order.
    const early = await hub.request('POST', `/v1/devices/${first?.id}/claim`, {
      token: buyer.token,
      body: { orderId },
    });
    expect(early.status).toBe(404);

    await payOrder(hub, placed.body);
    const order = await hub.request('GET', `/v1/orders/${orderId}`, { token: buyer.token });
    const sold = (order.body['lines'] as Array<{ deviceIds: string[] }>)[0]?.deviceIds ?? [];
    expect(sold).toHaveLength(2);

    const theft = await hub.request('POST', `/v1/devices/${sold[0]}/claim`, {
      token: stranger.token,
      body: { orderId },
    });
    expect(theft.status).toBe(404);
    const month = monthOf(Date.now());
    const activated = async () =>
      (await hub.commerce.activations.unitsActivated(partner.partnerId, month)).get('EUR') ?? 0;
    for (const [i, deviceId] of sold.entries()) {
      const claim = await hub.request('POST', `/v1/devices/${deviceId}/claim`, {
        token: buyer.token,
        body: { orderId },
      });
      expect(claim.status, claim.text).toBe(201);
      // Counted once the claim is answered: recorded in the claim's transaction, not after it.
      expect(await activated()).toBe(i + 1);
    }

    // The unsold device claimed with its sticker's pairing code is not a sale's activation.
    const unsold = provisioned.find((d) => !sold.includes(d.id));
    const byCode = await hub.request('POST', `/v1/devices/${unsold?.id}/claim`, {
      token: stranger.token,
      body: { pairingCode: unsold?.pairingCode },
    });
    expect(byCode.status, byCode.text).toBe(201);

    const statement = await hub.request('GET', `/v1/partners/${partner.partnerId}/statements/${month}`, {
      token: partner.key,
    });
    expect(statement.body).toMatchObject({ unitsSold: 2, unitsActivated: 2 });
    expect(statement.body['totals']).toEqual([
      expect.objectContaining({ currency: 'EUR', grossSalesMinor: 6000, unitsSold: 2, unitsActivated: 2 }),
    ]);
    const all = await hub.request('GET', `/v1/statements/${month}`, { token: ADMIN_TOKEN });
    const mine = (all.body['items'] as Array<Record<string, unknown>>).find(
      (s) => s['partnerId'] === partner.partnerId,
    );
    expect(mine).toMatchObject({ unitsActivated: 2 });

    // After a refund the device is no longer the buyer's to claim by order.
    const refund = await hub.request('POST', `/v1/orders/${orderId}/refunds`, {
      token: buyer.token,
      body: {},
    });
    expect(refund.status, refund.text).toBe(201);
    for (const deviceId of sold) expect(await hub.commerce.buyerOf(deviceId)).toBeUndefined();
  });
});
