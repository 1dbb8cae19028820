import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // every answer of every method checked against the contract (src/shared/contract), in-process and in
    // the `serve` processes the browser tests start
    env: { FLEETDESK_CHECK_RESULTS: '1' },
  },
});
