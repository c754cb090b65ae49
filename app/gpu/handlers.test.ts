import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventMessage } from '../contract/index';
import type { RunCommand } from '../host/deps';
import { makeTestCore } from '../test-support/core';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function fixtureRun(name: string, counter = { n: 0 }): RunCommand {
  const read = (f: string) => {
    const p = join(__dirname, 'fixtures', name, f);
    return existsSync(p) ? readFileSync(p, 'utf8') : '';
  };
  return async (_file, args) => {
    counter.n++;
    const file = args[0]?.startsWith('--query-gpu=')
      ? 'query-gpu.csv'
      : args[0]?.startsWith('--query-compute-apps=')
        ? 'query-compute-apps.csv'
        : 'nvidia-smi.txt';
    return { exitCode: 0, stdout: read(file), stderr: '', timedOut: false };
  };
}

async function core(fixture: string, counter?: { n: number }) {
  const t = await makeTestCore({ run: fixtureRun(fixture, counter) });
  cleanups.push(t.cleanup);
  const events: EventMessage[] = [];
  t.core.subscribe((e) => events.push(e));
  return { ...t, events };
}

describe('gpu handlers through the core', () => {
  it('gpu:list returns a validated snapshot', async () => {
    const { core: c } = await core('h100x2-busy');
    const r = await c.invoke('gpu:list', undefined);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.gpus.map((g) => g.index)).toEqual([0, 1]);
      expect(r.value.cudaVersion).toBe('13.0');
    }
  });

  it('gpu:list with maxAgeMs reuses a recent snapshot instead of running nvidia-smi again', async () => {
    const counter = { n: 0 };
    const { core: c } = await core('h100-single', counter);
    await c.invoke('gpu:list', undefined);
    const after = counter.n;
    await c.invoke('gpu:list', { maxAgeMs: 60_000 });
    expect(counter.n).toBe(after);
    await c.invoke('gpu:list', {});
    expect(counter.n).toBeGreaterThan(after);
  });

  it('rejects a bad gpu:list argument from a transport', async () => {
    const { core: c } = await core('h100-single');
    const r = await c.invokeUntrusted('gpu:list', { maxAgeMs: -1 });
    expect(r).toMatchObject({ ok: false, error: { kind: 'invalid_argument', field: 'maxAgeMs' } });
  });

  it('gpu:watch pushes gpus events while on and stops when off', async () => {
    const { core: c, events } = await core('h100-single');
    const r = await c.invoke('gpu:watch', { on: true });
    expect(r).toEqual({ ok: true, value: { watching: true, intervalMs: 2000 } });
    await new Promise((res) => setTimeout(res, 50));
    const gpus = events.filter((e) => e.channel === 'gpus');
    expect(gpus).toHaveLength(1);
    expect(await c.invoke('gpu:watch', { on: false })).toEqual({ ok: true, value: { watching: false, intervalMs: 2000 } });
  });

  it('gpu:selection defaults to every detected GPU', async () => {
    const { core: c } = await core('mixed-4');
    const r = await c.invoke('gpu:selection', undefined);
    expect(r.ok && r.value).toMatchObject({ indices: [0, 1, 2, 3], dataParallelSize: 4, env: { TORCH_CUDA_ARCH_LIST: '8.0;8.6;8.9;9.0' } });
  });

  it('gpu:select persists the choice, pushes gpu-selection, and a new core reads it back', async () => {
    const { core: c, events, dir } = await core('mixed-4');
    const r = await c.invoke('gpu:select', { indices: [3, 0] });
    expect(r.ok && r.value.env).toEqual({ CUDA_VISIBLE_DEVICES: '0,3', CUDA_DEVICE_ORDER: 'PCI_BUS_ID', TORCH_CUDA_ARCH_LIST: '8.0;9.0' });
    expect(events.find((e) => e.channel === 'gpu-selection')?.payload).toMatchObject({ indices: [0, 3] });
    expect(JSON.parse(await readFile(join(dir, 'config', 'gpu-selection.json'), 'utf8'))).toEqual({ indices: [0, 3] });

    const again = await makeTestCore({
      run: fixtureRun('mixed-4'),
      paths: { configDir: join(dir, 'config'), dataDir: join(dir, 'data'), cacheDir: join(dir, 'cache'), cwd: dir },
    });
    cleanups.unshift(() => again.core.dispose());
    const back = await again.core.invoke('gpu:selection', undefined);
    expect(back.ok && back.value.indices).toEqual([0, 3]);
  });

  it('gpu:select refuses an index nvidia-smi does not list, naming the field and offering the real ones', async () => {
    const { core: c } = await core('h100x2-idle');
    const r = await c.invoke('gpu:select', { indices: [0, 7] });
    expect(r).toMatchObject({
      ok: false,
      error: { kind: 'unknown_gpu', field: 'indices', remedies: [{ action: { type: 'select-gpus', gpus: [0, 1] } }] },
    });
  });

  it('a corrupt selection file is kept aside and reported, and the default applies', async () => {
    const { core: c, dir, events } = await core('h100x2-idle');
    await mkdir(join(dir, 'config'), { recursive: true });
    await writeFile(join(dir, 'config', 'gpu-selection.json'), '{"indices": "zero"}');
    const r = await c.invoke('gpu:selection', undefined);
    expect(r.ok && r.value.indices).toEqual([0, 1]);
    expect(events.find((e) => e.channel === 'notice')?.payload).toMatchObject({ level: 'warning' });
    expect((await readdir(join(dir, 'config'))).some((f) => f.startsWith('gpu-selection.json.corrupt-'))).toBe(true);
  });

  it('with no GPU the selection is empty and says so', async () => {
    const t = await makeTestCore({ run: async () => ({ exitCode: null, stdout: '', stderr: '', timedOut: false, spawnError: 'ENOENT' }) });
    cleanups.push(t.cleanup);
    const r = await t.core.invoke('gpu:selection', undefined);
    expect(r.ok && r.value).toEqual({ indices: [], env: {}, dataParallelSize: 0, issues: ['No GPU selected.'] });
  });

  it('system:info reads CPU, RAM and OS of this machine', async () => {
    const { core: c } = await core('h100-single');
    const r = await c.invoke('system:info', undefined);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.cpu.cores).toBeGreaterThan(0);
      expect(r.value.memory.totalBytes).toBeGreaterThan(r.value.memory.availableBytes);
      expect(r.value.os.platform).toBe(process.platform);
    }
  });
});
