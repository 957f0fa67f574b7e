import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Suites start servers and child processes; two workers match the 2-core machines.
    maxWorkers: 2,
    // Live pushes (order.watch, catalog.watch) pass through the projection worker; with two
    // suites' servers on two cores one took over the default second once in about 15 full runs.
    expect: { poll: { timeout: 5_000 } },
  },
});
