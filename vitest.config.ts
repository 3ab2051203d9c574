import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // These need a PostgreSQL server: `npm run test:postgres` (vitest.postgres.config.ts).
    exclude: ['**/node_modules/**', 'test/store/postgres-*.test.ts'],
    // Integration tests start real hubs on port 0; two forks keep them from contending on 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    allowOnly: false,
  },
});
