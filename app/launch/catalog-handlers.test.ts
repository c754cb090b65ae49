import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchCommands } from '../contract/launch';
import type { CoreContext } from '../host/context';
import { PanelError } from '../host/context';
import { type CoreDeps, type RunCommand, realClock } from '../host/deps';
import { launchHandlers } from './catalog-handlers';

const HELP = readFileSync(new URL('./fixtures/help-all-v0.13-excerpt.txt', import.meta.url), 'utf8');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vllm-panel-handlers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function ctx(run: RunCommand): CoreContext {
  const deps: CoreDeps = {
    shell: 'test',
    version: '0.0.0-test',
    paths: { configDir: join(dir, 'c'), dataDir: join(dir, 'd'), cacheDir: join(dir, 'cache'), cwd: join(dir, 'proj') },
    env: { PATH: '' },
    clock: realClock,
    run,
    fetch: globalThis.fetch,
    platform: 'linux',
  };
  return { deps, settings: undefined as never, emit: () => {}, onDispose: () => {}, call: () => Promise.reject(new Error('not used')) };
}

/** A fake runner: the custom runtime `fake-vllm` answers --version and --help=all. */
const fakeRun: RunCommand = async (file, args) => {
  if (file !== 'fake-vllm') return { exitCode: null, stdout: '', stderr: '', timedOut: false, spawnError: 'ENOENT' };
  if (args.includes('--version')) return { exitCode: 0, stdout: '0.13.0\n', stderr: '', timedOut: false };
  if (args.includes('--help=all')) return { exitCode: 0, stdout: HELP, stderr: '', timedOut: false };
  return { exitCode: 2, stdout: '', stderr: 'usage', timedOut: false };
};

describe('launch handlers', () => {
  it('detects runtimes, serves the runtime catalog and validates against it', async () => {
    const h = launchHandlers(ctx(fakeRun));
    const { runtimes } = await h['runtime:detect']({ customCommand: ['fake-vllm'] });
    expect(launchCommands['runtime:detect'].res.safeParse({ runtimes }).success).toBe(true);
    const custom = runtimes.find((r) => r.kind === 'custom');
    expect(custom).toMatchObject({ version: '0.13.0', argv: ['fake-vllm'] });

    const info = await h['catalog:get']({ runtimeId: 'custom' });
    expect(launchCommands['catalog:get'].res.safeParse(info).success).toBe(true);
    expect(info).toMatchObject({ version: '0.13.0', source: 'help' });
    expect(info.flags.map((f) => f.name)).toContain('brand-new-flag');
    expect(info.groups[0]?.name).toBe('options');
    expect(info.removed.map((r) => r.name)).toContain('--enable-reasoning');

    const { issues } = await h['flags:validate']({
      runtimeId: 'custom',
      flags: { 'brand-new-flag': 3, 'mamba-cache-dtype': 'float32', host: '127.0.0.1' },
    });
    expect(issues).toEqual([expect.objectContaining({ field: 'mamba-cache-dtype', kind: 'unknown_flag' })]);
  });

  it('reuses a fresh detection (same options, or none given) unless asked to refresh', async () => {
    let versionCalls = 0;
    const counting: RunCommand = async (file, args, opts) => {
      if (file === 'fake-vllm' && args.includes('--version')) versionCalls++;
      return fakeRun(file, args, opts);
    };
    const h = launchHandlers(ctx(counting));
    await h['runtime:detect']({ customCommand: ['fake-vllm'] });
    expect(versionCalls).toBe(1);
    const again = await h['runtime:detect'](undefined); // e.g. server:start resolving an id
    expect(again.runtimes.some((r) => r.id === 'custom')).toBe(true);
    expect(versionCalls).toBe(1);
    await h['runtime:detect']({ customCommand: ['fake-vllm'], refresh: true });
    expect(versionCalls).toBe(2);
    const plain = await h['runtime:detect']({});
    expect(plain.runtimes.some((r) => r.id === 'custom')).toBe(false);
  });

  it('uses the built-in catalog for a version, and refuses an unknown runtime id', async () => {
    const h = launchHandlers(ctx(fakeRun));
    const info = await h['catalog:get']({ version: '0.30.0' });
    expect(info).toMatchObject({ version: '0.30.0', source: 'builtin' });
    expect(info.flags.length).toBeGreaterThan(200);
    const r = await h['flags:validate']({
      version: '0.30.0',
      flags: { 'max-num-seqs': 64, 'max-num-batched-tokens': 32, host: '::1' },
      gpuCount: 1,
    });
    expect(r.issues.map((i) => i.field)).toEqual(['max-num-batched-tokens']);
    await expect(h['catalog:get']({ runtimeId: 'nope' })).rejects.toBeInstanceOf(PanelError);
  });

  it('checks request shapes at the contract', () => {
    const req = launchCommands['flags:validate'].req;
    expect(req.safeParse({ flags: { port: 8000 }, gpuCount: -1 }).success).toBe(false);
    expect(req.safeParse({ flags: { port: { nested: true } } }).success).toBe(false);
    expect(req.safeParse({ flags: {}, extra: 1 }).success).toBe(false);
    expect(launchCommands['runtime:detect'].req.safeParse({ customCommand: [] }).success).toBe(false);
    expect(launchCommands['runtime:detect'].req.safeParse(undefined).success).toBe(true);
  });
});
