import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isDatabaseError } from '../../src/store/engine.js';
import { sql } from '../../src/store/sql.js';
import { SqliteEngine, type SqliteEngineOptions } from '../../src/store/sqlite-engine.js';
import { tempDir } from '../support/hub.js';

/** A gate a transaction waits at, to hold it open while the test looks around. */
function gate() {
  let open!: () => void;
  const closed = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, closed };
}

describe('SQLite engine', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  async function engine(options: Partial<SqliteEngineOptions> = {}) {
    const dir = tempDir('ecohub-sqlite-');
    const file = join(dir, 'test.db');
    const db = new SqliteEngine({
      file,
      booleanColumns: new Map([['things', new Set(['flag'])]]),
      ...options,
    });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => db.close());
    await db.exec(
      'CREATE TABLE things (id TEXT PRIMARY KEY, flag INTEGER NOT NULL CHECK (flag IN (0, 1)), n INTEGER) STRICT',
    );
    return { db, file };
  }

  it('queues a write made while a transaction is open until that transaction commits', async () => {
    const { db } = await engine();
    const g = gate();
    const reached = gate();
    const tx = db.transaction(async (t) => {
      await t.run(sql`INSERT INTO things (id, flag) VALUES ('first', 1)`);
      reached.open();
      await g.closed;
    });
    await reached.closed;
    let written = false;
    const write = db
      .run(sql`INSERT INTO things (id, flag, n) SELECT 'second', 0, count(*) FROM things`)
      .then(() => {
        written = true;
      });
    // A read does not wait; by the time it answers the queued write has still not run.
    expect(await db.many(sql`SELECT id FROM things`)).toEqual([]);
    expect(written).toBe(false);
    g.open();
    await Promise.all([tx, write]);
    // The queued write ran after the commit and saw its row.
    expect(await db.one(sql`SELECT n FROM things WHERE id = 'second'`)).toEqual({ n: 1 });
  });

  it('reads a boolean column as a boolean wherever it is selected from, an expression only when told', async () => {
    const { db } = await engine();
    await db.run(sql`INSERT INTO things (id, flag) VALUES ('a', ${true}), ('b', ${false})`);
    const rows = await db.many(
      sql`SELECT t.flag, t.flag AS alias, (SELECT flag FROM things WHERE id = 'b') AS sub, flag + 0 AS expr
          FROM things t WHERE t.id = 'a'`,
    );
    expect(rows).toEqual([{ flag: true, alias: true, sub: false, expr: 1 }]);
    const told = await db.one(sql`SELECT flag + 0 AS expr FROM things WHERE id = 'a'`, {
      booleans: ['expr'],
    });
    expect(told).toEqual({ expr: true });
    const returned = await db.run(sql`UPDATE things SET flag = ${false} WHERE id = 'a' RETURNING id, flag`);
    expect(returned).toEqual({ changes: 1, rows: [{ id: 'a', flag: false }] });
  });

  it('answers a durable transaction only once its WAL is synced, off the event loop, and syncs for durable ones only', async () => {
    const synced: string[] = [];
    const disk = gate();
    const { db, file } = await engine({
      syncFile: async (path) => {
        await disk.closed;
        synced.push(path);
      },
    });
    let answered = false;
    const durable = db
      .transaction(async (t) => t.run(sql`INSERT INTO things (id, flag) VALUES ('d', 1)`), { durable: true })
      .then(() => {
        answered = true;
      });
    // Committed (another connection sees it), not answered: the sync has not finished.
    const outside = new Database(file, { readonly: true });
    cleanups.push(() => {
      outside.close();
    });
    const seen = () => (outside.prepare('SELECT count(*) AS n FROM things').get() as { n: number }).n;
    await db.transaction(async (t) => t.run(sql`INSERT INTO things (id, flag) VALUES ('plain', 0)`));
    expect(seen()).toBe(2);
    expect(answered).toBe(false);
    disk.open();
    await durable;
    expect(synced).toEqual([`${file}-wal`]);
    // A durable transaction at synchronous=FULL is synced by its COMMIT: nothing after it.
    const full = await engine({
      synchronous: 'FULL',
      syncFile: async (path) => {
        synced.push(path);
      },
    });
    await full.db.transaction(async (t) => t.run(sql`INSERT INTO things (id, flag) VALUES ('f', 1)`), {
      durable: true,
    });
    expect(synced).toHaveLength(1);
  });

  it('syncs the WAL once for the commits made while a sync runs', async () => {
    const synced: string[] = [];
    let release!: () => void;
    const { db, file } = await engine({
      syncFile: (path) => {
        synced.push(path);
        return synced.length === 1
          ? new Promise<void>((resolve) => {
              release = resolve;
            })
          : Promise.resolve();
      },
    });
    const outside = new Database(file, { readonly: true });
    cleanups.push(() => {
      outside.close();
    });
    const committed = (id: string) =>
      new Promise<void>((resolve) => {
        const poll = () =>
          outside.prepare('SELECT 1 FROM things WHERE id = ?').get(id) ? resolve() : setImmediate(poll);
        poll();
      });
    const buy = (id: string) =>
      db.transaction(async (t) => t.run(sql`INSERT INTO things (id, flag) VALUES (${id}, 1)`), {
        durable: true,
      });
    const first = buy('a');
    await committed('a');
    // Three more groups commit while the first group's sync runs.
    const later: Array<Promise<unknown>> = [];
    for (const id of ['b', 'c', 'd']) {
      later.push(buy(id));
      await committed(id);
    }
    expect(synced).toHaveLength(1);
    release();
    await Promise.all([first, ...later]);
    expect(synced).toHaveLength(2);
  });

  it('uses the WAL file fdatasync by default: durable transactions answer', async () => {
    const { db } = await engine();
    await db.transaction(async (t) => t.run(sql`INSERT INTO things (id, flag) VALUES ('x', 1)`), {
      durable: true,
    });
    expect((await db.many(sql`SELECT id FROM things`)).map((r) => r['id'])).toEqual(['x']);
  });

  it("fails with kind 'busy' when another process holds the write lock past the timeout", async () => {
    const { db, file } = await engine({ busyTimeoutMs: 50 });
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      await expect(db.transaction(async () => undefined)).rejects.toSatisfy((err) =>
        isDatabaseError(err, 'busy'),
      );
      await expect(db.run(sql`INSERT INTO things (id, flag) VALUES ('x', 0)`)).rejects.toSatisfy((err) =>
        isDatabaseError(err, 'busy'),
      );
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // The engine is usable again once the lock is gone.
    await db.run(sql`INSERT INTO things (id, flag) VALUES ('x', 0)`);
  });

  it("turns an engine call inside a transaction's callback into a 'busy' error instead of a hang", async () => {
    const { db } = await engine({ queueTimeoutMs: 100 });
    const misuse = db.transaction(async (tx) => {
      await tx.run(sql`INSERT INTO things (id, flag) VALUES ('kept', 1)`);
      // Wrong: the engine, not tx. It waits for this very transaction.
      await db.run(sql`INSERT INTO things (id, flag) VALUES ('inner', 0)`);
    });
    await expect(misuse).rejects.toThrow(/must use the transaction's handle/);
    await expect(misuse).rejects.toSatisfy((err) => isDatabaseError(err, 'busy'));
    // Rolled back, and the engine works again.
    expect(await db.many(sql`SELECT id FROM things`)).toEqual([]);
    await db.run(sql`INSERT INTO things (id, flag) VALUES ('after', 1)`);
  });

  it('closes only after an open transaction has finished', async () => {
    const { db } = await engine();
    const g = gate();
    const reached = gate();
    const tx = db.transaction(async (t) => {
      reached.open();
      await g.closed;
      await t.run(sql`INSERT INTO things (id, flag) VALUES ('late', 1)`);
    });
    await reached.closed;
    const closed = db.close();
    g.open();
    await Promise.all([tx, closed]);
    await expect(db.one(sql`SELECT 1 AS one`)).rejects.toThrow(/closed/);
  });

  it('creates a new database, its -wal and -shm 0600, whatever the umask', async () => {
    const previous = process.umask(0o022);
    try {
      const { db, file } = await engine();
      await db.run(sql`INSERT INTO things (id, flag) VALUES ('a', 1)`);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) {
        expect(existsSync(path), path).toBe(true);
        expect((statSync(path).mode & 0o777).toString(8), path).toBe('600');
      }
    } finally {
      process.umask(previous);
    }
  });
  it('commits durable transactions of one event-loop turn together, each answered only once committed', async () => {
    const { db, file } = await engine();
    const outside = new Database(file, { readonly: true });
    cleanups.push(() => {
      outside.close();
    });
    const committed: string[] = [];
    const seenByOthers: number[] = [];
    const buy = (id: string, fail = false) =>
      db
        .transaction(
          async (t) => {
            await t.run(sql`INSERT INTO things (id, flag) VALUES (${id}, 1)`);
            if (fail) throw new Error(`${id} refused`);
            return id;
          },
          { durable: true },
        )
        .then((v) => {
          // Answered: another connection sees the row (it is committed, not only written).
          seenByOthers.push(
            (outside.prepare('SELECT count(*) AS n FROM things WHERE id = ?').get(v) as { n: number }).n,
          );
          committed.push(v);
          return v;
        });
    const results = await Promise.allSettled([buy('a'), buy('b'), buy('c', true), buy('d')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[2] as PromiseRejectedResult).reason)).toContain('c refused');
    expect(committed).toEqual(['a', 'b', 'd']);
    expect(seenByOthers).toEqual([1, 1, 1]);
    // The refused one was rolled back alone.
    expect((await db.many(sql`SELECT id FROM things ORDER BY id`)).map((r) => r['id'])).toEqual([
      'a',
      'b',
      'd',
    ]);
    // One group: no member answered before the last one had run.
    expect(committed.length).toBe(3);
  });

  it('commits an open group of durable transactions before any other write takes the connection', async () => {
    const { db } = await engine();
    const order: string[] = [];
    const durable = db
      .transaction(async (t) => t.run(sql`INSERT INTO things (id, flag) VALUES ('durable', 1)`), {
        durable: true,
      })
      .then(() => order.push('durable answered'));
    // Issued in the same turn, before the group's own commit: it must not run inside the group.
    const plain = db
      .transaction(async (t) => {
        const n = await t.one<{ n: number }>(sql`SELECT count(*) AS n FROM things`);
        order.push(`plain saw ${n?.n}`);
        await t.run(sql`INSERT INTO things (id, flag) VALUES ('plain', 0)`);
      })
      .then(() => order.push('plain answered'));
    await Promise.all([durable, plain]);
    // The durable one answers after its sync, which may end after the plain one's commit.
    expect(order[0]).toBe('plain saw 1');
    expect([...order].sort()).toEqual(['durable answered', 'plain answered', 'plain saw 1']);
    expect((await db.many(sql`SELECT id FROM things ORDER BY id`)).map((r) => r['id'])).toEqual([
      'durable',
      'plain',
    ]);
  });
});
