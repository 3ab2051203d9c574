import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, isDatabaseError } from '../../src/store/engine.js';
import { migrationsFor } from '../../src/store/migration-runner.js';
import { migrations as sqliteMigrations } from '../../src/store/migrations/index.js';
import { postgresMigrations } from '../../src/store/migrations/postgres/index.js';
import { expectedTables } from '../../src/store/schema-tables.js';
import { type Sql, sql } from '../../src/store/sql.js';
import { openMigratedEngine, type TestEngine } from '../support/engine.js';
import { expectedFor, introspect } from '../support/introspect.js';
import { seedEveryTable } from '../support/store-fixtures.js';

async function failure(db: Engine, query: Sql): Promise<string> {
  try {
    await db.run(query);
    return 'accepted';
  } catch (err) {
    return isDatabaseError(err) ? `${err.kind}: ${err.message}` : `not a DatabaseError: ${String(err)}`;
  }
}

describe('schema: every migration applied to an empty database', () => {
  let t: TestEngine;
  let db: Engine;
  beforeAll(async () => {
    t = await openMigratedEngine();
    db = t.engine;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has one PostgreSQL migration per SQLite migration, same version and name', () => {
    const names = (list: typeof sqliteMigrations) => list.map((m) => `${m.version}-${m.name}`);
    expect(names(postgresMigrations)).toEqual(names(sqliteMigrations));
    expect(migrationsFor(db).at(-1)?.version).toBe(sqliteMigrations.at(-1)?.version);
  });

  it('builds exactly the tables, columns, keys, indexes and foreign keys schema-tables.ts describes', async () => {
    const actual = await introspect(db);
    const expected = expectedFor(db.dialect, expectedTables);
    expect(actual.map((a) => a.name)).toEqual(expected.map((e) => e.name));
    for (const table of expected) {
      const found = actual.find((a) => a.name === table.name);
      const { hasRowid: _rowid, sql: _sql, ...comparable } = found ?? { hasRowid: false, sql: '' };
      expect(comparable, table.name).toEqual(table);
    }
  });

  it('keeps the engine-specific parts the description implies (SQLite: 0/1 booleans, rowid tables)', async () => {
    const actual = await introspect(db);
    for (const spec of expectedTables) {
      const table = actual.find((a) => a.name === spec.name);
      if (db.dialect !== 'sqlite' || !table) continue;
      for (const c of spec.columns.filter((col) => col.type === 'boolean')) {
        expect(table.sql, `${spec.name}.${c.name}`).toContain(`CHECK (${c.name} IN (0, 1))`);
      }
      if (spec.rowid) expect(table.hasRowid, `${spec.name} orders by rowid`).toBe(true);
    }
  });

  describe('with one row in every table', () => {
    beforeAll(async () => {
      await seedEveryTable(db);
    });

    it('refuses UPDATE and DELETE on exactly the append-only tables, in the database itself', async () => {
      const refused: string[] = [];
      for (const spec of expectedTables) {
        const first = spec.columns[0]?.name ?? '';
        const update = await failure(db, sql.raw(`UPDATE ${spec.name} SET ${first} = ${first}`));
        if (update.startsWith('refused')) {
          refused.push(spec.name);
          expect(update).toMatch(new RegExp(`${spec.name} is append-only`));
          expect(await failure(db, sql.raw(`DELETE FROM ${spec.name}`))).toMatch(/^refused: .*append-only/);
        } else {
          expect(update, spec.name).toBe('accepted');
        }
      }
      expect(refused.sort()).toEqual(
        expectedTables
          .filter((s) => s.appendOnly)
          .map((s) => s.name)
          .sort(),
      );
    });

    it('refuses ledger entries and activations dated in a closed month', async () => {
      expect(
        await failure(
          db,
          sql`INSERT INTO partner_ledger_entries (id, partner_id, kind, statement_month, currency, gross_minor,
                commission_minor, adjustment_minor, payable_minor, quantity, reason, created_at, created_by)
              VALUES ('le2', 'p1', 'adjustment', '2023-10', 'EUR', 0, 0, 5, 5, 0, 'late', 1, 'op')`,
        ),
      ).toMatch(/^refused: .*the statement month is closed/);
      expect(
        await failure(
          db,
          sql`INSERT INTO commerce_activations (device_id, order_id, line_no, partner_id, user_id, currency,
                activated_at, statement_month) VALUES ('d2', 'o1', 0, 'p1', 'u1', 'EUR', 1, '2023-10')`,
        ),
      ).toMatch(/^refused: .*the statement month is closed/);
    });

    it('checks the same values on both engines', async () => {
      const bad: Array<[Sql, string]> = [
        [
          sql`INSERT INTO partner_contracts (id, partner_id, rate_bp, effective_from, created_at, created_by) VALUES ('c2', 'p1', 10001, 1, 1, 'op')`,
          'check',
        ],
        [
          sql`INSERT INTO partner_statement_closures (month, closed_at, closed_by) VALUES ('2023-1', 1, 'op')`,
          'check',
        ],
        [
          sql`INSERT INTO commerce_skus (id, partner_id, model_id, price_minor, currency, created_at) VALUES ('s2', 'p1', 'acme.light.bulb1', 0, 'EUR', 1)`,
          'check',
        ],
        [
          sql`INSERT INTO commerce_skus (id, partner_id, model_id, price_minor, currency, created_at) VALUES ('s2', 'p1', 'acme.light.bulb1', 5, 'EURO', 1)`,
          'check',
        ],
        [
          sql`INSERT INTO commerce_skus (id, partner_id, model_id, price_minor, currency, created_at) VALUES ('s2', 'p1', 'acme.light.bulb1', 5, 'EUR', 1)`,
          'unique',
        ],
        [
          sql`INSERT INTO device_bindings (device_id, user_id, role, created_at) VALUES ('d1', 'u9', 'member', 1)`,
          'foreign-key',
        ],
        [
          sql`INSERT INTO commerce_units (device_id, order_id, line_no, model_id, state, reserved_at, released_at) VALUES ('d2', 'o1', 0, 'm', 'reserved', 1, 2)`,
          'check',
        ],
        [
          sql`INSERT INTO partner_ledger_entries (id, partner_id, kind, statement_month, currency, gross_minor, commission_minor, adjustment_minor, payable_minor, quantity, created_at, created_by) VALUES ('le3', 'p1', 'sale', '2023-11', 'EUR', 10, 1, 0, 8, 1, 1, 'hub')`,
          'check',
        ],
      ];
      for (const [query, kind] of bad) expect(await failure(db, query)).toMatch(new RegExp(`^${kind}:`));
    });

    it('compares emails without case, as SQLite COLLATE NOCASE does', async () => {
      expect(await db.one(sql`SELECT id FROM users WHERE email = ${'ann@EXAMPLE.com'}`)).toEqual({
        id: 'u1',
      });
      const again = await db.run(
        sql`INSERT INTO users (id, email, password_hash, created_at) VALUES ('u2', ${'ANN@example.COM'}, 'x', 1)
            ON CONFLICT (email) DO NOTHING`,
      );
      expect(again.changes).toBe(0);
    });

    it('reads boolean columns as booleans without being told, and orders by rowid on both', async () => {
      expect(await db.many(sql`SELECT id, online, blocked FROM devices ORDER BY id`)).toEqual([
        { id: 'd1', online: true, blocked: false },
        { id: 'd2', online: false, blocked: false },
      ]);
      await db.run(
        sql`INSERT INTO partner_contracts (id, partner_id, rate_bp, effective_from, created_at, created_by)
            VALUES ('c0', 'p1', 700, ${1_700_000_000_000}, ${1_700_000_000_000}, 'op')`,
      );
      const latest = await db.many(
        sql`SELECT id FROM partner_contracts ORDER BY effective_from DESC, created_at DESC, rowid DESC`,
      );
      expect(latest).toEqual([{ id: 'c0' }, { id: 'c1' }]);
    });

    it('assigns ledger sequence numbers in insert order and returns them', async () => {
      const { rows } = await db.run<{ seq: number }>(
        sql`INSERT INTO partner_ledger_entries (id, partner_id, kind, statement_month, currency, gross_minor,
              commission_minor, adjustment_minor, payable_minor, quantity, reason, created_at, created_by)
            VALUES ('le4', 'p1', 'adjustment', '2023-12', 'EUR', 0, 0, -5, -5, 0, 'fix', 1, 'op') RETURNING seq`,
      );
      const previous = await db.one<{ seq: number }>(
        sql`SELECT seq FROM partner_ledger_entries WHERE id = 'le1'`,
      );
      expect(rows[0]?.seq).toBeGreaterThan(previous?.seq ?? Number.POSITIVE_INFINITY);
    });

    it('takes a deleted device out of stock', async () => {
      await db.run(sql`DELETE FROM devices WHERE id = 'd2'`);
      expect(await db.many(sql`SELECT device_id FROM commerce_free_devices`)).toEqual([]);
    });
  });
});
