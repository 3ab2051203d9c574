import { afterEach, describe, expect, it } from 'vitest';
import { migrationsFor, runMigrations, schemaVersion } from '../../src/store/migration-runner.js';
import { sql } from '../../src/store/sql.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';

describe('migration runner (on the run engine)', () => {
  const open: TestEngine[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });
  async function fresh() {
    const t = await openTestEngine();
    open.push(t);
    return t.engine;
  }

  it('migrates an empty database to the latest version; running again changes nothing', async () => {
    const db = await fresh();
    const all = migrationsFor(db);
    const first = await runMigrations(db);
    expect(first).toMatchObject({ from: 0, to: all.at(-1)?.version });
    expect(first.applied).toEqual(all.map((m) => `${m.version}-${m.name}`));
    const latest = all.at(-1)?.version;
    expect(await runMigrations(db)).toEqual({ from: latest, to: latest, applied: [] });
    expect(await schemaVersion(db)).toBe(latest);
  });

  it('refuses a database from a newer hub', async () => {
    const db = await fresh();
    await runMigrations(db);
    await db.transaction((tx) =>
      tx.dialect === 'sqlite'
        ? tx.exec('PRAGMA user_version = 99990')
        : tx.exec("INSERT INTO ecohub_migrations (version, name, applied_at) VALUES (99990, 'future', 0)"),
    );
    await expect(runMigrations(db)).rejects.toThrow(
      `version 99990, newer than this hub (${migrationsFor(db).at(-1)?.version}): refusing to run`,
    );
  });

  it('rolls a failing migration back as a whole and stays at the last good version', async () => {
    const db = await fresh();
    const broken = [
      ...migrationsFor(db),
      {
        version: 99990,
        name: 'broken',
        up: 'CREATE TABLE ok_table (x BIGINT); SELECT * FROM missing_table;',
      },
    ];
    await expect(runMigrations(db, broken)).rejects.toThrow(/missing_table/);
    expect(await schemaVersion(db)).toBe(migrationsFor(db).at(-1)?.version);
    const table = sql.dialect({
      sqlite: sql`SELECT name FROM sqlite_schema WHERE name = 'ok_table'`,
      postgres: sql`SELECT tablename AS name FROM pg_tables WHERE tablename = 'ok_table'`,
    });
    expect(await db.many(table)).toEqual([]);
  });
});
