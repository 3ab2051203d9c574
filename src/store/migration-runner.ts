import type { Engine, Transaction } from './engine.js';
import { migrations as sqliteMigrations } from './migrations/index.js';
import { postgresMigrations } from './migrations/postgres/index.js';
import { checkMigrationOrder, type Migration, type MigrationResult } from './migrations.js';
import { sql } from './sql.js';

/** The migrations of an engine's dialect: the same versions and names on both (checked by a test). */
export function migrationsFor(engine: Pick<Engine, 'dialect'>): readonly Migration[] {
  return engine.dialect === 'sqlite' ? sqliteMigrations : postgresMigrations;
}

// pg_advisory_xact_lock key: a 64-bit constant only ecohub's migrations use ("ecohub" in ASCII).
const MIGRATION_LOCK = 0x6563_6f68_7562;

/**
 * Takes the migration lock for the rest of `tx` and returns the database's version. SQLite: the
 * transaction is BEGIN IMMEDIATE, which holds the database's one write lock; the version is
 * PRAGMA user_version, as it always was. PostgreSQL: a transaction-scoped advisory lock; the
 * version is the highest row of ecohub_migrations.
 */
async function lockedVersion(tx: Transaction): Promise<number> {
  if (tx.dialect === 'sqlite') {
    const row = await tx.one<{ user_version: number }>(sql`PRAGMA user_version`);
    return row?.user_version ?? 0;
  }
  await tx.one(sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
  await tx.exec(`CREATE TABLE IF NOT EXISTS ecohub_migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at BIGINT NOT NULL
  )`);
  const row = await tx.one<{ version: number | null }>(
    sql`SELECT max(version) AS version FROM ecohub_migrations`,
  );
  return row?.version ?? 0;
}

async function recordVersion(tx: Transaction, m: Migration, now: number): Promise<void> {
  if (tx.dialect === 'sqlite') {
    // PRAGMA takes no parameters; the version is an integer from code.
    await tx.exec(`PRAGMA user_version = ${Math.trunc(m.version)}`);
    return;
  }
  await tx.run(
    sql`INSERT INTO ecohub_migrations (version, name, applied_at) VALUES (${m.version}, ${m.name}, ${now})`,
  );
}

export interface RunMigrationsOptions {
  readonly now?: () => number;
}

/**
 * Applies every migration newer than the database, each in its own transaction together with its
 * version, under the migration lock, reading the version again inside the lock: two processes
 * starting at once apply each migration once (the second finds it done and moves on), and a crash
 * leaves the database at a whole version. A database from a newer hub is refused.
 */
export async function runMigrations(
  engine: Engine,
  migrations: readonly Migration[] = migrationsFor(engine),
  options: RunMigrationsOptions = {},
): Promise<MigrationResult> {
  checkMigrationOrder(migrations);
  const now = options.now ?? Date.now;
  const latest = migrations.at(-1)?.version ?? 0;
  const newer = (v: number) =>
    new Error(`database is at version ${v}, newer than this hub (${latest}): refusing to run`);
  const from = await engine.transaction(lockedVersion);
  if (from > latest) throw newer(from);
  const applied: string[] = [];
  for (const m of migrations) {
    if (m.version <= from) continue;
    // Not `durable`: a migration lost to power loss is whole-or-nothing and simply runs again.
    const done = await engine.transaction(async (tx) => {
      const current = await lockedVersion(tx);
      if (current > latest) throw newer(current);
      if (current >= m.version) return false;
      await tx.exec(m.up);
      await recordVersion(tx, m, now());
      return true;
    });
    if (done) applied.push(`${m.version}-${m.name}`);
  }
  return { from, to: Math.max(from, latest), applied };
}

/** The version a database is at, without changing anything (0 for an empty one). */
export async function schemaVersion(engine: Engine): Promise<number> {
  return engine.transaction(lockedVersion);
}
