import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/pack installs the packed tarball (a native build): `npm run test:pack`.
    exclude: ['test/pack/**', 'node_modules/**'],
    setupFiles: ['src/polyfill.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
