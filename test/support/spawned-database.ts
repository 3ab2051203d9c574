import type { DatabaseTarget } from '../../src/store/database-url.js';
import { openEngine } from '../../src/store/open.js';
import type { Sql } from '../../src/store/sql.js';
import { createTestDatabase } from './engine.js';

/**
 * The database of a spawned `ecohub serve` (crash tests): a fresh one of the run's engine
 * (ECOHUB_TEST_ENGINE), passed to the child as ECOHUB_DATABASE_URL, read back through the store
 * engine once the hub is gone, dropped at the end.
 */
export interface SpawnedDatabase {
  /** Environment for spawnServe. */
  readonly env: { readonly ECOHUB_DATABASE_URL: string };
  /** For an in-process hub on the same database (startHub's `database`). */
  readonly target: DatabaseTarget;
  /** Rows of a query, read through a short-lived engine of its own. */
  many<T extends object>(query: Sql): Promise<T[]>;
  drop(): Promise<void>;
}

export async function spawnedDatabase(): Promise<SpawnedDatabase> {
  const database = await createTestDatabase();
  return {
    env: { ECOHUB_DATABASE_URL: database.url },
    target: database.target,
    async many<T extends object>(query: Sql) {
      const engine = await openEngine(database.target, { poolSize: 1 });
      try {
        return await engine.many<T>(query);
      } finally {
        await engine.close();
      }
    },
    drop: () => database.drop(),
  };
}
