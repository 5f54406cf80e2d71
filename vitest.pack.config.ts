// `npm run test:pack`: the packed package installed from its tarball into an empty folder. Kept out of
// `npm test` because installing compiles better-sqlite3 (minutes on a busy machine).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/pack/**/*.test.ts'],
    setupFiles: ['src/polyfill.ts'],
    testTimeout: 15 * 60_000,
    hookTimeout: 15 * 60_000,
    pool: 'forks',
  },
});
