import { defineConfig } from 'vitest/config';

// Tests run the TypeScript sources: the `skein-source` export condition maps every
// @skein/* package to its src/index.ts, here and in worker threads the runtime starts.
export default defineConfig({
  resolve: { conditions: ['skein-source'] },
  ssr: { resolve: { conditions: ['skein-source'], externalConditions: ['skein-source'] } },
  test: {
    include: ['tests/src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
