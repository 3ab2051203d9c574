import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Suites needing what `npm test` must not: browser tests need Chromium (`npm run test:e2e`,
    // vitest.e2e.config.ts); the MIoT corpus reads outside data (`npm run test:miot`,
    // vitest.miot.config.ts); test/store/postgres-* need a PostgreSQL server (`npm run test:postgres`,
    // vitest.postgres.config.ts).
    exclude: [
      'test/e2e/**',
      'test/miot/**',
      'test/cluster/**',
      'test/store/postgres-*.test.ts',
      'node_modules/**',
      'dist/**',
    ],
    // Integration tests start real hubs on port 0; two forks keep them from contending on 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    allowOnly: false,
  },
});
