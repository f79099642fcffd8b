import { defineConfig } from 'vitest/config';
import './scripts/node-polyfills.ts';

// Two projects: `node` (unit and integration tests, fake-indexeddb, real
// transformers.js on CPU) and `browser` (real Debian Chromium driven by
// Playwright against the production build served locally; its global setup
// builds the app and the fixture models and starts the servers).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx', 'tests/integration/**/*.test.ts', 'tests/kit/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['tests/setup-node.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // expect.poll waits for what a user would see; its 1 s default gives up on a busy machine.
          expect: { poll: { timeout: 30_000 } },
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/browser/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          expect: { poll: { timeout: 30_000 } },
          fileParallelism: false,
        },
      },
    ],
  },
});
