import type { Db } from './database.js';

export interface Migration {
  /** Numbered in steps of 10, ascending, never reused; stored in PRAGMA user_version. */
  readonly version: number;
  readonly name: string;
  readonly up: string;
}

export function checkMigrationOrder(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= previous) {
      throw new Error(`migration ${m.version}-${m.name} is out of order (after ${previous})`);
    }
    previous = m.version;
  }
}

export interface MigrationResult {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly string[];
}

/**
 * Applies every migration newer than the database's user_version, each in its own transaction
 * together with the user_version bump, so a crash leaves the file at a whole version.
 */
export function migrate(db: Db, migrations: readonly Migration[]): MigrationResult {
  checkMigrationOrder(migrations);
  const from = Number(db.pragma('user_version', { simple: true }));
  const latest = migrations.at(-1)?.version ?? 0;
  if (from > latest) {
    throw new Error(`database is at version ${from}, newer than this hub (${latest}): refusing to run`);
  }
  const applied: string[] = [];
  for (const m of migrations) {
    if (m.version <= from) continue;
    db.transaction(() => {
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
    applied.push(`${m.version}-${m.name}`);
  }
  return { from, to: Math.max(from, latest), applied };
}
