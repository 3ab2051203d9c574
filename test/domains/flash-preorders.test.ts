/**
 * Pre-orders and production batches on the run's engine (SQLite under `npm test`, PostgreSQL under
 * `npm run test:postgres`): a deposit sale, a batch held until the BOM cost falls far enough and then
 * released by itself, units given to pre-orders in deposit order, balances, a forfeit and a refund,
 * every deposit in the deposit ledger and the statement, and the margins and their chart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preorderLinksThroughOrders } from '../../src/commerce/flash-fulfil.js';
import { FlashService } from '../../src/commerce/flash-service.js';
import { DEFAULT_FLASH } from '../../src/commerce/flash-settings.js';
import { CommerceService } from '../../src/commerce/service.js';
import { DEFAULT_COMMERCE } from '../../src/config.js';
import type { Identity } from '../../src/identity/identity.js';
import { createLogger } from '../../src/log.js';
import { LedgerService } from '../../src/partners/ledger.js';
import { PartnerService } from '../../src/partners/service.js';
import { StatementService } from '../../src/partners/statements.js';
import type { Engine } from '../../src/store/engine.js';
import { sql } from '../../src/store/sql.js';
import { openMigratedEngine, type TestEngine } from '../support/engine.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2031, 2, 1);
const PARTNER: Identity = { kind: 'partner', partnerId: 'p1', keyId: 'k1' };
const OTHER: Identity = { kind: 'partner', partnerId: 'p2', keyId: 'k2' };
const OPERATOR: Identity = { kind: 'operator', tokenId: 'op' };
const user = (id: string): Identity => ({
  kind: 'user',
  userId: id,
  tokenId: 't',
  expiresAt: Number.MAX_SAFE_INTEGER,
});

describe('pre-orders and production batches on the store engine', () => {
  let t: TestEngine;
  let db: Engine;
  let clock = T0;
  let commerce: CommerceService;
  let flash: FlashService;
  let statements: StatementService;
  let payments = 0;

  async function partner(id: string): Promise<void> {
    await db.run(sql`INSERT INTO partner_applications (id, slug, company, contact_email, website, categories, status, created_at)
      VALUES (${`a-${id}`}, ${id}, ${id}, 'ops@acme.test', 'https://acme.test', '["light"]', 'approved', ${T0})`);
    await db.run(sql`INSERT INTO partners (id, slug, company, contact_email, website, categories, application_id, created_at)
      VALUES (${id}, ${id}, ${id}, 'ops@acme.test', 'https://acme.test', '["light"]', ${`a-${id}`}, ${T0})`);
    await db.run(sql`INSERT INTO partner_contracts (id, partner_id, rate_bp, effective_from, created_at, created_by)
      VALUES (${`c-${id}`}, ${id}, 500, 0, ${T0}, 'op')`);
  }

  async function model(id: string): Promise<void> {
    await db.run(
      sql`INSERT INTO models (id, partner_id, category, created_at) VALUES (${id}, 'p1', 'light', ${T0})`,
    );
    await db.run(sql`INSERT INTO model_versions (model_id, version, state, document, created_at, updated_at)
      VALUES (${id}, 1, 'published', '{}', ${T0}, ${T0})`);
  }

  /** A provisioning batch of `size` devices (what POST /v1/partners/{id}/batches makes). */
  async function provision(modelId: string, batchId: string, size: number): Promise<void> {
    await db.run(sql`INSERT INTO device_batches (id, partner_id, model_id, model_version, size, created_at)
      VALUES (${batchId}, 'p1', ${modelId}, 1, ${size}, ${clock})`);
    const rows = Array.from(
      { length: size },
      (_, i) => sql`(${`${batchId}-d${i}`}, 'p1', ${modelId}, 1, ${batchId}, ${Buffer.alloc(32)}, ${clock})`,
    );
    await db.run(sql`INSERT INTO devices (id, partner_id, model_id, model_version, batch_id, secret_hash, created_at)
      VALUES ${sql.join(rows)}`);
  }

  async function pay(
    purchaseId: string,
    amountMinor: number,
    type: 'payment.succeeded' | 'balance.succeeded',
  ) {
    const event = { id: `evt-${++payments}`, type, purchaseId, amountMinor, currency: 'EUR' } as const;
    return type === 'balance.succeeded' ? flash.preorders.payBalance(event) : flash.payments.pay(event);
  }

  /** A deposit sale of the SKU with registered buyers; each buys one unit and pays the deposit. */
  async function depositSale(skuId: string, buyers: string[], missedBalance: 'forfeit' | 'refund') {
    const sale = await flash.sales.create(PARTNER, {
      skuId,
      cap: buyers.length,
      mode: 'first_come',
      registrationOpensAt: new Date(clock).toISOString(),
      opensAt: new Date(clock + 1000).toISOString(),
      closesAt: new Date(clock + DAY).toISOString(),
      payment: 'deposit',
      depositMinor: 500,
      balanceWindowMs: 2 * DAY,
      missedBalance,
    });
    for (const b of buyers) await flash.sales.register(user(b), sale.id);
    clock += 1000;
    const ids: string[] = [];
    for (const b of buyers) {
      const answer = await flash.buy(user(b), '127.0.0.1', sale.id, `k-${sale.id}-${b}`, { quantity: 1 });
      const body = JSON.parse(answer.body) as { purchase: { id: string; amountMinor: number } };
      expect(body.purchase.amountMinor).toBe(500);
      await pay(body.purchase.id, 500, 'payment.succeeded');
      ids.push(body.purchase.id);
    }
    return { sale, ids };
  }

  beforeAll(async () => {
    t = await openMigratedEngine();
    db = t.engine;
    for (const b of ['ann', 'bob', 'cat', 'dan', 'eve']) {
      await db.run(
        sql`INSERT INTO users (id, email, password_hash, created_at) VALUES (${b}, ${`${b}@x.test`}, '!', ${T0})`,
      );
    }
    await partner('p1');
    await partner('p2');
    await model('acme.phone.one');
    const log = createLogger('silent');
    const now = () => clock;
    const partners = new PartnerService({ store: db, log, now });
    const rateAt = (p: string, at: number, tx: Parameters<typeof partners.rateAt>[2]) =>
      partners.rateAt(p, at, tx);
    const ledger = new LedgerService({ store: db, log, now });
    commerce = new CommerceService({
      store: db,
      log,
      now,
      settings: { ...DEFAULT_COMMERCE, sweepIntervalMs: 3_600_000 },
      ledger,
      rateAt,
      webhookSecret: undefined,
    });
    flash = new FlashService({
      store: db,
      log,
      now,
      settings: { ...DEFAULT_FLASH, sweepIntervalMs: 3_600_000, userBurst: 1000, addressBurst: 100_000 },
      skuOf: (caller, skuId) => commerce.catalog.sku(caller, skuId),
      fulfil: async () => {
        throw new Error('a deposit sale is not fulfilled at the deposit');
      },
      preorderLinks: preorderLinksThroughOrders({ ...commerce, ledger, rateAt, now }),
      rateAt,
    });
    statements = new StatementService({
      store: db,
      log,
      now,
      activations: commerce.activations,
      deposits: flash.preorders,
    });
  });
  afterAll(async () => {
    await flash?.close();
    await commerce?.close();
    await t?.close();
  });

  it('holds a batch until the BOM cost falls far enough, then gives it to pre-orders in deposit order', async () => {
    const skuId = (
      await commerce.catalog.createSku(PARTNER, {
        modelId: 'acme.phone.one',
        priceMinor: 2000,
        currency: 'EUR',
      })
    ).id;
    await commerce.catalog.addBom(PARTNER, 'acme.phone.one', {
      costMinor: 1500,
      currency: 'EUR',
      effectiveFrom: '2031-03-01',
    });
    const { ids } = await depositSale(skuId, ['ann', 'bob', 'cat', 'dan'], 'forfeit');
    const [ann, bob, cat, dan] = ids;
    if (!ann || !bob || !cat || !dan) throw new Error('purchases');
    expect(await flash.preorders.view(user('ann'), ann)).toMatchObject({
      status: 'waiting',
      priceMinor: 2000,
      depositMinor: 500,
      balanceMinor: 1500,
      deposits: [{ kind: 'deposit', amountMinor: 500 }],
    });
    // No unit exists: the balance is not due yet.
    await expect(pay(ann, 1500, 'balance.succeeded')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    // A replayed deposit event changes nothing.
    await expect(
      flash.payments.pay({
        id: 'evt-1',
        type: 'payment.succeeded',
        purchaseId: ann,
        amountMinor: 500,
        currency: 'EUR',
      }),
    ).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });

    // A batch of 3, held until 3000 bp: price 2000 - BOM 1500 - commission 100 = 400 = 2000 bp.
    await provision('acme.phone.one', 'batch-1', 3);
    await commerce.orders.sweep(); // the batch would enter stock here if it were not held
    const { created, batch } = await flash.batches.create(PARTNER, {
      batchId: 'batch-1',
      holdUntilMarginBp: 3000,
    });
    expect(created).toBe(true);
    expect(batch).toMatchObject({
      status: 'held',
      units: 3,
      bomCostMinor: 1500,
      marginNow: {
        priceMinor: 2000,
        bomCostMinor: 1500,
        commissionMinor: 100,
        marginMinor: 400,
        marginBp: 2000,
      },
    });
    await expect(flash.batches.create(OTHER, { batchId: 'batch-1' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(flash.batches.view(OTHER, 'batch-1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const stock = async () => (await commerce.catalog.sku(PARTNER, skuId)).stock.available;
    expect(await stock()).toBe(0);
    await expect(commerce.orders.place(user('eve'), 'eve-1', [{ skuId, quantity: 1 }])).rejects.toMatchObject(
      {
        code: 'OUT_OF_STOCK',
      },
    );
    await flash.sweep();
    expect((await flash.batches.view(PARTNER, 'batch-1')).status).toBe('held');

    // The BOM cost falls to 1200 from tomorrow: 2000 - 1200 - 100 = 700 = 3500 bp. Nothing moves today.
    await commerce.catalog.addBom(PARTNER, 'acme.phone.one', {
      costMinor: 1200,
      currency: 'EUR',
      effectiveFrom: '2031-03-02',
    });
    await flash.sweep();
    expect((await flash.batches.view(PARTNER, 'batch-1')).status).toBe('held');
    clock = Date.UTC(2031, 2, 2, 1);
    await flash.sweep();
    const released = await flash.batches.view(PARTNER, 'batch-1');
    expect(released).toMatchObject({ status: 'released', releaseReason: 'margin', allocated: 3 });
    expect(released.marginNow.marginBp).toBe(3500);

    // Three units for four pre-orders, in deposit order; dan waits for the next batch.
    const views = await Promise.all(
      ids.map((id, i) => flash.preorders.view(user(['ann', 'bob', 'cat', 'dan'][i] ?? ''), id)),
    );
    expect(views.map((v) => v.status)).toEqual(['allocated', 'allocated', 'allocated', 'waiting']);
    expect(views[0]?.balanceDueAt).toBe(new Date(clock + 2 * DAY).toISOString());
    expect(await stock()).toBe(0);

    // ann pays her balance: the order is paid at the full price, commission on 2000 at 5 %.
    await expect(pay(ann, 1499, 'balance.succeeded')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const paid = await pay(ann, 1500, 'balance.succeeded');
    expect(paid).toMatchObject({ status: 'completed' });
    const order = await commerce.orders.order(user('ann'), paid.orderId ?? '');
    expect(order).toMatchObject({ status: 'paid', totalMinor: 2000 });
    expect(order.lines[0]?.deviceIds).toHaveLength(1);
    await expect(flash.preorders.view(user('bob'), ann)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // bob gives up after his unit was built: the sale's rule (forfeit); his unit goes to dan.
    expect(await flash.preorders.cancel(user('bob'), bob)).toMatchObject({ status: 'forfeited' });
    expect((await flash.preorders.view(user('dan'), dan)).status).toBe('allocated');

    // cat and dan miss their windows: forfeited by the sweep; a late balance is refused.
    clock += 2 * DAY + 1;
    await flash.sweep();
    expect((await flash.preorders.view(user('cat'), cat)).status).toBe('forfeited');
    expect((await flash.preorders.view(user('dan'), dan)).status).toBe('forfeited');
    await expect(pay(cat, 1500, 'balance.succeeded')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    // Their units returned to stock (no one is waiting).
    expect(await stock()).toBe(2);

    const month = await statements.statement(PARTNER, 'p1', '2031-03');
    expect(month.deposits).toEqual([
      {
        currency: 'EUR',
        receivedMinor: 2000,
        appliedMinor: 500,
        forfeitedMinor: 1500,
        refundedMinor: 0,
        entries: 8,
      },
    ]);
    // ann's sale at 2000 (commission 100) and three forfeited deposits of 500 (commission 25 each).
    expect(month.totals[0]).toMatchObject({ grossSalesMinor: 3500, commissionMinor: 175, unitsSold: 1 });

    const margins = await flash.margins.model(PARTNER, 'acme.phone.one');
    expect(margins.lifetime).toEqual([
      expect.objectContaining({ currency: 'EUR', unitsSold: 1, revenueMinor: 2000, bomCostMinor: 1500 }),
    ]);
    const svg = await flash.margins.chart(PARTNER, 'acme.phone.one');
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('BOM cost');
    expect(svg).toContain('3 u released');
    await expect(flash.margins.chart(OTHER, 'acme.phone.one')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refunds a deposit cancelled before its unit exists; a partner releases a held batch by hand', async () => {
    await model('acme.phone.two');
    const skuId = (
      await commerce.catalog.createSku(PARTNER, {
        modelId: 'acme.phone.two',
        priceMinor: 3000,
        currency: 'EUR',
      })
    ).id;
    await commerce.catalog.addBom(PARTNER, 'acme.phone.two', {
      costMinor: 2900,
      currency: 'EUR',
      effectiveFrom: '2031-03-01',
    });
    const { ids } = await depositSale(skuId, ['ann', 'bob'], 'refund');
    const [ann, bob] = ids;
    if (!ann || !bob) throw new Error('purchases');
    expect(await flash.preorders.cancel(user('ann'), ann)).toMatchObject({
      status: 'refunded',
      deposits: [
        { kind: 'deposit', amountMinor: 500 },
        { kind: 'refunded', amountMinor: -500 },
      ],
    });
    await expect(flash.preorders.cancel(user('ann'), ann)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(flash.preorders.cancel(user('ann'), bob)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await provision('acme.phone.two', 'batch-2', 2);
    await flash.batches.create(PARTNER, { batchId: 'batch-2', holdUntilMarginBp: 5000 });
    await flash.sweep();
    expect((await flash.batches.view(PARTNER, 'batch-2')).status).toBe('held');
    await expect(flash.batches.release(OTHER, 'batch-2')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await flash.batches.release(PARTNER, 'batch-2')).toMatchObject({
      status: 'released',
      releaseReason: 'partner',
      allocated: 1,
    });
    await expect(flash.batches.release(PARTNER, 'batch-2')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    // bob got a unit; he lets the window pass: refunded by the sale's rule, no ledger revenue.
    clock += 2 * DAY + 1;
    await flash.sweep();
    expect(await flash.preorders.view(OPERATOR, bob)).toMatchObject({ status: 'refunded' });
    const entries = await db.many<{ n: number }>(
      sql`SELECT count(*) AS n FROM partner_ledger_entries WHERE order_id = ${`preorder:${bob}`}`,
    );
    expect(Number(entries[0]?.n)).toBe(0);
    // The deposit ledger is append-only in the database itself.
    await expect(db.run(sql`UPDATE flash_deposit_entries SET amount_minor = 1`)).rejects.toThrow(
      /append-only/,
    );
  });
});
