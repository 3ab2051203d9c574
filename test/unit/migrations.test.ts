import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/store/engine.js';
import { runMigrations } from '../../src/store/migration-runner.js';
import { migrations } from '../../src/store/migrations/index.js';
import { checkMigrationOrder } from '../../src/store/migrations.js';
import { sql } from '../../src/store/sql.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';

/**
 * What only the SQLite migrations and files promise (the runner itself, on both engines, is in
 * test/store/migrations.test.ts): versions in steps of 10, STRICT tables, a schema that a second
 * run leaves alone, WAL mode and foreign keys.
 */
describe('SQLite migrations', () => {
  const open: TestEngine[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });
  async function fresh(): Promise<Engine> {
    const t = await openTestEngine('sqlite');
    open.push(t);
    return t.engine;
  }
  const schema = (db: Engine) => db.many(sql`SELECT name, sql FROM sqlite_schema ORDER BY name`);

  it('are numbered uniquely and ascending, in steps of 10', () => {
    expect(() => checkMigrationOrder(migrations)).not.toThrow();
    for (const m of migrations) expect(m.version % 10).toBe(0);
    expect(new Set(migrations.map((m) => m.version)).size).toBe(migrations.length);
    expect(() =>
      checkMigrationOrder([
        { version: 20, name: 'b', up: '' },
        { version: 10, name: 'a', up: '' },
      ]),
    ).toThrow(/out of order/);
  });

  it('migrate a fresh file to the latest version in PRAGMA user_version; a second run changes nothing', async () => {
    const db = await fresh();
    const latest = migrations.at(-1)?.version;
    expect((await runMigrations(db, migrations)).applied).toHaveLength(migrations.length);
    expect(await db.one(sql`PRAGMA user_version`)).toEqual({ user_version: latest });
    const before = await schema(db);
    expect((await runMigrations(db, migrations)).applied).toEqual([]);
    expect(await schema(db)).toEqual(before);
  });

  it('make every table STRICT', async () => {
    const db = await fresh();
    await runMigrations(db, migrations);
    const tables = await db.many<{ name: string; strict: number }>(
      sql`SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'`,
    );
    expect(tables.length).toBeGreaterThan(0);
    for (const t of tables) expect(t.strict, t.name).toBe(1);
  });

  it('open the file in WAL mode with foreign keys on', async () => {
    const db = await fresh();
    await db.transaction(async (tx) => {
      expect(await tx.one(sql`PRAGMA journal_mode`)).toEqual({ journal_mode: 'wal' });
      expect(await tx.one(sql`PRAGMA foreign_keys`)).toEqual({ foreign_keys: 1 });
      expect(Number((await tx.one<{ timeout: number }>(sql`PRAGMA busy_timeout`))?.timeout)).toBeGreaterThan(
        0,
      );
    });
  });
});
