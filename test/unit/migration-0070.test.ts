import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/store/engine.js';
import { runMigrations } from '../../src/store/migration-runner.js';
import { migrations } from '../../src/store/migrations/index.js';
import { sql } from '../../src/store/sql.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';

/** A database as 0060 left it, with rows the old code could write (foreign keys off: only these tables matter). */
async function before0070(db: Engine): Promise<void> {
  await runMigrations(
    db,
    migrations.filter((m) => m.version <= 60),
  );
  await db.exec(`
    PRAGMA foreign_keys = OFF;
    INSERT INTO device_batches (id, partner_id, model_id, model_version, size, created_at)
      VALUES ('b1', 'p1', 'acme.light.bulb1', 1, 4, 1);
    INSERT INTO devices (id, partner_id, model_id, model_version, batch_id, secret_hash, created_at)
      VALUES ('d1', 'p1', 'acme.light.bulb1', 1, 'b1', x'00', 1), ('d2', 'p1', 'acme.light.bulb1', 1, 'b1', x'00', 1),
             ('d3', 'p1', 'acme.light.bulb1', 1, 'b1', x'00', 1), ('d4', 'p1', 'acme.light.bulb1', 1, 'b1', x'00', 1);
    INSERT INTO commerce_stocked_batches (batch_id, stocked_at) VALUES ('b1', 2);
    INSERT INTO commerce_free_devices (model_id, partner_id, device_id)
      VALUES ('acme.light.bulb1', 'p1', 'd1'), ('acme.light.bulb1', 'p1', 'd2'), ('acme.light.bulb1', 'p1', 'd3'),
             ('acme.light.bulb1', 'p1', 'd4');
    -- d1 is owned (the old code left it in stock); d2 was sold, activated, refunded and unbound.
    INSERT INTO device_bindings (device_id, user_id, role, created_at) VALUES ('d1', 'u1', 'owner', 10);
    INSERT INTO commerce_activations (device_id, order_id, line_no, partner_id, user_id, currency, activated_at,
        statement_month) VALUES ('d2', 'o1', 0, 'p1', 'u2', 'EUR', 20, '1970-01');
    -- d2's former owner left a desired value behind; d1's owner has one pending.
    INSERT INTO device_desired (device_id, property, value, set_at, set_by)
      VALUES ('d1', 'light.on', 'true', 11, 'u1'), ('d2', 'light.on', 'false', 21, 'u2');
  `);
}

const column = async (db: Engine, query: ReturnType<typeof sql>) =>
  (await db.many<{ v: string }>(query)).map((r) => r.v);

describe('migration 0070-ownership', () => {
  const engines: TestEngine[] = [];
  afterEach(async () => {
    for (const t of engines.splice(0)) await t.close();
  });
  const open = async () => {
    const t = await openTestEngine('sqlite');
    engines.push(t);
    await before0070(t.engine);
    return t.engine;
  };

  it('takes devices claimed so far out of stock and drops desired values of unbound devices', async () => {
    const db = await open();
    expect((await runMigrations(db, migrations)).applied).toContain('70-ownership');
    expect(await column(db, sql`SELECT device_id AS v FROM commerce_free_devices ORDER BY 1`)).toEqual([
      'd3',
      'd4',
    ]);
    expect(await column(db, sql`SELECT device_id AS v FROM commerce_claimed_devices ORDER BY 1`)).toEqual([
      'd1',
      'd2',
    ]);
    expect(await column(db, sql`SELECT device_id AS v FROM device_desired ORDER BY 1`)).toEqual(['d1']);
  });

  it('keeps claims and reservations apart in the database itself', async () => {
    const db = await open();
    await runMigrations(db, migrations);
    // A claim leaves stock in its own statement.
    await db.run(
      sql`INSERT INTO device_bindings (device_id, user_id, role, created_at) VALUES ('d3', 'u3', 'owner', 30)`,
    );
    expect(await column(db, sql`SELECT device_id AS v FROM commerce_free_devices`)).toEqual(['d4']);
    expect(
      await column(db, sql`SELECT device_id AS v FROM commerce_claimed_devices WHERE claimed_at = 30`),
    ).toEqual(['d3']);
    // A claimed device is never held by an order...
    const hold = (deviceId: string) =>
      db.run(
        sql`INSERT INTO commerce_units (device_id, order_id, line_no, model_id, state, reserved_at)
            VALUES (${deviceId}, 'o2', 0, 'acme.light.bulb1', 'reserved', 40)`,
      );
    await expect(hold('d3')).rejects.toThrow(/a claimed device cannot be sold/);
    // ...and a device an unpaid order holds gets no owner.
    await hold('d4');
    await expect(
      db.run(
        sql`INSERT INTO device_bindings (device_id, user_id, role, created_at) VALUES ('d4', 'u4', 'owner', 50)`,
      ),
    ).rejects.toThrow(/reserved for an order/);
  });
});
