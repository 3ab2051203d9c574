export interface Migration {
  /**
   * Numbered in steps of 10, ascending, never reused; a database records the highest applied
   * (SQLite: PRAGMA user_version; PostgreSQL: ecohub_migrations). Applied by migration-runner.ts.
   */
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
