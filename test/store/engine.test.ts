import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, isDatabaseError } from '../../src/store/engine.js';
import { type Sql, SqlParameterError, sql } from '../../src/store/sql.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';

/** Collects notifications on `channel` until `last` arrives (bounded); resolves once listening. */
async function listenUntil(
  engine: Engine,
  channel: string,
  last: string,
  timeoutMs = 5000,
): Promise<{ messages: Promise<string[]> }> {
  const got: string[] = [];
  let done!: (messages: string[]) => void;
  let fail!: (err: Error) => void;
  const messages = new Promise<string[]>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  const timer = setTimeout(
    () => fail(new Error(`no '${last}' on ${channel} within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const subscription = await engine.listen(channel, {
    message(payload) {
      got.push(payload);
      if (payload !== last) return;
      clearTimeout(timer);
      void subscription.close();
      done(got);
    },
  });
  return { messages };
}

describe('store engine (same behaviour on SQLite and PostgreSQL)', () => {
  let t: TestEngine;
  let db: Engine;
  // The same table on both engines: BOOLEAN is an INTEGER 0/1 on SQLite (no boolean type there).
  const create = (name: string): Sql =>
    sql.dialect({
      sqlite: sql.raw(
        `CREATE TABLE ${name} (id TEXT PRIMARY KEY, n INTEGER, r REAL, b BLOB, flag INTEGER CHECK (flag IN (0, 1)), note TEXT NOT NULL DEFAULT '') STRICT`,
      ),
      postgres: sql.raw(
        `CREATE TABLE ${name} (id TEXT PRIMARY KEY, n BIGINT, r DOUBLE PRECISION, b BYTEA, flag BOOLEAN, note TEXT NOT NULL DEFAULT '')`,
      ),
    });

  beforeAll(async () => {
    t = await openTestEngine();
    db = t.engine;
    await db.run(create('things'));
    await db.run(sql`CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)`);
    await db.run(sql`INSERT INTO counter (id, value) VALUES (1, 0)`);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reads back what it stored: integers as numbers, booleans, Buffers, reals, nulls', async () => {
    const big = Number.MAX_SAFE_INTEGER;
    const blob = Buffer.from([0, 1, 2, 250, 255]);
    await db.run(
      sql`INSERT INTO things (id, n, r, b, flag) VALUES (${'a'}, ${big}, ${1.5}, ${blob}, ${true})`,
    );
    await db.run(
      sql`INSERT INTO things (id, n, r, b, flag) VALUES (${'b'}, ${-42}, ${null}, ${null}, ${false})`,
    );
    const rows = await db.many(sql`SELECT id, n, r, b, flag FROM things ORDER BY id`, { booleans: ['flag'] });
    expect(rows).toEqual([
      { id: 'a', n: big, r: 1.5, b: blob, flag: true },
      { id: 'b', n: -42, r: null, b: null, flag: false },
    ]);
    expect(Buffer.isBuffer(rows[0]?.['b'])).toBe(true);
    // A boolean parameter compares with a boolean column on both engines.
    const flagged = await db.many(sql`SELECT id FROM things WHERE flag = ${true}`);
    expect(flagged).toEqual([{ id: 'a' }]);
  });

  it('returns aggregates as numbers (count, sum of BIGINT), not strings', async () => {
    const row = await db.one(
      sql`SELECT count(*) AS c, sum(n) AS s, max(n) AS m FROM things WHERE id = ${'b'}`,
    );
    expect(row).toEqual({ c: 1, s: -42, m: -42 });
    const none = await db.one(sql`SELECT count(*) AS c, sum(n) AS s FROM things WHERE id = ${'zzz'}`);
    expect(none).toEqual({ c: 0, s: null });
  });

  it('refuses to read an integer beyond 2^53 rather than round it', async () => {
    const read = db.one(sql`SELECT CAST(9007199254740993 AS BIGINT) AS n`);
    await expect(read).rejects.toSatisfy((err) => isDatabaseError(err, 'range'));
    await expect(read).rejects.toThrow(/9007199254740993.*2\^53/);
    expect(await db.one(sql`SELECT CAST(9007199254740991 AS BIGINT) AS n`)).toEqual({ n: 9007199254740991 });
  });

  it('refuses parameters it cannot store faithfully, naming the parameter', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [undefined, /parameter 2 is undefined/],
      [new Date(), /parameter 2 is a Date/],
      [{ a: 1 }, /parameter 2 is an object/],
      [Number.NaN, /parameter 2 is NaN/],
    ];
    for (const [value, message] of bad) {
      const query = sql`SELECT id FROM things WHERE id = ${'a'} AND n = ${value as number}`;
      await expect(db.many(query)).rejects.toThrow(SqlParameterError);
      await expect(db.many(query)).rejects.toThrow(message);
    }
  });

  it('reports changes and RETURNING rows; one() is undefined when nothing matches', async () => {
    const inserted = await db.run(sql`INSERT INTO things (id, n) VALUES (${'c'}, ${1}), (${'d'}, ${2})`);
    expect(inserted).toEqual({ changes: 2, rows: [] });
    const updated = await db.run<{ id: string; n: number }>(
      sql`UPDATE things SET n = n + 10 WHERE id IN (${sql.join(['c', 'd'])}) RETURNING id, n`,
    );
    expect(updated.changes).toBe(2);
    expect([...updated.rows].sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: 'c', n: 11 },
      { id: 'd', n: 12 },
    ]);
    expect((await db.run(sql`DELETE FROM things WHERE id = ${'nope'}`)).changes).toBe(0);
    expect(await db.one(sql`SELECT id FROM things WHERE id = ${'nope'}`)).toBeUndefined();
  });

  it('names constraint failures the same way on both engines', async () => {
    const kindOf = async (query: Sql) => {
      try {
        await db.run(query);
        return 'none';
      } catch (err) {
        return isDatabaseError(err) ? err.kind : `not a DatabaseError: ${String(err)}`;
      }
    };
    expect(await kindOf(sql`INSERT INTO things (id) VALUES (${'a'})`)).toBe('unique');
    expect(await kindOf(sql`INSERT INTO things (id, note) VALUES (${'e'}, ${null})`)).toBe('not-null');
    await db.run(
      sql.dialect({
        sqlite: sql`CREATE TABLE child (id TEXT PRIMARY KEY, thing TEXT NOT NULL REFERENCES things(id), qty INTEGER CHECK (qty > 0)) STRICT`,
        postgres: sql`CREATE TABLE child (id TEXT PRIMARY KEY, thing TEXT NOT NULL REFERENCES things(id), qty BIGINT CHECK (qty > 0))`,
      }),
    );
    expect(await kindOf(sql`INSERT INTO child (id, thing) VALUES (${'x'}, ${'missing'})`)).toBe(
      'foreign-key',
    );
    expect(await kindOf(sql`INSERT INTO child (id, thing, qty) VALUES (${'x'}, ${'a'}, ${0})`)).toBe('check');
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.run(sql`INSERT INTO things (id, n) VALUES (${'t1'}, ${1})`);
      return (await tx.one<{ n: number }>(sql`SELECT n FROM things WHERE id = ${'t1'}`))?.n;
    });
    expect(result).toBe(1);
    await expect(
      db.transaction(async (tx) => {
        await tx.run(sql`INSERT INTO things (id, n) VALUES (${'t2'}, ${2})`);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.many(sql`SELECT id FROM things WHERE id IN (${sql.join(['t1', 't2'])})`)).toEqual([
      { id: 't1' },
    ]);
  });

  it('keeps concurrent read-modify-write transactions from losing updates', async () => {
    // Each transaction awaits something else between its read and its write. SQLite runs them one
    // at a time; PostgreSQL (serializable) aborts the losers with 40001 and runs them again.
    const bump = () =>
      db.transaction(
        async (tx) => {
          const row = await tx.one<{ value: number }>(sql`SELECT value FROM counter WHERE id = 1`);
          await new Promise((r) => setImmediate(r));
          await tx.run(sql`UPDATE counter SET value = ${(row?.value ?? 0) + 1} WHERE id = 1`);
        },
        { isolation: 'serializable', retries: 50 },
      );
    await Promise.all(Array.from({ length: 20 }, bump));
    expect(await db.one(sql`SELECT value FROM counter WHERE id = 1`)).toEqual({ value: 20 });
  });

  it('lets reads outside a transaction see only what is committed, without waiting for it', async () => {
    let proceed!: () => void;
    const gate = new Promise<void>((r) => {
      proceed = r;
    });
    let written!: () => void;
    const wrote = new Promise<void>((r) => {
      written = r;
    });
    const tx = db.transaction(async (t) => {
      await t.run(sql`INSERT INTO things (id, n) VALUES (${'pending'}, ${1})`);
      written();
      await gate;
    });
    await wrote;
    expect(await db.one(sql`SELECT id FROM things WHERE id = ${'pending'}`)).toBeUndefined();
    proceed();
    await tx;
    expect(await db.one(sql`SELECT id FROM things WHERE id = ${'pending'}`)).toEqual({ id: 'pending' });
  });

  it('refuses a transaction handle used after its transaction ended', async () => {
    let leaked: Parameters<Parameters<Engine['transaction']>[0]>[0] | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked?.one(sql`SELECT 1 AS one`)).rejects.toThrow(/the transaction is over/);
  });

  it('delivers notifications, from a transaction only once it commits', async () => {
    const received = await listenUntil(db, 'things_changed', 'last');
    await db
      .transaction(async (tx) => {
        await tx.notify('things_changed', 'rolled back');
        throw new Error('abort');
      })
      .catch(() => undefined);
    await db.transaction(async (tx) => {
      await tx.notify('things_changed', 'committed');
    });
    await db.notify('things_changed', 'last');
    expect(await received.messages).toEqual(['committed', 'last']);
  });

  it('checks channel names and the payload size (PostgreSQL limit, on both engines)', async () => {
    await expect(db.notify('Bad-Channel', 'x')).rejects.toThrow(/must match/);
    await expect(db.notify('ok_channel', 'x'.repeat(8000))).rejects.toThrow(/over 7999 bytes/);
  });
});
