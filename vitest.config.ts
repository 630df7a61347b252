import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**', 'dist/**'],
    pool: 'forks',
    // Vitest's default leaves a core idle on small machines; the CLI tests spend most of their
    // time in child processes, so two workers keep both cores busy. (The whole suite takes about
    // 10 minutes on 2 cores: see README, Development.)
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
