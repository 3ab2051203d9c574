import { defineConfig } from 'vitest/config';

/**
 * `npm run test:miot`: the real MIoT-Spec-V2 corpus, read from outside the project
 * (test/miot/corpus.ts). Separate from `npm test` because it needs that outside data.
 */
export default defineConfig({
  test: {
    include: ['test/miot/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    allowOnly: false,
  },
});
