import { defineConfig } from 'vitest/config';

// Conformance: our parsers and the simulator against the real vLLM logs in
// ../shared/reference/vllm-logs (present in CI and on developer machines beside the repo).
export default defineConfig({
  test: {
    include: ['app/**/*.conformance.test.ts', 'sim/**/*.conformance.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
