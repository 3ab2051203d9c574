import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, isDatabaseError } from '../../src/store/engine.js';
import { migrationsFor, runMigrations } from '../../src/store/migration-runner.js';
import { sql } from '../../src/store/sql.js';
import { openMigratedEngine, openTestEngine, type TestEngine } from '../support/engine.js';

const T = 1_700_000_000_000;
const HASH = Buffer.alloc(32, 7);

/** A gate a transaction waits at, to hold it open while the test looks around. */
function gate() {
  let open!: () => void;
  const closed = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, closed };
}

/**
 * Resolves once another connection waits on a lock in this database. SQLite: at once, since a write
 * made while a transaction is open waits in the engine's queue as soon as it is called.
 */
async function someoneWaitsOnALock(db: Engine): Promise<void> {
  if (db.dialect === 'sqlite') return;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const row = await db.one<{ n: number }>(
      sql`SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if ((row?.n ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error('no connection waited on a lock within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What a write came to: 'ok', or the DatabaseError's kind and message. */
async function outcome(write: Promise<unknown>): Promise<string> {
  try {
    await write;
    return 'ok';
  } catch (err) {
    return isDatabaseError(err) ? `${err.kind}: ${err.message}` : `not a DatabaseError: ${String(err)}`;
  }
}

describe('ownership (0070) and operator tokens (0090) in the database itself', () => {
  let t: TestEngine;
  let db: Engine;
  let n = 0;
  beforeAll(async () => {
    t = await openMigratedEngine({ seed: true });
    db = t.engine;
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A provisioned device in stock, and an order awaiting payment to hold it with. */
  async function freeDevice() {
    n++;
    const device = `free${n}`;
    const order = `order${n}`;
    await db.run(
      sql`INSERT INTO devices (id, partner_id, model_id, model_version, batch_id, secret_hash, created_at)
          VALUES (${device}, 'p1', 'acme.light.bulb1', 1, 'b1', ${HASH}, ${T})`,
    );
    await db.run(
      sql`INSERT INTO commerce_free_devices (model_id, partner_id, device_id) VALUES ('acme.light.bulb1', 'p1', ${device})`,
    );
    await db.run(
      sql`INSERT INTO commerce_orders (id, user_id, status, currency, total_minor, created_at, expires_at)
          VALUES (${order}, 'u1', 'reserved', 'EUR', 1999, ${T}, ${T + 60_000})`,
    );
    return { device, order };
  }
  const claim = (device: string, at = T + n) =>
    sql`INSERT INTO device_bindings (device_id, user_id, role, created_at) VALUES (${device}, 'u1', 'owner', ${at})`;
  const reserve = (device: string, order: string) =>
    sql`INSERT INTO commerce_units (device_id, order_id, line_no, model_id, state, reserved_at)
        VALUES (${device}, ${order}, 0, 'acme.light.bulb1', 'reserved', ${T})`;
  const takeFree = (device: string) =>
    sql`DELETE FROM commerce_free_devices WHERE device_id = ${device} RETURNING device_id`;
  const inStock = async (device: string) =>
    (await db.many(sql`SELECT 1 AS x FROM commerce_free_devices WHERE device_id = ${device}`)).length === 1;

  it('takes a claimed device out of stock for good, remembering the first claim', async () => {
    const { device } = await freeDevice();
    await db.run(claim(device, T + 5));
    expect(await inStock(device)).toBe(false);
    await db.run(sql`DELETE FROM device_bindings WHERE device_id = ${device}`);
    await db.run(claim(device, T + 9));
    expect(await db.many(sql`SELECT * FROM commerce_claimed_devices WHERE device_id = ${device}`)).toEqual([
      { model_id: 'acme.light.bulb1', partner_id: 'p1', device_id: device, claimed_at: T + 5 },
    ]);
    // Members do not claim.
    const other = await freeDevice();
    await db.run(
      sql`INSERT INTO device_bindings (device_id, user_id, role, created_at) VALUES (${other.device}, 'u1', 'member', ${T})`,
    );
    expect(await inStock(other.device)).toBe(true);
  });

  it('refuses to claim a device an unpaid order holds, and to sell a claimed one', async () => {
    const held = await freeDevice();
    await db.run(takeFree(held.device));
    await db.run(reserve(held.device, held.order));
    expect(await outcome(db.run(claim(held.device)))).toMatch(
      /^refused: .*the device is reserved for an order/,
    );
    const owned = await freeDevice();
    await db.run(claim(owned.device));
    expect(await outcome(db.run(reserve(owned.device, owned.order)))).toMatch(
      /^refused: .*a claimed device cannot be sold/,
    );
  });

  it('lets exactly one of a sale and a claim racing for one device win, without a deadlock (sale first)', async () => {
    const { device, order } = await freeDevice();
    const taken = gate();
    const go = gate();
    const sale = db.transaction(async (tx) => {
      expect((await tx.run(takeFree(device))).changes).toBe(1);
      taken.open();
      await go.closed;
      await tx.run(reserve(device, order));
    });
    await taken.closed;
    const claiming = outcome(db.run(claim(device)));
    await someoneWaitsOnALock(db);
    go.open();
    await sale;
    expect(await claiming).toMatch(/^refused: .*the device is reserved for an order/);
    expect(await db.many(sql`SELECT user_id FROM device_bindings WHERE device_id = ${device}`)).toEqual([]);
  });

  it('lets exactly one of a claim and a sale racing for one device win (claim first)', async () => {
    const { device, order } = await freeDevice();
    const claimed = gate();
    const go = gate();
    const claiming = db.transaction(async (tx) => {
      await tx.run(claim(device));
      claimed.open();
      await go.closed;
    });
    await claimed.closed;
    // A sale that did not take the device from stock (the stock row is the claim's now): the
    // triggers alone must stop it.
    const sale = outcome(db.run(reserve(device, order)));
    await someoneWaitsOnALock(db);
    go.open();
    await claiming;
    expect(await sale).toMatch(/^refused: .*a claimed device cannot be sold/);
    expect(await inStock(device)).toBe(false);
  });

  it('matches share invitations by email whatever its case', async () => {
    expect(
      await outcome(
        db.run(sql`INSERT INTO device_share_invitations (device_id, email, invited_by, created_at)
                   VALUES ('d1', 'BOB@example.COM', 'u1', ${T})`),
      ),
    ).toMatch(/^unique:/);
    expect(
      await db.many(sql`SELECT device_id FROM device_share_invitations WHERE email = ${'bob@EXAMPLE.com'}`),
    ).toEqual([{ device_id: 'd1' }]);
  });

  it("keeps where an operator token came from: 'cli' unless told, one of four sources", async () => {
    await db.run(
      sql`INSERT INTO admin_tokens (id, secret_hash, label, created_at) VALUES ('t9', ${HASH}, 'x', ${T})`,
    );
    expect(await db.one(sql`SELECT source, last_used_at FROM admin_tokens WHERE id = 't9'`)).toEqual({
      source: 'cli',
      last_used_at: null,
    });
    expect(
      await outcome(
        db.run(sql`INSERT INTO admin_tokens (id, secret_hash, label, created_at, source)
                   VALUES ('t10', ${HASH}, 'x', ${T}, 'other')`),
      ),
    ).toMatch(/^check:/);
  });
});

describe('upgrading a database with data from 0060', () => {
  const open: TestEngine[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });

  it('takes devices claimed or activated before 0070 out of stock, drops orphaned desired values, labels token sources', async () => {
    const t = await openTestEngine();
    open.push(t);
    const db = t.engine;
    await runMigrations(
      db,
      migrationsFor(db).filter((m) => m.version <= 60),
    );
    const device = (id: string) =>
      sql`INSERT INTO devices (id, partner_id, model_id, model_version, batch_id, secret_hash, created_at)
          VALUES (${id}, 'p1', 'acme.light.bulb1', 1, 'b1', ${HASH}, ${T})`;
    const stock = (id: string) =>
      sql`INSERT INTO commerce_free_devices (model_id, partner_id, device_id) VALUES ('acme.light.bulb1', 'p1', ${id})`;
    const rows = [
      sql`INSERT INTO users (id, email, password_hash, created_at) VALUES ('u1', 'ann@example.com', 'x', ${T})`,
      sql`INSERT INTO partner_applications (id, slug, company, contact_email, website, categories, status, created_at)
          VALUES ('pa1', 'acme', 'Acme', 'ops@acme.test', 'https://acme.test', '["light"]', 'approved', ${T})`,
      sql`INSERT INTO partners (id, slug, company, contact_email, website, categories, application_id, created_at)
          VALUES ('p1', 'acme', 'Acme', 'ops@acme.test', 'https://acme.test', '["light"]', 'pa1', ${T})`,
      sql`INSERT INTO models (id, partner_id, category, created_at) VALUES ('acme.light.bulb1', 'p1', 'light', ${T})`,
      sql`INSERT INTO model_versions (model_id, version, state, document, created_at, updated_at)
          VALUES ('acme.light.bulb1', 1, 'published', '{}', ${T}, ${T})`,
      sql`INSERT INTO device_batches (id, partner_id, model_id, model_version, size, created_at)
          VALUES ('b1', 'p1', 'acme.light.bulb1', 1, 3, ${T})`,
      device('owned'),
      device('activated'),
      device('stock'),
      stock('owned'),
      stock('activated'),
      stock('stock'),
      sql`INSERT INTO device_bindings (device_id, user_id, role, created_at) VALUES ('owned', 'u1', 'owner', ${T + 1})`,
      sql`INSERT INTO commerce_orders (id, user_id, status, currency, total_minor, created_at, expires_at)
          VALUES ('o1', 'u1', 'paid', 'EUR', 1999, ${T}, ${T + 1})`,
      sql`INSERT INTO commerce_activations (device_id, order_id, line_no, partner_id, user_id, currency, activated_at, statement_month)
          VALUES ('activated', 'o1', 0, 'p1', 'u1', 'EUR', ${T + 2}, '2023-11')`,
      sql`INSERT INTO device_desired (device_id, property, value, set_at, set_by) VALUES ('owned', 'on', 'true', ${T}, 'u1')`,
      sql`INSERT INTO device_desired (device_id, property, value, set_at, set_by) VALUES ('stock', 'on', 'true', ${T}, 'u1')`,
      sql`INSERT INTO admin_tokens (id, secret_hash, label, created_at) VALUES ('env', ${HASH}, 'env', ${T})`,
      sql`INSERT INTO admin_tokens (id, secret_hash, label, created_at) VALUES ('a1', ${HASH}, 'bootstrap', ${T})`,
      sql`INSERT INTO admin_tokens (id, secret_hash, label, created_at) VALUES ('a2', ${HASH}, 'deploy', ${T})`,
    ];
    for (const row of rows) await db.run(row);

    const result = await runMigrations(db);
    expect(result.applied).toEqual(
      migrationsFor(db)
        .filter((m) => m.version > 60)
        .map((m) => `${m.version}-${m.name}`),
    );
    expect(
      await db.many(sql`SELECT device_id, claimed_at FROM commerce_claimed_devices ORDER BY device_id`),
    ).toEqual([
      { device_id: 'activated', claimed_at: T + 2 },
      { device_id: 'owned', claimed_at: T + 1 },
    ]);
    expect(await db.many(sql`SELECT device_id FROM commerce_free_devices`)).toEqual([{ device_id: 'stock' }]);
    expect(await db.many(sql`SELECT device_id FROM device_desired`)).toEqual([{ device_id: 'owned' }]);
    expect(await db.many(sql`SELECT id, source FROM admin_tokens ORDER BY id`)).toEqual([
      { id: 'a1', source: 'bootstrap' },
      { id: 'a2', source: 'cli' },
      { id: 'env', source: 'env' },
    ]);
  });
});
