import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // a screen's answer to an action, polled: 5 s before it counts as not coming (1 s, the default, failed
    // on CI's loaded two-core machine where the same step takes 1–3 s — a sharing switch closing its listeners)
    expect: { poll: { timeout: 5000 } },
    pool: 'forks',
    // one file at a time: each browser test starts `serve` processes, brokers and Chromium, and two of them
    // at once on CI's two-core machine made waits of a few seconds fail now and then (sharing, offline
    // map, federation). About 13 min, and the same every run.
    maxWorkers: 1,
    // every answer of every method checked against the contract (src/shared/contract), in-process and in
    // the `serve` processes the browser tests start
    env: { FLEETDESK_CHECK_RESULTS: '1' },
  },
});
