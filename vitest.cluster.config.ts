import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: several hub nodes on loopback as one hub, on a real redis-server started
 * by test/cluster/redis-setup.ts and a real PostgreSQL server (ECOHUB_TEST_POSTGRES_URL, checked by
 * test/cluster/database-setup.ts): the nodes of each test cluster share one PostgreSQL database, as
 * production nodes do. The suite fails, never skips, without either server.
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/cluster/database-setup.ts', 'test/cluster/redis-setup.ts'],
    env: { ECOHUB_TEST_ENGINE: 'postgres' },
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    allowOnly: false,
  },
});
