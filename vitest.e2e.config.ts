import { defineConfig } from 'vitest/config';

/** Browser tests: Chromium (see e2e/support/chromium.ts for which) against the real server on embedded Postgres (`npm run test:e2e`). */
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    globalSetup: ['e2e/support/global-setup.ts'],
    // One browser at a time: the machine is small and the specs time real (simulated) calls.
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
