import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, isDatabaseError } from '../../src/store/engine.js';
import { runMigrations } from '../../src/store/migration-runner.js';
import { postgresMigrations } from '../../src/store/migrations/postgres/index.js';
import { openEngine } from '../../src/store/open.js';
import { sql } from '../../src/store/sql.js';
import { runCli, spawnServe } from '../support/cli.js';
import { createTestDatabase, openTestEngine, type TestEngine } from '../support/engine.js';
import { tempDir } from '../support/hub.js';
import { introspect } from '../support/introspect.js';
import { seedEveryTable } from '../support/store-fixtures.js';

const LATEST = postgresMigrations.at(-1)?.version;

/** pg_dump and pg_restore of the newest installed PostgreSQL (as scripts/pg-test-server.mjs finds it). */
function pgBin(tool: string): string {
  const fromEnv = process.env['ECOHUB_PG_BIN'];
  const root = '/usr/lib/postgresql';
  const dir =
    fromEnv ??
    join(
      root,
      String(
        readdirSync(root)
          .map(Number)
          .filter((n) => existsSync(join(root, String(n), 'bin', tool)))
          .sort((a, b) => b - a)[0],
      ),
      'bin',
    );
  return join(dir, tool);
}

/** What only PostgreSQL has: several processes on one database, a network in between, its own types. */
describe('PostgreSQL engine', { timeout: 120_000 }, () => {
  let t: TestEngine;
  let db: Engine;
  beforeAll(async () => {
    t = await openTestEngine('postgres');
    db = t.engine;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('migrates once when two runners start at once on one database', async () => {
    const second = await openEngine(t.database.target);
    try {
      const [a, b] = await Promise.all([runMigrations(db), runMigrations(second)]);
      expect([...a.applied, ...b.applied].sort()).toEqual(
        postgresMigrations.map((m) => `${m.version}-${m.name}`).sort(),
      );
      const versions = await db.many(sql`SELECT version FROM ecohub_migrations ORDER BY version`);
      expect(versions.map((v) => v['version'])).toEqual(postgresMigrations.map((m) => m.version));
    } finally {
      await second.close();
    }
  });

  it('refuses TRUNCATE on the append-only tables too', async () => {
    await seedEveryTable(db);
    for (const table of ['partner_ledger_entries', 'commerce_payment_events', 'partner_statement_closures']) {
      await expect(db.run(sql.raw(`TRUNCATE ${table}`))).rejects.toSatisfy((err) =>
        isDatabaseError(err, 'refused'),
      );
    }
  });

  it('reads timestamps as UTC epoch ms and leaves JSON and dates as text', async () => {
    const row = await db.one(
      sql`SELECT now() AS now, TIMESTAMP '2024-01-01 00:00:00.250' AS plain,
            TIMESTAMPTZ '2024-01-01 01:00:00+01' AS zoned, DATE '2024-02-29' AS day,
            '{"a": 1}'::jsonb AS doc, 5::numeric / 2 AS half, 12345678901::numeric AS whole`,
    );
    expect(Math.abs(Number(row?.['now']) - Date.now())).toBeLessThan(60_000);
    expect(row).toMatchObject({
      plain: Date.UTC(2024, 0, 1, 0, 0, 0, 250),
      zoned: Date.UTC(2024, 0, 1),
      day: '2024-02-29',
      doc: '{"a": 1}',
      half: 2.5,
      whole: 12345678901,
    });
  });

  it('delivers a notification to another process on the same database, and resets a listener that lost its connection', async () => {
    const other = await openEngine(t.database.target, { applicationName: 'ecohub-other' });
    try {
      const messages: string[] = [];
      let resets = 0;
      let wake: () => void = () => undefined;
      const waitFor = (what: () => boolean) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('notification not seen within 10 s')), 10_000);
          wake = () => {
            if (!what()) return;
            clearTimeout(timer);
            resolve();
          };
          wake();
        });
      await other.listen('cache_bust', {
        message: (payload) => {
          messages.push(payload);
          wake();
        },
        reset: () => {
          resets++;
          wake();
        },
      });
      await db.notify('cache_bust', 'device:d1');
      await waitFor(() => messages.includes('device:d1'));

      // The server drops the listening connection (restart, failover): it comes back by itself and
      // tells its handlers whatever they cached may be stale.
      const killed = await db.many(
        sql`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
            WHERE application_name = 'ecohub-other-listen' AND datname = current_database()`,
      );
      expect(killed).toEqual([{ ok: true }]);
      await waitFor(() => resets === 1);
      await db.notify('cache_bust', 'device:d2');
      await waitFor(() => messages.includes('device:d2'));
    } finally {
      await other.close();
    }
  });

  it('fails with the host and the reason on a wrong password, and never prints the password', async () => {
    const url = new URL(t.database.url);
    url.password = 'Definitely-Wrong-Pw';
    const res = await runCli(['migrate', '--database', url.toString()], {}, 60_000);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `cannot connect to PostgreSQL at postgres://${url.username}@${url.hostname}:${url.port}`,
    );
    expect(res.stderr).toContain(`password authentication failed for user "${url.username}"`);
    expect(res.stdout + res.stderr).not.toContain('Definitely-Wrong-Pw');
  });

  it('serve on PostgreSQL migrates the database and serves from it; the password never shows', async () => {
    const fresh = await createTestDatabase('postgres');
    try {
      const hub = await spawnServe(['--database', fresh.url], { ECOHUB_DATA_DIR: tempDir() }, 60_000);
      try {
        const ready = await fetch(`http://127.0.0.1:${hub.httpPort}/readyz`);
        expect(ready.status).toBe(200);
        const registered = await fetch(`http://127.0.0.1:${hub.httpPort}/v1/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            email: 'pg@example.com',
            password: 'a long enough password',
            displayName: 'PG',
          }),
        });
        expect(registered.status).toBe(201);
      } finally {
        hub.child.kill('SIGTERM');
        expect(await hub.exited(30_000)).toBe(0);
      }
      expect(hub.output()).not.toContain(new URL(fresh.url).password);
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      try {
        expect((await client.query('SELECT max(version) AS v FROM ecohub_migrations')).rows).toEqual([
          { v: String(LATEST) },
        ]);
        expect(
          (await client.query("SELECT count(*)::int AS n FROM users WHERE email = 'pg@example.com'")).rows,
        ).toEqual([{ n: 1 }]);
      } finally {
        await client.end();
      }
    } finally {
      await fresh.drop();
    }
  });

  it("backs up with pg_dump and restores with pg_restore as the hub's own unprivileged role", async () => {
    const restored = await createTestDatabase('postgres');
    const dump = join(tempDir('ecohub-dump-'), 'ecohub.dump');
    try {
      execFileSync(pgBin('pg_dump'), ['--format=custom', `--file=${dump}`, t.database.url]);
      const role = new URL(restored.url).username;
      execFileSync(pgBin('pg_restore'), ['--no-owner', `--role=${role}`, `--dbname=${restored.url}`, dump]);
      const copy = await openEngine(restored.target);
      try {
        expect(await introspect(copy)).toEqual(await introspect(db));
        expect(await copy.many(sql`SELECT id FROM users WHERE email = ${'ann@example.com'}`)).toEqual([
          { id: 'u1' },
        ]);
        expect(await runMigrations(copy)).toEqual({ from: LATEST, to: LATEST, applied: [] });
        await expect(copy.run(sql`DELETE FROM partner_ledger_entries`)).rejects.toThrow(/append-only/);
      } finally {
        await copy.close();
      }
    } finally {
      rmSync(dump, { force: true });
      await restored.drop();
    }
  });
});
