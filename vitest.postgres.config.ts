import { defineConfig } from 'vitest/config';

/**
 * `npm run test:postgres`: the suites that hold on both engines, run against a real PostgreSQL
 * server (ECOHUB_TEST_POSTGRES_URL; see test/support/postgres-setup.ts), each test database
 * created and dropped by the tests: the store layer, the domain stores, and the whole integration
 * suite (test/support/hub.ts and test/support/spawned-database.ts honour ECOHUB_TEST_ENGINE, the
 * kill -9 crash tests included). Excluded by name, as inherently about SQLite files:
 * - test/store/sqlite-*: the SQLite engine and CLI themselves;
 * - data-files: file modes of ecohub.db, its -wal/-shm and backups;
 * - cli: `ecohub serve` on the default SQLite file in its data folder, `ecohub backup` of that file;
 * - cluster-refusal: refusing cluster mode on the SQLite default;
 * - ingest-event-loop: holds SQLite's write lock from another connection to starve the writer thread.
 */
export default defineConfig({
  test: {
    include: ['test/store/**/*.test.ts', 'test/domains/**/*.test.ts', 'test/integration/**/*.test.ts'],
    exclude: [
      'test/store/sqlite-*.test.ts',
      'test/integration/data-files.test.ts',
      'test/integration/cli.test.ts',
      'test/integration/cluster-refusal.test.ts',
      'test/integration/ingest-event-loop.test.ts',
    ],
    globalSetup: ['test/support/postgres-setup.ts'],
    env: { ECOHUB_TEST_ENGINE: 'postgres' },
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    allowOnly: false,
  },
});
