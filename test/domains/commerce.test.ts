/**
 * Commerce, the ledger and statements on the run's engine (SQLite under `npm test`, PostgreSQL
 * under `npm run test:postgres`): the guarantees of issue 11 held by the database, not by luck.
 * No oversell with 1,000 parallel orders on a stock of 100, one order for 50 concurrent requests
 * carrying one Idempotency-Key, and a paid-then-refunded order reaching the ledger and statement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommerceService } from '../../src/commerce/service.js';
import { DEFAULT_COMMERCE } from '../../src/config.js';
import type { Identity } from '../../src/identity/identity.js';
import { createLogger } from '../../src/log.js';
import { LedgerService } from '../../src/partners/ledger.js';
import { PartnerService } from '../../src/partners/service.js';
import { StatementService } from '../../src/partners/statements.js';
import type { Engine } from '../../src/store/engine.js';
import { runMigrations } from '../../src/store/migration-runner.js';
import { openEngine } from '../../src/store/open.js';
import { sql } from '../../src/store/sql.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';

const T0 = Date.UTC(2030, 0, 15);
const OPERATOR: Identity = { kind: 'operator', tokenId: 'op' };
const BUYER: Identity = { kind: 'user', userId: 'u1', tokenId: 't1', expiresAt: T0 + 3_600_000 };

/** A partner with a published model, a contract at 5 % and a batch of `stock` devices. */
async function seed(db: Engine, modelId: string, stock: number): Promise<void> {
  const batch = `b-${modelId}`;
  await db.run(
    sql`INSERT INTO models (id, partner_id, category, created_at) VALUES (${modelId}, 'p1', 'light', ${T0})`,
  );
  await db.run(
    sql`INSERT INTO model_versions (model_id, version, state, document, created_at, updated_at)
        VALUES (${modelId}, 1, 'published', '{}', ${T0}, ${T0})`,
  );
  await db.run(
    sql`INSERT INTO device_batches (id, partner_id, model_id, model_version, size, created_at)
        VALUES (${batch}, 'p1', ${modelId}, 1, ${stock}, ${T0})`,
  );
  const devices = Array.from(
    { length: stock },
    (_, i) => sql`(${`${modelId}-d${i}`}, 'p1', ${modelId}, 1, ${batch}, ${Buffer.alloc(32)}, ${T0})`,
  );
  await db.run(
    sql`INSERT INTO devices (id, partner_id, model_id, model_version, batch_id, secret_hash, created_at)
        VALUES ${sql.join(devices)}`,
  );
}

