import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants, listSku, payOrder, placeOrder, WEBHOOK_SECRET } from '../support/commerce.js';
import { claim, type ProvisionedDevice, partnerWithModel, provision } from '../support/devices.js';
import { ADMIN_TOKEN, newUser, startHub, type TestHub } from '../support/hub.js';
import type { OnboardedPartner } from '../support/partners.js';

type User = Awaited<ReturnType<typeof newUser>>;
type Stock = { provisioned: number; available: number; reserved: number; sold: number; claimed: number };

describe('the store never sells a device a user owns', () => {
  let hub: TestHub;
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    hub = await startHub({ paymentWebhookSecret: WEBHOOK_SECRET });
    [alice, bob] = [await newUser(hub), await newUser(hub)];
  });
  afterEach(() => checkInvariants(hub));
  afterAll(() => hub.stop());

  async function shop(count: number) {
    const { partner, modelId } = await partnerWithModel(hub);
    const devices = count > 0 ? await provision(hub, partner, modelId, count) : [];
    const skuId = await listSku(hub, partner, modelId);
    return { partner, modelId, devices, skuId };
  }

  async function stockOf(partner: OnboardedPartner, skuId: string): Promise<Stock> {
    const res = await hub.request('GET', `/v1/skus/${skuId}`, { token: partner.key });
    expect(res.status, res.text).toBe(200);
    return res.body['stock'] as Stock;
  }

  const owns = async (user: User, deviceId: string) =>
    (await hub.request('GET', `/v1/me/devices/${deviceId}`, { token: user.token })).body['role'] === 'owner';

  async function soldDevices(order: Record<string, unknown>): Promise<string[]> {
    const res = await hub.request('GET', `/v1/orders/${String(order['id'])}`, { token: ADMIN_TOKEN });
    return (res.body['lines'] as Array<{ deviceIds: string[] }>).flatMap((l) => l.deviceIds);
  }

  it('takes a device claimed with its pairing code out of stock for good', async () => {
    const { partner, devices, skuId } = await shop(3);
    const [kept] = devices as [ProvisionedDevice];
    await claim(hub, alice.token, kept);
    expect(await stockOf(partner, skuId)).toEqual({
      provisioned: 3,
      available: 2,
      reserved: 0,
      sold: 0,
      claimed: 1,
    });

    // Before: all three were for sale, Alice's among them, and Bob's claim by order took it from her.
    const all = await placeOrder(hub, bob.token, [{ skuId, quantity: 3 }]);
    expect(all.status).toBe(409);
    expect(all.body['code']).toBe('OUT_OF_STOCK');
    const two = await placeOrder(hub, bob.token, [{ skuId, quantity: 2 }]);
    expect(two.status, two.text).toBe(201);
    await payOrder(hub, two.body);
    const sold = await soldDevices(two.body);
    expect(sold).toHaveLength(2);
    expect(sold).not.toContain(kept.id);
    const theft = await hub.request('POST', `/v1/devices/${kept.id}/claim`, {
      token: bob.token,
      body: { orderId: String(two.body['id']) },
    });
    expect(theft.status).toBe(404);
    expect(await owns(alice, kept.id)).toBe(true);

    // Removing it (a factory reset) does not put it back on sale: it is in a user's hands.
    const removed = await hub.request('DELETE', `/v1/devices/${kept.id}/binding`, { token: alice.token });
    expect(removed.status).toBe(200);
    expect(await stockOf(partner, skuId)).toMatchObject({ available: 0, sold: 2, claimed: 1 });
  });

  it('refuses a claim by order of a device someone else owns, with ALREADY_OWNED, and unbinds no one', async () => {
    const { devices, skuId } = await shop(1);
    const [device] = devices as [ProvisionedDevice];
    const order = await placeOrder(hub, bob.token, [{ skuId, quantity: 1 }]);
    expect(order.status, order.text).toBe(201);
    await payOrder(hub, order.body);
    expect(await soldDevices(order.body)).toEqual([device.id]);

    // The box went to Alice (a gift) and she paired it before Bob claimed it by order.
    await claim(hub, alice.token, device);
    const byOrder = await hub.request('POST', `/v1/devices/${device.id}/claim`, {
      token: bob.token,
      body: { orderId: String(order.body['id']) },
    });
    expect(byOrder.status).toBe(409);
    expect(byOrder.body['code']).toBe('ALREADY_OWNED');
    expect(await owns(alice, device.id)).toBe(true);
    expect(await owns(bob, device.id)).toBe(false);

    // Once Alice removes it, the buyer's claim by order works.
    await hub.request('DELETE', `/v1/devices/${device.id}/binding`, { token: alice.token });
    const after = await hub.request('POST', `/v1/devices/${device.id}/claim`, {
      token: bob.token,
      body: { orderId: String(order.body['id']) },
    });
    expect(after.status, after.text).toBe(201);
  });

  it('does not return a refunded device its buyer claimed to stock', async () => {
    const { partner, devices, skuId } = await shop(2);
    const order = await placeOrder(hub, bob.token, [{ skuId, quantity: 1 }]);
    await payOrder(hub, order.body);
    const [deviceId] = await soldDevices(order.body);
    const claimed = await hub.request('POST', `/v1/devices/${deviceId}/claim`, {
      token: bob.token,
      body: { orderId: String(order.body['id']) },
    });
    expect(claimed.status, claimed.text).toBe(201);
    const refund = await hub.request('POST', `/v1/orders/${String(order.body['id'])}/refunds`, {
      token: bob.token,
      body: {},
    });
    expect(refund.status, refund.text).toBe(201);
    // Before: it went back on sale while Bob still owned it.
    expect(await stockOf(partner, skuId)).toEqual({
      provisioned: 2,
      available: 1,
      reserved: 0,
      sold: 0,
      claimed: 1,
    });
    const again = await placeOrder(hub, alice.token, [{ skuId, quantity: 2 }]);
    expect(again.body['code']).toBe('OUT_OF_STOCK');
    expect(devices.map((d) => d.id)).toContain(deviceId);
    expect(await owns(bob, String(deviceId))).toBe(true);
  });

  it('lets a pairing-code claim and a reservation of the same device exclude each other', async () => {
    const { partner, modelId, skuId } = await shop(0);
    // A reserved device cannot be claimed until its order is paid or released.
    const [held] = await provision(hub, partner, modelId, 1);
    if (!held) throw new Error('no device');
    const reserved = await placeOrder(hub, bob.token, [{ skuId, quantity: 1 }]);
    expect(reserved.status, reserved.text).toBe(201);
    const early = await hub.request('POST', `/v1/devices/${held.id}/claim`, {
      token: alice.token,
      body: { pairingCode: held.pairingCode },
    });
    expect(early.status).toBe(409);
    expect(early.body['code']).toBe('INVALID_STATE');
    const cancelled = await hub.request('POST', `/v1/orders/${String(reserved.body['id'])}/cancel`, {
      token: bob.token,
    });
    expect(cancelled.status, cancelled.text).toBe(200);
    await claim(hub, alice.token, held);

    // Racing: one free device, an order for it and a claim of it sent together. Exactly one wins.
    const winners: string[] = [];
    for (let round = 0; round < 8; round++) {
      const [device] = await provision(hub, partner, modelId, 1);
      if (!device) throw new Error('no device');
      expect((await stockOf(partner, skuId)).available).toBe(1);
      const [order, claimed] = await Promise.all([
        placeOrder(hub, bob.token, [{ skuId, quantity: 1 }]),
        hub.request('POST', `/v1/devices/${device.id}/claim`, {
          token: alice.token,
          body: { pairingCode: device.pairingCode },
        }),
      ]);
      const won = [order.status === 201 && 'order', claimed.status === 201 && 'claim'].filter(Boolean);
      expect(won, `${order.text} / ${claimed.text}`).toHaveLength(1);
      winners.push(String(won[0]));
      if (order.status === 201) {
        expect(claimed.body['code']).toBe('INVALID_STATE');
        await payOrder(hub, order.body); // sold: out of the way of the next round
      } else {
        expect(order.body['code']).toBe('OUT_OF_STOCK');
      }
    }
    const stock = await stockOf(partner, skuId);
    expect(stock.available).toBe(0);
    expect(stock.sold + stock.claimed).toBe(9);
  });
});
