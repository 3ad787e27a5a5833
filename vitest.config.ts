import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { sourceAliases } from './scripts/source-aliases.mjs';

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (the published exports point at dist/).
  resolve: { alias: sourceAliases() },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'packages/web/test/**/*.test.tsx',
      'test/**/*.test.ts',
      'demo/**/*.test.ts',
    ],
    // Install Chromium (test/browser) and nginx (test/cluster) when missing (root + apt-get), else
    // those tests skip.
    globalSetup: ['test/browser/global-setup.ts', 'test/cluster/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Three files at a time even on a 2-core machine (vitest's default there is one): most files spend
    // their time waiting on servers, Chromium or a real expiry, not on the CPU. Whole suite on 2 cores
    // while other work loaded the machine: 974 s with one worker, 809 s with two, 587 s with three.
    maxWorkers: Math.max(3, availableParallelism() - 1),
    // The JSON copy lets .ci/run print one plain closing line ('N passed, N failed, N skipped').
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
