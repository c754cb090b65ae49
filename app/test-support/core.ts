import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Core, createCore } from '../host/core';
import { type CoreDeps, defaultDeps } from '../host/deps';

/** A real core over a throw-away config dir; `cleanup` disposes it and removes the dir. */
export async function makeTestCore(overrides: Partial<CoreDeps> = {}): Promise<{ core: Core; dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'vllm-panel-test-'));
  const core = await createCore(
    defaultDeps({
      shell: 'test',
      version: '0.0.0-test',
      paths: { configDir: join(dir, 'config'), dataDir: join(dir, 'data'), cacheDir: join(dir, 'cache'), cwd: dir },
      ...overrides,
    }),
  );
  return {
    core,
    dir,
    cleanup: async () => {
      await core.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
