import { defineConfig } from 'vitest/config';

/**
 * `npm run test:e2e`: the web app in a real Chromium against real hubs with simulated devices. Not
 * part of `npm test` (a bare machine has no browser); fails loudly when Chromium is missing.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/support/global-setup.ts'],
    pool: 'forks',
    // One browser at a time: the machine has 2 cores shared with everything else.
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    allowOnly: false,
  },
});
