import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The installed package's test is slow (npm pack, a global install): `npm run test:package` runs it.
    exclude: [...configDefaults.exclude, 'test/package/**'],
    // Each test file's temporary folders are removed when it ends (test/helpers/temp.ts).
    setupFiles: ['test/helpers/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start their own sandbox servers on port 0. Most of a file's time is spent waiting on sockets
    // and timers rather than the CPU, so three files run at once, even on a 2-core machine.
    pool: 'forks',
    maxWorkers: 3,
  },
});
