import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { migrations } from '../../src/store/migrations/index.js';
import { checkMigrationOrder, migrate } from '../../src/store/migrations.js';
import { tempDir } from '../support/hub.js';

describe('migrations', () => {
  const dirs: string[] = [];
  function freshDb() {
    const dir = tempDir();
    dirs.push(dir);
    return openDatabase({ file: join(dir, 'test.db') });
  }
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('are numbered uniquely and ascending, in steps of 10', () => {
    expect(() => checkMigrationOrder(migrations)).not.toThrow();
    for (const m of migrations) expect(m.version % 10).toBe(0);
    expect(new Set(migrations.map((m) => m.version)).size).toBe(migrations.length);
  });

  it('migrate a fresh database to the latest version, and re-running is a no-op', () => {
    const db = freshDb();
    const first = migrate(db, migrations);
    const latest = migrations.at(-1)?.version;
    expect(first).toMatchObject({ from: 0, to: latest });
    expect(first.applied).toHaveLength(migrations.length);
    expect(db.pragma('user_version', { simple: true })).toBe(latest);
    const schema = db.prepare('SELECT name, sql FROM sqlite_schema ORDER BY name').all();
    const second = migrate(db, migrations);
    expect(second.applied).toEqual([]);
    expect(db.prepare('SELECT name, sql FROM sqlite_schema ORDER BY name').all()).toEqual(schema);
    db.close();
  });

  it('make every table STRICT', () => {
    const db = freshDb();
    migrate(db, migrations);
    const tables = db
      .prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'")
      .all() as {
      name: string;
    }[];
    const strict = db.prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main'").all() as {
      name: string;
      strict: number;
    }[];
    for (const t of tables) expect(strict.find((s) => s.name === t.name)?.strict, t.name).toBe(1);
    db.close();
  });

  it('refuse out-of-order lists and databases from a newer hub', () => {
    expect(() =>
      checkMigrationOrder([
        { version: 20, name: 'b', up: '' },
        { version: 10, name: 'a', up: '' },
      ]),
    ).toThrow(/out of order/);
    const db = freshDb();
    db.pragma('user_version = 99990');
    expect(() => migrate(db, migrations)).toThrow(/newer than this hub/);
    db.close();
  });

  it('roll back a failing migration as a whole', () => {
    const db = freshDb();
    const broken = [
      ...migrations,
      {
        version: 99990,
        name: 'broken',
        up: 'CREATE TABLE ok_table (x INTEGER) STRICT; SELECT * FROM missing;',
      },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)?.version);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'ok_table'").get()).toEqual({
      n: 0,
    });
    db.close();
  });

  it('open the database in WAL mode with foreign keys on', () => {
    const db = freshDb();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(Number(db.pragma('busy_timeout', { simple: true }))).toBeGreaterThan(0);
    db.close();
  });
});
