import { defineConfig } from 'vitest/config';

// Real-browser tests (`npm run test:browser`): Debian's Chromium driven by playwright-core (see
// test/browser/support/browser.ts). One file at a time: a browser plus a server per file is
// plenty on a 2-core machine. `npm test` (vitest.config.ts) excludes these files.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    // The product's tests need the migrated test database (PGlite snapshot or TEST_DATABASE_URL).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
