import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@keycard/source'] },
  ssr: { resolve: { conditions: ['@keycard/source'], externalConditions: ['@keycard/source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'test/**/*.test.ts',
      'demo/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
