/**
 * kill -9 in the middle of a stream of orders and payments, on the run's engine (SQLite under
 * `npm test`, PostgreSQL under `npm run test:postgres`): every acknowledged order exists exactly
 * once, every acknowledged payment stuck (order paid, ledger entry written), and no device is both
 * in stock and held, nor held without an order. The child runs the built commerce module
 * (test/support/commerce-crash-worker.mjs; `npm test` builds first).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogService } from '../../src/commerce/catalog.js';
import { createLogger } from '../../src/log.js';
import { sql } from '../../src/store/sql.js';
import { openMigratedEngine, type TestEngine } from '../support/engine.js';

const WORKER = fileURLToPath(new URL('../support/commerce-crash-worker.mjs', import.meta.url));
const STOCK = 300;
const PAID_BEFORE_KILL = 40;
const T0 = Date.now();

describe('commerce survives kill -9 (store engine)', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await openMigratedEngine();
    const db = t.engine;
    const rows = [
      sql`INSERT INTO users (id, email, password_hash, created_at) VALUES ('u1', 'ann@example.com', '!', ${T0})`,
      sql`INSERT INTO partner_applications (id, slug, company, contact_email, website, categories, status, created_at)
          VALUES ('pa1', 'acme', 'Acme', 'ops@acme.test', 'https://acme.test', '["light"]', 'approved', ${T0})`,
      sql`INSERT INTO partners (id, slug, company, contact_email, website, categories, application_id, created_at)
          VALUES ('p1', 'acme', 'Acme', 'ops@acme.test', 'https://acme.test', '["light"]', 'pa1', ${T0})`,
      sql`INSERT INTO partner_contracts (id, partner_id, rate_bp, effective_from, created_at, created_by)
          VALUES ('c1', 'p1', 500, 0, ${T0}, 'op')`,
      sql`INSERT INTO models (id, partner_id, category, created_at) VALUES ('acme.light.crash', 'p1', 'light', ${T0})`,
      sql`INSERT INTO model_versions (model_id, version, state, document, created_at, updated_at)
          VALUES ('acme.light.crash', 1, 'published', '{}', ${T0}, ${T0})`,
      sql`INSERT INTO device_batches (id, partner_id, model_id, model_version, size, created_at)
          VALUES ('b1', 'p1', 'acme.light.crash', 1, ${STOCK}, ${T0})`,
    ];
    for (const row of rows) await db.run(row);
    const devices = Array.from(
      { length: STOCK },
      (_, i) => sql`(${`crash-d${i}`}, 'p1', 'acme.light.crash', 1, 'b1', ${Buffer.alloc(32)}, ${T0})`,
    );
    await db.run(
      sql`INSERT INTO devices (id, partner_id, model_id, model_version, batch_id, secret_hash, created_at)
          VALUES ${sql.join(devices)}`,
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps every acknowledged order and payment, and strands no stock', { timeout: 120_000 }, async () => {
    const catalog = new CatalogService({ store: t.engine, log: createLogger('silent'), now: Date.now });
    const partner = { kind: 'partner' as const, partnerId: 'p1', keyId: 'k1' };
    const sku = await catalog.createSku(partner, {
      modelId: 'acme.light.crash',
      priceMinor: 1000,
      currency: 'EUR',
    });

    const child = spawn(process.execPath, [WORKER, t.database.url, sku.id, '1000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const placed = new Map<string, string>();
    const paid = new Set<string>();
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`fewer than ${PAID_BEFORE_KILL} payments in 90 s`)),
        90_000,
      );
      createInterface({ input: child.stdout }).on('line', (line) => {
        const [what, key, id] = line.split(' ');
        if (what === 'placed' && key && id) placed.set(key, id);
        if (what === 'paid' && id) paid.add(id);
        if (paid.size === PAID_BEFORE_KILL) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        if (paid.size < PAID_BEFORE_KILL) reject(new Error('the worker exited before the kill'));
      });
    });
    expect(await exited).toBe('SIGKILL');

    const db = t.engine;
    // Every acknowledged order exists once, under its Idempotency-Key.
    for (const [key, id] of placed) {
      const row = await db.one<{ order_id: string }>(
        sql`SELECT order_id FROM commerce_idempotency_keys WHERE user_id = 'u1' AND key = ${key}`,
      );
      expect(row?.order_id, key).toBe(id);
    }
    // Every acknowledged payment stuck, with its sale in the ledger.
    for (const id of paid) {
      const order = await db.one<{ status: string }>(
        sql`SELECT status FROM commerce_orders WHERE id = ${id}`,
      );
      expect(order?.status).toBe('paid');
      const sale = await db.one<{ n: number }>(
        sql`SELECT count(*) AS n FROM partner_ledger_entries WHERE order_id = ${id} AND kind = 'sale'`,
      );
      expect(sale?.n).toBe(1);
    }
    // Stock adds up: each device is free, or held by exactly one live order line, never both.
    const stock = await db.one<{
      free: number;
      held: number;
      devices: number;
      orphans: number;
      doubled: number;
    }>(
      sql`SELECT
            (SELECT count(*) FROM commerce_free_devices) AS free,
            (SELECT count(*) FROM commerce_units WHERE released_at IS NULL) AS held,
            (SELECT count(DISTINCT device_id) FROM commerce_units WHERE released_at IS NULL) AS devices,
            (SELECT count(*) FROM commerce_units u WHERE NOT EXISTS
               (SELECT 1 FROM commerce_order_lines l WHERE l.order_id = u.order_id AND l.line_no = u.line_no)) AS orphans,
            (SELECT count(*) FROM commerce_free_devices f JOIN commerce_units u
               ON u.device_id = f.device_id AND u.released_at IS NULL) AS doubled`,
    );
    expect(stock).toMatchObject({ free: STOCK - (stock?.held ?? 0), orphans: 0, doubled: 0 });
    expect(stock?.devices).toBe(stock?.held);
    const orders = await db.one<{ units: number }>(
      sql`SELECT coalesce(sum(l.quantity), 0) AS units FROM commerce_order_lines l
          JOIN commerce_orders o ON o.id = l.order_id WHERE o.status IN ('reserved', 'paid')`,
    );
    expect(orders?.units).toBe(stock?.held);
  });
});
