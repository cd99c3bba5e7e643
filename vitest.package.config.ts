import { defineConfig } from 'vitest/config';

// `npm run test:package`: the package as users get it (npm pack, a global install into a temporary prefix,
// the quick start and the API from there). Slow (the install compiles better-sqlite3), so it is kept out
// of `npm test`; .ci/run runs it after.
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 900_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
