import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations/index.js';
import { runCli as run } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/engine.js';

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// Each `ecohub` process loads the whole hub: seconds apiece on a loaded 2-core machine.
const runCli = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => run(args, env, 60_000);

// The same versions and names on both engines (test/store/schema.test.ts).
const ALL = migrations.map((m) => `${m.version}-${m.name}`);
const LATEST = migrations.at(-1)?.version;

/** The migrations a `ecohub migrate` run reports it applied. */
function appliedBy(stdout: string): string[] {
  return /\(([^)]*)\)\s*$/.exec(stdout)?.[1]?.split(', ') ?? [];
}

describe('ecohub migrate and --database (on the run engine)', { timeout: 120_000 }, () => {
  const databases: TestDatabase[] = [];
  afterEach(async () => {
    for (const d of databases.splice(0)) await d.drop();
  });
  async function fresh() {
    const d = await createTestDatabase();
    databases.push(d);
    return d;
  }

  it('documents --database and ECOHUB_DATABASE_URL for migrate and serve in --help', async () => {
    // The top-level help holds every command's help: one process instead of three on a busy machine.
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const usage of ['Usage: ecohub migrate', 'Usage: ecohub serve']) {
      const section = help.stdout.slice(help.stdout.indexOf(usage)).split('\nUsage:')[0] ?? '';
      expect(section, usage).toContain('--database URL');
      expect(section, usage).toContain('ECOHUB_DATABASE_URL');
      expect(section, usage).toContain('sqlite:PATH or postgres://');
    }
    const migrate = await runCli(['migrate', '--help']);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('Usage: ecohub migrate');
  });

  it('migrates an empty database, then finds it up to date', async () => {
    const db = await fresh();
    const first = await runCli(['migrate', '--database', db.url]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`migrated from version 0 to ${LATEST}`);
    expect(appliedBy(first.stdout)).toEqual(ALL);
    // The URL may come from the environment too.
    const second = await runCli(['migrate'], { ECOHUB_DATABASE_URL: db.url });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`up to date at version ${LATEST}`);
  });

  it('applies each migration once when two processes migrate the same database at once', async () => {
    const db = await fresh();
    const [a, b] = await Promise.all([
      runCli(['migrate', '--database', db.url]),
      runCli(['migrate', '--database', db.url]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const applied = [...appliedBy(a.stdout), ...appliedBy(b.stdout)];
    expect(applied.sort()).toEqual([...ALL].sort());
  });

  it.each([
    [['--database', 'mysql://root:pw@db/x'], "--database: unsupported database scheme 'mysql:'"],
    [['--database', 'sqlite:'], '--database: the sqlite URL names no file'],
    [['--database', 'postgres://'], '--database: the postgres URL names no host'],
  ])('rejects %j with exit 2, naming the flag', async (args, message) => {
    const res = await runCli(['migrate', ...args]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
  });

  it.each([[['backup', 'out.db'], 'is PostgreSQL: back it up with pg_dump']])(
    'refuses %j on a PostgreSQL URL with exit 2, saying what to do',
    async (args, message) => {
      const res = await runCli([...args, '--database', 'postgres://hub:Pw-Not-Shown@db.invalid/ecohub']);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`--database ${message}`);
      expect(res.stderr).not.toContain('Pw-Not-Shown');
    },
  );

  it('mints, lists and revokes operator tokens on the database --database names', async () => {
    const db = await fresh();
    const minted = await runCli(['admin', 'token', '--label', 'ci', '--database', db.url]);
    expect(minted.code, minted.stderr).toBe(0);
    const id = /^eo_([^_]+)_/.exec(minted.stdout.trim())?.[1];
    expect(id).toBeDefined();
    const listed = await runCli(['admin', 'tokens', '--json'], { ECOHUB_DATABASE_URL: db.url });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ id, label: 'ci', revokedAt: null }),
    ]);
    const revoked = await runCli(['admin', 'revoke', String(id), '--database', db.url]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`operator token ${id} (ci) revoked at`);
  });

  it('names the variable when ECOHUB_DATABASE_URL is wrong', async () => {
    const res = await runCli(['serve'], { ECOHUB_DATABASE_URL: 'redis://localhost' });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("ECOHUB_DATABASE_URL: unsupported database scheme 'redis:'");
  });

  it('fails to start on an unreachable PostgreSQL, naming host and reason and never the password', async () => {
    const port = await closedPort();
    const url = `postgres://hub:Hunter2-Secret@127.0.0.1:${port}/ecohub`;
    for (const args of [
      ['migrate', '--database', url],
      ['serve', '--http-port', '0', '--mqtt-port', '0', '--database', url],
    ]) {
      const res = await runCli(args);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stderr).toContain(`cannot connect to PostgreSQL at postgres://hub@127.0.0.1:${port}/ecohub`);
      expect(res.stderr).toContain('connection refused');
      expect(res.stdout + res.stderr).not.toContain('Hunter2-Secret');
    }
  });
});