describe('commerce on the store engine', () => {
  let t: TestEngine;
  let commerce: CommerceService;
  let statements: StatementService;
  let ledger: LedgerService;
  let db: Engine;
  const now = () => T0;
  beforeAll(async () => {
    t = await openTestEngine();
    // PostgreSQL: 1,000 transactions queue for 20 pooled connections; on a loaded machine the wait
    // can pass the default 10 s pool wait, which would turn orders away before they saw the stock.
    db =
      t.engine.dialect === 'postgres'
        ? await openEngine(t.database.target, { poolSize: 20, connectTimeoutMs: 120_000 })
        : t.engine;
    await runMigrations(db);
    await db.run(
      sql`INSERT INTO users (id, email, password_hash, created_at) VALUES ('u1', 'ann@example.com', '!', ${T0})`,
    );
    await db.run(
      sql`INSERT INTO partner_applications (id, slug, company, contact_email, website, categories, status, created_at)
          VALUES ('pa1', 'acme', 'Acme', 'ops@acme.test', 'https://acme.test', '["light"]', 'approved', ${T0})`,
    );
    await db.run(
      sql`INSERT INTO partners (id, slug, company, contact_email, website, categories, application_id, created_at)
          VALUES ('p1', 'acme', 'Acme', 'ops@acme.test', 'https://acme.test', '["light"]', 'pa1', ${T0})`,
    );
    await db.run(
      sql`INSERT INTO partner_contracts (id, partner_id, rate_bp, effective_from, created_at, created_by)
          VALUES ('c1', 'p1', 500, 0, ${T0}, 'op')`,
    );
    const log = createLogger('silent');
    const partners = new PartnerService({ store: db, log, now });
    ledger = new LedgerService({ store: db, log, now });
    commerce = new CommerceService({
      store: db,
      log,
      now,
      settings: { ...DEFAULT_COMMERCE, sweepIntervalMs: 3_600_000 },
      ledger,
      rateAt: (partnerId, atMs, tx) => partners.rateAt(partnerId, atMs, tx),
      webhookSecret: undefined,
    });
    statements = new StatementService({ store: db, log, now, activations: commerce.activations });
  });
  afterAll(async () => {
    await commerce?.close();
    if (db !== t?.engine) await db?.close();
    await t?.close();
  });

  async function sku(modelId: string, priceMinor: number): Promise<string> {
    const partner: Identity = { kind: 'partner', partnerId: 'p1', keyId: 'k1' };
    return (await commerce.catalog.createSku(partner, { modelId, priceMinor, currency: 'EUR' })).id;
  }

  it('sells exactly 100 devices, each once, to 1,000 parallel orders on a stock of 100', {
    timeout: 120_000,
  }, async () => {
    await seed(db, 'acme.light.rush', 100);
    const skuId = await sku('acme.light.rush', 1000);
    const results = await Promise.allSettled(
      Array.from({ length: 1000 }, (_, i) =>
        commerce.orders.place(BUYER, `rush-${i}`, [{ skuId, quantity: 1 }]),
      ),
    );
    const placed = results.filter((r) => r.status === 'fulfilled');
    expect(placed).toHaveLength(100);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'OUT_OF_STOCK' });
    }
    const units = await db.one<{ n: number; devices: number }>(
      sql`SELECT count(*) AS n, count(DISTINCT device_id) AS devices FROM commerce_units
          WHERE model_id = 'acme.light.rush' AND released_at IS NULL`,
    );
    expect(units).toEqual({ n: 100, devices: 100 });
    const view = await commerce.catalog.sku(OPERATOR, skuId);
    expect(view.stock).toMatchObject({ provisioned: 100, available: 0, reserved: 100, sold: 0 });
  });

  it('places one order for 50 concurrent requests with one Idempotency-Key; the others replay it', async () => {
    await seed(db, 'acme.light.once', 10);
    const skuId = await sku('acme.light.once', 500);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => commerce.orders.place(BUYER, 'same-key', [{ skuId, quantity: 2 }])),
    );
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.body)).size).toBe(1);
    const orders = await db.one<{ n: number }>(
      sql`SELECT count(*) AS n FROM commerce_order_lines WHERE model_id = 'acme.light.once'`,
    );
    expect(orders).toEqual({ n: 1 });
    await expect(commerce.orders.place(BUYER, 'same-key', [{ skuId, quantity: 3 }])).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('books a paid order in the ledger, reverses a refunded line exactly, and sums the statement', async () => {
    await seed(db, 'acme.light.pay', 3);
    const skuId = await sku('acme.light.pay', 1999);
    const placed = await commerce.orders.place(BUYER, 'pay-1', [{ skuId, quantity: 3 }]);
    const order = JSON.parse(placed.body) as { id: string; totalMinor: number };
    const paid = await commerce.payments.apply(
      { id: 'evt-pay-1', type: 'payment.succeeded', orderId: order.id, amountMinor: 5997, currency: 'EUR' },
      T0,
    );
    expect(paid.status).toBe('paid');
    await expect(
      commerce.payments.apply(
        { id: 'evt-pay-1', type: 'payment.succeeded', orderId: order.id, amountMinor: 5997, currency: 'EUR' },
        T0,
      ),
    ).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    const refunded = await commerce.refunds.refund(OPERATOR, order.id, { reason: 'broken' });
    expect(refunded.order.status).toBe('refunded');
    const entries = await ledger.entries(OPERATOR, 'p1', { month: '2030-01' }, { limit: 10 });
    expect(entries.items.map((e) => [e.kind, e.grossMinor, e.commissionMinor])).toEqual([
      ['sale', 5997, 300],
      ['refund', -5997, -300],
    ]);
    const statement = await statements.statement(OPERATOR, 'p1', '2030-01');
    expect(statement.totals).toEqual([
      expect.objectContaining({
        currency: 'EUR',
        grossSalesMinor: 5997,
        refundsMinor: 5997,
        netPayableMinor: 0,
      }),
    ]);
  });
});
