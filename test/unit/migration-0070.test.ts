import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/store/database.js';
import { migrations } from '../../src/store/migrations/index.js';
import { migrate } from '../../src/store/migrations.js';
import { tempDir } from '../support/hub.js';

/** A database as 0060 left it, with rows the old code could write (foreign keys off: only these tables matter). */
function before0070(dir: string): Db {
  const db = openDatabase({ file: join(dir, 'test.db') });
  migrate(
    db,
    migrations.filter((m) => m.version <= 60),
  );
  db.pragma('foreign_keys = OFF');
  db.exec(`
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
  return db;
}

const column = (db: Db, sql: string) => (db.prepare(sql).all() as Array<{ v: string }>).map((r) => r.v);

describe('migration 0070-ownership', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const open = () => {
    const dir = tempDir();
    dirs.push(dir);
    return before0070(dir);
  };

  it('takes devices claimed so far out of stock and drops desired values of unbound devices', () => {
    const db = open();
    expect(migrate(db, migrations).applied).toEqual(['70-ownership']);
    expect(column(db, 'SELECT device_id AS v FROM commerce_free_devices ORDER BY 1')).toEqual(['d3', 'd4']);
    expect(column(db, 'SELECT device_id AS v FROM commerce_claimed_devices ORDER BY 1')).toEqual([
      'd1',
      'd2',
    ]);
    expect(column(db, 'SELECT device_id AS v FROM device_desired ORDER BY 1')).toEqual(['d1']);
    db.close();
  });

  it('keeps claims and reservations apart in the database itself', () => {
    const db = open();
    migrate(db, migrations);
    // A claim leaves stock in its own statement.
    db.prepare(
      "INSERT INTO device_bindings (device_id, user_id, role, created_at) VALUES ('d3', 'u3', 'owner', 30)",
    ).run();
    expect(column(db, 'SELECT device_id AS v FROM commerce_free_devices')).toEqual(['d4']);
    expect(column(db, 'SELECT device_id AS v FROM commerce_claimed_devices WHERE claimed_at = 30')).toEqual([
      'd3',
    ]);
    // A claimed device is never held by an order...
    const hold = db.prepare(
      `INSERT INTO commerce_units (device_id, order_id, line_no, model_id, state, reserved_at)
         VALUES (?, 'o2', 0, 'acme.light.bulb1', 'reserved', 40)`,
    );
    expect(() => hold.run('d3')).toThrow(/a claimed device cannot be sold/);
    // ...and a device an unpaid order holds gets no owner.
    hold.run('d4');
    expect(() =>
      db
        .prepare(
          "INSERT INTO device_bindings (device_id, user_id, role, created_at) VALUES ('d4', 'u4', 'owner', 50)",
        )
        .run(),
    ).toThrow(/reserved for an order/);
    db.close();
  });
});
