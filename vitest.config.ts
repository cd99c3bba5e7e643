import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start their own sandbox servers on port 0; files run in parallel on the machine's 2 cores.
    pool: 'forks',
  },
});
