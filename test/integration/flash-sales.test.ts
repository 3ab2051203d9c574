import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawOrder } from '../../src/commerce/flash-draw.js';
import { sql } from '../../src/store/sql.js';
import { openShop, WEBHOOK_SECRET } from '../support/commerce.js';
import { onboardDeviceMaker } from '../support/devices.js';
import { buy, createSale, manyUsers, payPurchase, register } from '../support/flash.js';
import { ADMIN_TOKEN, startHub, type TestHub } from '../support/hub.js';

const MIN = 60_000;

describe('flash sales', () => {
  let hub: TestHub;
  let clock = Date.now();

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

  /** A sale whose registration is open now and which opens in 10 minutes. */
  async function newSale(stock: number, extra: Record<string, unknown> = {}) {
    const shop = await openShop(hub, stock, { priceMinor: 9900, currency: 'EUR' });
    const sale = await createSale(
      hub,
      shop.partner,
      shop.skuId,
      { registrationOpensAt: clock, opensAt: clock + 10 * MIN, closesAt: clock + 60 * MIN },
      extra,
    );
    return { shop, sale, saleId: String(sale['id']) };
  }

  it('sells only to registrants, after the opening, up to the cap; then waitlists; replays by key', async () => {
    const { saleId, sale } = await newSale(5, { cap: 3, perUserLimit: 2 });
    expect(sale).toMatchObject({ phase: 'registration', remaining: 3, priceMinor: 9900, currency: 'EUR' });
    const [a, b, c, stranger] = await manyUsers(hub, 4);
    if (!a || !b || !c || !stranger) throw new Error('users');
    for (const u of [a, b, c]) expect((await register(hub, u.token, saleId)).status).toBe(201);
    expect((await register(hub, a.token, saleId)).status).toBe(200);

    const early = await buy(hub, a.token, saleId);
    expect(early.status).toBe(409);
    expect(early.body['detail']).toContain('opens at');

    clock += 10 * MIN;
    expect((await register(hub, stranger.token, saleId)).status).toBe(409);
    const unregistered = await buy(hub, stranger.token, saleId);
    expect(unregistered.status).toBe(409);
    expect(unregistered.body['detail']).toContain('registered');

    const over = await buy(hub, a.token, saleId, { quantity: 3 });
    expect(over.status).toBe(409);
    expect(over.body['errors']).toEqual([
      { path: '/quantity', message: "must be at most the sale's per-user limit of 2" },
    ]);

    const first = await buy(hub, a.token, saleId, { quantity: 2 }, 'key-a');
    expect(first.status, first.text).toBe(201);
    expect(first.body['purchase']).toMatchObject({
      status: 'reserved',
      quantity: 2,
      amountMinor: 19800,
      source: 'open',
    });
    const replay = await buy(hub, a.token, saleId, { quantity: 2 }, 'key-a');
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(first.text);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await buy(hub, a.token, saleId, { quantity: 1 }, 'key-a')).status).toBe(422);

    // b asks for 2 of the 1 left: the cap holds, b waits; c also waits, behind b.
    const bWaits = await buy(hub, b.token, saleId, { quantity: 2 });
    expect(bWaits.status, bWaits.text).toBe(202);
    expect(bWaits.body).toEqual({ outcome: 'waitlisted', saleId, position: 1 });
    const cBuys = await buy(hub, c.token, saleId);
    expect(cBuys.status).toBe(201);
    const view = await hub.request('GET', `/v1/flash-sales/${saleId}`);
    expect(view.body).toMatchObject({ phase: 'open', remaining: 0, reserved: 3, sold: 0 });

    // Deny by default: another user's purchase is not found; another partner cannot see the sale's purchases.
    const purchaseId = String((first.body['purchase'] as { id: string }).id);
    expect((await hub.request('GET', `/v1/flash-purchases/${purchaseId}`, { token: b.token })).status).toBe(
      404,
    );
    const other = await onboardDeviceMaker(hub);
    const foreignSku = await hub.request('POST', '/v1/flash-sales', {
      token: other.key,
      body: {
        skuId: String(sale['skuId']),
        cap: 1,
        mode: 'first_come',
        registrationOpensAt: new Date(clock).toISOString(),
        opensAt: new Date(clock + MIN).toISOString(),
        closesAt: new Date(clock + 2 * MIN).toISOString(),
      },
    });
    expect(foreignSku.status).toBe(404);
    const asUser = await hub.request('POST', `/v1/flash-sales/${saleId}/codes`, {
      token: a.token,
      body: { count: 1 },
    });
    expect(asUser.status).toBe(403);
    expect(
      (await hub.request('GET', `/v1/flash-purchases?saleId=${saleId}`, { token: other.key })).status,
    ).toBe(404);
    expect(
      (await hub.request('POST', `/v1/flash-sales/${saleId}/codes`, { token: other.key, body: { count: 1 } }))
        .status,
    ).toBe(404);
    const mine = await hub.request('GET', '/v1/flash-purchases', { token: a.token });
    expect((mine.body['items'] as unknown[]).length).toBe(1);
  });

  it('a paid purchase becomes a paid order whose devices the buyer claims; an unpaid one goes to the waitlist', async () => {
    const { saleId, shop } = await newSale(2, { cap: 1, paymentWindowMs: 5 * MIN, offerHoldMs: 2 * MIN });
    const [a, b] = await manyUsers(hub, 2);
    if (!a || !b) throw new Error('users');
    await register(hub, a.token, saleId);
    await register(hub, b.token, saleId);
    clock += 10 * MIN;
    const aBuys = await buy(hub, a.token, saleId);
    expect(aBuys.status).toBe(201);
    expect((await buy(hub, b.token, saleId)).body).toMatchObject({ outcome: 'waitlisted', position: 1 });

    // a does not pay: at the end of the window the unit is offered to b, held for the offer time.
    clock += 5 * MIN;
    await hub.flash.sweep();
    const aPurchase = aBuys.body['purchase'] as { id: string; amountMinor: number; currency: string };
    const late = await payPurchase(hub, aPurchase, clock);
    expect(late.status).toBe(409);
    const offers = await hub.request('GET', '/v1/flash-purchases', { token: b.token });
    const [offer] = offers.body['items'] as Array<{
      id: string;
      source: string;
      expiresAt: string;
      amountMinor: number;
      currency: string;
    }>;
    expect(offer).toMatchObject({ source: 'waitlist', status: 'reserved' });
    expect(Date.parse(offer?.expiresAt ?? '')).toBe(clock + 2 * MIN);
    const again = await buy(hub, b.token, saleId);
    expect(again.body).toMatchObject({ outcome: 'reserved', purchase: { id: offer?.id } });

    if (!offer) throw new Error('no offer');
    const paid = await payPurchase(hub, offer, clock);
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body).toMatchObject({ status: 'paid' });
    expect(paid.body['orderId']).toMatch(/^[0-9a-f]{16}$/);
    // A second payment of a paid purchase changes nothing.
    const twice = await payPurchase(hub, offer, clock);
    expect(twice.status).toBe(409);
    expect(twice.body['code']).toBe('INVALID_STATE');

    const order = await hub.request('GET', `/v1/orders/${String(paid.body['orderId'])}`, { token: b.token });
    expect(order.body).toMatchObject({ status: 'paid', totalMinor: 9900 });
    const [line] = order.body['lines'] as Array<{ deviceIds: string[] }>;
    const deviceId = line?.deviceIds[0] ?? '';
    expect(shop.deviceIds).toContain(deviceId);
    const claim = await hub.request('POST', `/v1/devices/${deviceId}/claim`, {
      token: b.token,
      body: { orderId: order.body['id'] },
    });
    expect(claim.status, claim.text).toBeLessThan(300);
    const view = await hub.request('GET', `/v1/flash-sales/${saleId}`);
    expect(view.body).toMatchObject({ remaining: 0, reserved: 0, sold: 1 });
  });

  it('priority codes guarantee one unit each without registration, once', async () => {
    const { saleId, shop } = await newSale(4, { cap: 2 });
    const issued = await hub.request('POST', `/v1/flash-sales/${saleId}/codes`, {
      token: shop.partner.key,
      body: { count: 1 },
    });
    expect(issued.status, issued.text).toBe(201);
    const [code] = issued.body['codes'] as string[];
    expect(issued.body['sale']).toMatchObject({ remaining: 1, codesOutstanding: 1 });
    const tooMany = await hub.request('POST', `/v1/flash-sales/${saleId}/codes`, {
      token: ADMIN_TOKEN,
      body: { count: 2 },
    });
    expect(tooMany.status).toBe(409);

    const [holder, late, buyer] = await manyUsers(hub, 3);
    if (!holder || !late || !buyer || !code) throw new Error('setup');
    await register(hub, buyer.token, saleId);
    clock += 10 * MIN;
    expect((await buy(hub, buyer.token, saleId)).status).toBe(201);
    // The sale is full for everyone else, but the code's unit is still there.
    const redeemed = await buy(hub, holder.token, saleId, { code: code.toLowerCase() });
    expect(redeemed.status, redeemed.text).toBe(201);
    expect(redeemed.body['purchase']).toMatchObject({ source: 'code', quantity: 1 });
    const twice = await buy(hub, late.token, saleId, { code });
    expect(twice.status).toBe(409);
    expect((await buy(hub, late.token, saleId, { code: 'F-NOTACODE' })).status).toBe(404);
    const view = await hub.request('GET', `/v1/flash-sales/${saleId}`);
    expect(view.body).toMatchObject({ remaining: 0, reserved: 2, codesOutstanding: 0 });
  });

  it('draws winners from the committed seed: the hash matches, and anyone recomputes the same winners', async () => {
    const { saleId, sale } = await newSale(3, { cap: 3, mode: 'draw', registrationCap: 8 });
    const users = await manyUsers(hub, 9);
    const statuses = [];
    for (const u of users) statuses.push((await register(hub, u.token, saleId)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 201, 201, 409]);
    expect((await hub.request('GET', `/v1/flash-sales/${saleId}/draw`)).body).toMatchObject({
      seed: null,
      items: [],
    });

    clock += 10 * MIN;
    const answers = await Promise.all(users.slice(0, 8).map((u) => buy(hub, u.token, saleId)));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(3);
    expect(answers.filter((r) => r.status === 202)).toHaveLength(5);

    clock += 50 * MIN; // closed: the seed is revealed
    const draw = await hub.request('GET', `/v1/flash-sales/${saleId}/draw`);
    const seed = String(draw.body['seed']);
    expect(createHash('sha256').update(seed).digest('hex')).toBe(sale['seedHash']);
    const items = draw.body['items'] as Array<{ ticket: string; won: boolean; number: number }>;
    expect(items.map((i) => i.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const expected = drawOrder(
      seed,
      items.map((i) => i.ticket),
    )
      .slice(0, 3)
      .sort();
    expect(
      items
        .filter((i) => i.won)
        .map((i) => i.ticket)
        .sort(),
    ).toEqual(expected);
    // Same seed, same tickets in another order: the same winners.
    expect(
      drawOrder(
        seed,
        [...items].reverse().map((i) => i.ticket),
      )
        .slice(0, 3)
        .sort(),
    ).toEqual(expected);
  });
});

