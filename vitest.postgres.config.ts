import { defineConfig } from 'vitest/config';

/**
 * `npm run test:postgres`: the suites that hold on both engines, run against a real PostgreSQL
 * server (ECOHUB_TEST_POSTGRES_URL; see test/support/postgres-setup.ts), each test database
 * created and dropped by the tests. Today that is the store layer; the integration suites join
 * once the domain stores run on the engine API (test/support/hub.ts honours ECOHUB_TEST_ENGINE).
 */
export default defineConfig({
  test: {
    include: ['test/store/**/*.test.ts', 'test/domains/**/*.test.ts'],
    exclude: ['test/store/sqlite-*.test.ts'],
    globalSetup: ['test/support/postgres-setup.ts'],
    env: { ECOHUB_TEST_ENGINE: 'postgres' },
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    allowOnly: false,
  },
});
