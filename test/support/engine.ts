import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { inject } from 'vitest';
import { type DatabaseTarget, parseDatabaseUrl } from '../../src/store/database-url.js';
import type { Engine } from '../../src/store/engine.js';
import { runMigrations } from '../../src/store/migration-runner.js';
import { openEngine } from '../../src/store/open.js';
import { seedEveryTable } from './store-fixtures.js';

/**
 * The engine a test run uses: ECOHUB_TEST_ENGINE=postgres (set by `npm run test:postgres`) or
 * sqlite (the default, `npm test`). Tests that hold on both engines take their database from here.
 */
export type TestEngineKind = 'sqlite' | 'postgres';

export function testEngineKind(): TestEngineKind {
  const kind = process.env['ECOHUB_TEST_ENGINE'] ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres') {
    throw new Error(`ECOHUB_TEST_ENGINE must be sqlite or postgres, got '${kind}'`);
  }
  return kind;
}

export interface TestDatabase {
  /** What `--database` takes (for PostgreSQL: the tests' unprivileged role, with its password). */
  readonly url: string;
  readonly target: DatabaseTarget;
  /** Removes the database (PostgreSQL: DROP DATABASE ... WITH (FORCE)). */
  drop(): Promise<void>;
}

interface PostgresApp {
  readonly role: string;
  readonly password: string;
}

function adminUrl(): string {
  const url = process.env['ECOHUB_TEST_POSTGRES_URL'];
  if (!url) {
    throw new Error(
      'ECOHUB_TEST_POSTGRES_URL is not set: run the PostgreSQL tests with `npm run test:postgres` (see README, "Test it")',
    );
  }
  return url;
}

/** A fresh, empty database of the run's engine (or the one asked for). */
export async function createTestDatabase(kind: TestEngineKind = testEngineKind()): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ecohub-db-'));
    const url = `sqlite:${join(dir, 'ecohub.db')}`;
    return {
      url,
      target: parseDatabaseUrl(url),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const admin = adminUrl();
  // The role test/support/postgres-setup.ts provides. Read through a typed view of inject(): with
  // vite installed, vitest's re-exported ProvidedContext no longer merges a `declare module`.
  const { role, password } = (inject as unknown as (key: 'postgresApp') => PostgresApp)('postgresApp');
  const name = `ecohub_t_${randomBytes(6).toString('hex')}`;
  await withAdmin(admin, (c) => c.query(`CREATE DATABASE ${name} OWNER ${role}`));
  const url = new URL(admin);
  url.username = role;
  url.password = password;
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    target: parseDatabaseUrl(url.toString()),
    drop: () =>
      withAdmin(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  // Loaded here, not at the top: every integration test imports this file through hub.ts.
  const { default: driver } = await import('pg');
  const client = new driver.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestEngine {
  readonly engine: Engine;
  readonly database: TestDatabase;
  /** Closes the engine and drops the database. */
  close(): Promise<void>;
}

/** An engine on a fresh database of the run's engine. */
export async function openTestEngine(kind: TestEngineKind = testEngineKind()): Promise<TestEngine> {
  const database = await createTestDatabase(kind);
  const engine = await openEngine(database.target, { poolSize: 20 });
  return {
    engine,
    database,
    async close() {
      await engine.close();
      await database.drop();
    },
  };
}

export interface MigratedEngineOptions {
  /** Also one row in every table (seedEveryTable, store-fixtures.ts). */
  readonly seed?: boolean;
  readonly kind?: TestEngineKind;
}

/**
 * An engine on a fresh database of the run's engine with every migration applied (and seeded when
 * asked): what a store or domain test starts from. Closing it drops the database.
 */
export async function openMigratedEngine(options: MigratedEngineOptions = {}): Promise<TestEngine> {
  const t = await openTestEngine(options.kind);
  try {
    await runMigrations(t.engine);
    if (options.seed) await seedEveryTable(t.engine);
  } catch (err) {
    await t.close();
    throw err;
  }
  return t;
}
