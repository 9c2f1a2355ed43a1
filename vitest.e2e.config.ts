import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // Browser screens on a shared 2-core machine: give expect.poll time (its default is 1 s).
    expect: { poll: { timeout: 10_000, interval: 50 } },
  },
});
