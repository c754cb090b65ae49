import { defineConfig } from 'vitest/config';

// Unit + integration tests for the core, the sim and the renderer's pure logic.
// Conformance tests (they read ../shared/reference) run separately: `npm run test:conformance`.
export default defineConfig({
  test: {
    include: [
      'app/**/*.test.ts',
      'sim/**/*.test.ts',
      'renderer/src/**/*.test.ts',
      'electron/**/*.test.ts',
      'scripts/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/*.conformance.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
