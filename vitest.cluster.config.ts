import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: several hub nodes on loopback as one hub, on a real redis-server started
 * by test/cluster/redis-setup.ts (the suite fails, never skips, without one). The nodes share one
 * database: PostgreSQL once the domains serve from it (ECOHUB_TEST_ENGINE=postgres), one SQLite
 * file meanwhile (ECOHUB_CLUSTER_TEST_SQLITE's escape, for tests only).
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/cluster/redis-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    allowOnly: false,
  },
});