describe('flash sales: abuse limits at the opening', () => {
  let hub: TestHub;
  let clock = Date.now();

  beforeAll(async () => {
    hub = await startHub({
      paymentWebhookSecret: WEBHOOK_SECRET,
      now: () => clock,
      flash: { sweepIntervalMs: 3_600_000, userBurst: 2, addressBurst: 100_000 },
    });
  });
  afterAll(() => hub.stop());

  it('answers 429 with Retry-After past the per-user rate, to that user only', async () => {
    const shop = await openShop(hub, 50, { priceMinor: 500, currency: 'EUR' });
    const sale = await createSale(
      hub,
      shop.partner,
      shop.skuId,
      { registrationOpensAt: clock, opensAt: clock + MIN, closesAt: clock + 60 * MIN },
      { cap: 50 },
    );
    const saleId = String(sale['id']);
    const users = await manyUsers(hub, 20);
    for (const u of users) await register(hub, u.token, saleId);
    clock += MIN;

    const [eager] = users;
    if (!eager) throw new Error('users');
    const tries = [];
    for (let i = 0; i < 3; i++) tries.push(await buy(hub, eager.token, saleId));
    expect(tries.map((r) => r.status)).toEqual([201, 201, 429]);
    expect(tries[2]?.body['code']).toBe('RATE_LIMITED');
    expect(Number(tries[2]?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // The others are not limited by the eager one.
    const others = await Promise.all(users.slice(1).map((u) => buy(hub, u.token, saleId)));
    expect(others.every((r) => r.status === 201)).toBe(true);
  });
});

describe('flash sales: a saturated hub answers a queue position', () => {
  let hub: TestHub;
  let clock = Date.now();

  beforeAll(async () => {
    hub = await startHub({
      paymentWebhookSecret: WEBHOOK_SECRET,
      now: () => clock,
      // One purchase in flight at most: the others of a burst are past it.
      flash: { sweepIntervalMs: 3_600_000, userBurst: 100, addressBurst: 100_000, maxInFlight: 1 },
    });
  });
  afterAll(() => hub.stop());

  it('answers 202 queued with a position and Retry-After past its purchases in flight, creates nothing, and the same key buys on retry', async () => {
    const shop = await openShop(hub, 20, { priceMinor: 500, currency: 'EUR' });
    const sale = await createSale(
      hub,
      shop.partner,
      shop.skuId,
      { registrationOpensAt: clock, opensAt: clock + MIN, closesAt: clock + 60 * MIN },
      { cap: 20 },
    );
    const saleId = String(sale['id']);
    const users = await manyUsers(hub, 20);
    for (const u of users) await register(hub, u.token, saleId);
    clock += MIN;

    // A transaction holding the sale's row keeps the first purchase that reaches it in flight (on
    // SQLite it waits for the writer, on PostgreSQL for the row lock), whatever the I/O rounds: every
    // other buyer finds the hub at its one purchase in flight.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let holding: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const holder = hub.store.transaction(async (tx) => {
      await tx.run(sql`UPDATE flash_sales SET taken = taken WHERE id = ${saleId}`);
      holding();
      await gate;
    });
    await held;
    const keys = users.map(() => randomUUID());
    let settled = 0;
    const pending = users.map((u, i) =>
      buy(hub, u.token, saleId, {}, keys[i]).finally(() => {
        if (++settled === users.length - 1) open();
      }),
    );
    const answers = await Promise.all(pending);
    await holder;
    const queued = answers.filter((a) => a.status === 202);
    expect(queued.length).toBe(users.length - 1);
    for (const a of queued) {
      expect(a.body['outcome']).toBe('queued');
      expect(a.body['position']).toBeGreaterThanOrEqual(1);
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(answers.every((a) => a.status === 201 || a.status === 202)).toBe(true);
    // A queued answer created nothing; the same key buys when tried again.
    const first = await hub.request('GET', `/v1/flash-sales/${saleId}`);
    expect(first.body['reserved']).toBe(answers.length - queued.length);
    for (const [i, a] of answers.entries()) {
      if (a.status !== 202) continue;
      const retry = await buy(hub, users[i]?.token ?? '', saleId, {}, keys[i]);
      expect(retry.status, retry.text).toBe(201);
    }
    const after = await hub.request('GET', `/v1/flash-sales/${saleId}`);
    expect(after.body['reserved']).toBe(20);
  });
});
