#!/usr/bin/env node
// Per-query overhead of the ways the store could write SQL, on both engines (README, "Choices"):
// the driver alone, the hub's engine with the `sql` template, and Kysely (compile + execute).
// Kysely is not a dependency of the hub; install it beside, then run against the built hub:
//
//   npm install --prefix /tmp/kysely kysely@0.28.19
//   npm run build
//   KYSELY=/tmp/kysely/node_modules/kysely node scripts/sql-overhead-bench.mjs [postgres://...]
//
// With a PostgreSQL URL (a superuser, e.g. from scripts/pg-test-server.mjs) it creates a scratch
// database, measures there and drops it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

const kyselyDir = process.env.KYSELY;
if (!kyselyDir) {
  process.stderr.write('set KYSELY to an installed kysely package folder (see the header of this script)\n');
  process.exit(2);
}
const { Kysely, SqliteDialect, PostgresDialect } = await import(join(kyselyDir, 'dist/esm/index.js'));
const dist = new URL('../dist/src/store/', import.meta.url);
const { sql, compile } = await import(new URL('sql.js', dist).href);
const { SqliteEngine } = await import(new URL('sqlite-engine.js', dist).href);
const { PostgresEngine } = await import(new URL('postgres-engine.js', dist).href);
const { hubTypes } = await import(new URL('postgres-types.js', dist).href);

const ROWS = 1000;
const TABLE =
  'CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL, created_at BIGINT NOT NULL, score BIGINT NOT NULL)';

/** Median µs per call over `rounds` rounds of `n` sequential awaited calls. */
async function measure(n, rounds, fn) {
  for (let i = 0; i < n; i++) await fn(i);
  const results = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn(i);
    results.push(Number(process.hrtime.bigint() - start) / 1000 / n);
  }
  results.sort((a, b) => a - b);
  return results[Math.floor(results.length / 2)];
}

const id = (i) => `user-${i % ROWS}`;
const report = [];
const row = (engine, what, us) => {
  report.push({ engine, what, 'µs/query': Number(us.toFixed(2)) });
  process.stderr.write(`${engine.padEnd(10)} ${what.padEnd(48)} ${us.toFixed(2)} µs\n`);
};

async function compileOnly() {
  const kysely = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ max: 1 }) }) });
  const n = 200_000;
  row(
    '(none)',
    'sql template: compile a 2-parameter query',
    await measure(n, 5, (i) =>
      compile(
        sql`SELECT id, email, created_at, score FROM users WHERE id = ${id(i)} AND score >= ${0}`,
        'postgres',
      ),
    ),
  );
  row(
    '(none)',
    'Kysely: build + compile the same query',
    await measure(n, 5, (i) =>
      kysely
        .selectFrom('users')
        .select(['id', 'email', 'created_at', 'score'])
        .where('id', '=', id(i))
        .where('score', '>=', 0)
        .compile(),
    ),
  );
  await kysely.destroy();
}

async function sqlite() {
  const dir = mkdtempSync(join(tmpdir(), 'ecohub-sqlbench-'));
  const file = join(dir, 'bench.db');
  const engine = new SqliteEngine({ file, booleanColumns: new Map() });
  await engine.exec(TABLE);
  await engine.transaction(async (tx) => {
    for (let i = 0; i < ROWS; i++)
      await tx.run(sql`INSERT INTO users VALUES (${id(i)}, ${`${i}@x`}, ${Date.now()}, ${i})`);
  });
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  const get = raw.prepare('SELECT id, email, created_at, score FROM users WHERE id = ?');
  const kysely = new Kysely({ dialect: new SqliteDialect({ database: new Database(file) }) });
  const n = 50_000;
  row('sqlite', 'driver: prepared statement .get()', await measure(n, 5, async (i) => get.get(id(i))));
  row(
    'sqlite',
    'engine.one(sql`...`)',
    await measure(n, 5, (i) =>
      engine.one(sql`SELECT id, email, created_at, score FROM users WHERE id = ${id(i)}`),
    ),
  );
  row(
    'sqlite',
    'Kysely selectFrom().where().executeTakeFirst()',
    await measure(n, 5, (i) =>
      kysely
        .selectFrom('users')
        .select(['id', 'email', 'created_at', 'score'])
        .where('id', '=', id(i))
        .executeTakeFirst(),
    ),
  );
  const u = 5000;
  let k = 0;
  row(
    'sqlite',
    'engine.run(UPDATE) in autocommit',
    await measure(u, 3, () => engine.run(sql`UPDATE users SET score = score + 1 WHERE id = ${id(k++)}`)),
  );
  row(
    'sqlite',
    'Kysely updateTable().execute()',
    await measure(u, 3, () =>
      kysely
        .updateTable('users')
        .set((eb) => ({ score: eb('score', '+', 1) }))
        .where('id', '=', id(k++))
        .execute(),
    ),
  );
  await kysely.destroy();
  raw.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
}

async function postgres(adminUrl) {
  const name = `ecohub_sqlbench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const engine = new PostgresEngine({ url: url.toString(), target: name, poolSize: 1 });
  try {
    await engine.exec(TABLE);
    await engine.transaction(async (tx) => {
      for (let i = 0; i < ROWS; i++)
        await tx.run(sql`INSERT INTO users VALUES (${id(i)}, ${`${i}@x`}, ${Date.now()}, ${i})`);
    });
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1, types: hubTypes });
    const kysely = new Kysely({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: url.toString(), max: 1, types: hubTypes }),
      }),
    });
    const n = 5000;
    row(
      'postgres',
      'driver: pool.query({ text, values })',
      await measure(n, 5, (i) =>
        pool.query({ text: 'SELECT id, email, created_at, score FROM users WHERE id = $1', values: [id(i)] }),
      ),
    );
    row(
      'postgres',
      'engine.one(sql`...`)',
      await measure(n, 5, (i) =>
        engine.one(sql`SELECT id, email, created_at, score FROM users WHERE id = ${id(i)}`),
      ),
    );
    row(
      'postgres',
      'Kysely selectFrom().where().executeTakeFirst()',
      await measure(n, 5, (i) =>
        kysely
          .selectFrom('users')
          .select(['id', 'email', 'created_at', 'score'])
          .where('id', '=', id(i))
          .executeTakeFirst(),
      ),
    );
    let k = 0;
    row(
      'postgres',
      'engine.run(UPDATE) in autocommit',
      await measure(2000, 3, () => engine.run(sql`UPDATE users SET score = score + 1 WHERE id = ${id(k++)}`)),
    );
    row(
      'postgres',
      'Kysely updateTable().execute()',
      await measure(2000, 3, () =>
        kysely
          .updateTable('users')
          .set((eb) => ({ score: eb('score', '+', 1) }))
          .where('id', '=', id(k++))
          .execute(),
      ),
    );
    await kysely.destroy();
    await pool.end();
  } finally {
    await engine.close();
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  }
}

await compileOnly();
await sqlite();
if (process.argv[2]) await postgres(process.argv[2]);
console.table(report);
