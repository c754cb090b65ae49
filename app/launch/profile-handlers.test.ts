import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventMessage } from '../contract/index';
import type { RunCommand } from '../host/deps';
import { makeTestCore } from '../test-support/core';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** nvidia-smi answered from the GPU module's fixtures (two idle H100s). */
function nvidiaSmi(name: string): RunCommand {
  const read = (f: string) => {
    const p = join(import.meta.dirname, '..', 'gpu', 'fixtures', name, f);
    return existsSync(p) ? readFileSync(p, 'utf8') : '';
  };
  return async (_file, args) => {
    const file = args[0]?.startsWith('--query-gpu=')
      ? 'query-gpu.csv'
      : args[0]?.startsWith('--query-compute-apps=')
        ? 'query-compute-apps.csv'
        : 'nvidia-smi.txt';
    return { exitCode: 0, stdout: read(file), stderr: '', timedOut: false };
  };
}

const noGpu: RunCommand = async () => ({ exitCode: null, stdout: '', stderr: '', timedOut: false, spawnError: 'spawn nvidia-smi ENOENT' });

async function core(run: RunCommand = noGpu) {
  const t = await makeTestCore({ run, env: { PATH: '/usr/bin' } });
  cleanups.push(t.cleanup);
  const events: EventMessage[] = [];
  t.core.subscribe((e) => events.push(e));
  return { ...t, events };
}

async function ok<T>(p: Promise<{ ok: true; value: T } | { ok: false; error: unknown }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}

describe('profile handlers through the core', () => {
  it('list, create, rename, diff, delete — each change pushes a "profiles" event', async () => {
    const { core: c, events } = await core();
    const list = await ok(c.invoke('profile:list', undefined));
    expect(list.profiles.map((p) => p.id)).toEqual(['throughput', 'low-latency', 'long-context']);

    const mine = await ok(c.invoke('profile:create', { name: 'Mine', from: 'long-context' }));
    expect(events.filter((e) => e.channel === 'profiles')).toHaveLength(1);

    const edited = { ...mine, flags: { ...mine.flags, 'max-num-seqs': 16 } };
    await ok(c.invoke('profile:save', { profile: edited }));
    const diff = await ok(c.invoke('profile:diff', { id: mine.id }));
    expect(diff).toEqual({ against: 'long-context', changes: [{ kind: 'flag', name: 'max-num-seqs', from: 32, to: 16 }] });

    const renamed = await ok(c.invoke('profile:rename', { id: mine.id, name: 'Renamed' }));
    expect(renamed.name).toBe('Renamed');
    await ok(c.invoke('profile:delete', { id: mine.id }));
    const last = events.filter((e) => e.channel === 'profiles').pop();
    expect(last?.channel === 'profiles' && last.payload.profiles.map((p) => p.id)).toEqual(['throughput', 'low-latency', 'long-context']);
  });

  it('saving a built-in is refused as read_only with a remedy', async () => {
    const { core: c } = await core();
    const { profiles } = await ok(c.invoke('profile:list', undefined));
    const r = await c.invoke('profile:save', { profile: { ...(profiles[0] as (typeof profiles)[number]), description: 'x' } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('read_only');
      expect(r.error.field).toBe('id');
      expect(r.error.remedies[0]?.label).toMatch(/Duplicate/);
    }
  });

  it('bad requests are refused by the contract with the field named', async () => {
    const { core: c } = await core();
    const r = await c.invokeUntrusted('profile:rename', { id: 'x y', name: 'n' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.field).toBe('id');
  });

  it('command:build uses the saved GPU selection (every detected GPU by default)', async () => {
    const { core: c } = await core(nvidiaSmi('h100x2-idle'));
    const out = await ok(c.invoke('command:build', { profileId: 'throughput' }));
    expect(out.gpus).toEqual([0, 1]);
    expect(out.env).toMatchObject({ CUDA_VISIBLE_DEVICES: '0,1', CUDA_DEVICE_ORDER: 'PCI_BUS_ID', TORCH_CUDA_ARCH_LIST: '9.0' });
    expect(out.argv).toEqual(expect.arrayContaining(['--data-parallel-size', '2']));
    expect(out.display).toContain('vllm serve nvidia/NVIDIA-Nemotron-Nano-12B-v2');

    const one = await ok(c.invoke('command:build', { profileId: 'throughput', gpus: [1] }));
    expect(one.env.CUDA_VISIBLE_DEVICES).toBe('1');
    expect(one.dataParallelSize).toBe(1);
  });

  it('command:build with an edited profile, overrides, a venv runtime and no GPUs', async () => {
    const { core: c } = await core();
    const { profiles } = await ok(c.invoke('profile:list', undefined));
    const p = {
      ...(profiles[1] as (typeof profiles)[number]),
      flags: { ...(profiles[1] as (typeof profiles)[number]).flags, 'max-num-seqs': 12 },
    };
    const out = await ok(
      c.invoke('command:build', {
        profile: p,
        overrides: { 'max-model-len': 16384 },
        runtime: { id: 'venv:/p/.venv', kind: 'venv', label: '.venv', argv: ['/p/.venv/bin/vllm'], venvDir: '/p/.venv', version: '0.11.0' },
      }),
    );
    expect(out.argv[0]).toBe('/p/.venv/bin/vllm');
    expect(out.argv).toEqual(expect.arrayContaining(['--max-num-seqs', '12', '--max-model-len', '16384']));
    expect(out.env).toMatchObject({ VIRTUAL_ENV: '/p/.venv', PATH: '/p/.venv/bin:/usr/bin', VLLM_ATTENTION_BACKEND: 'FLASHINFER' });
    expect(out.env.CUDA_VISIBLE_DEVICES).toBeUndefined();
    expect(out.vllmVersion).toBe('0.11.0');
  });

  it('command:build reports invalid values as issues naming the field', async () => {
    const { core: c } = await core();
    const out = await ok(c.invoke('command:build', { profileId: 'throughput', overrides: { 'max-num-seqs': -3 } }));
    expect(out.issues).toContainEqual(expect.objectContaining({ field: 'max-num-seqs', severity: 'error' }));
  });

  it('command:build for an unknown profile is an error naming the field', async () => {
    const { core: c } = await core();
    const r = await c.invoke('command:build', { profileId: 'nope' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ kind: 'not_found', field: 'id' });
  });

  it('script:export → script:import → profile:create', async () => {
    const { core: c } = await core(nvidiaSmi('h100x2-idle'));
    const exp = await ok(c.invoke('script:export', { profileId: 'low-latency' }));
    expect(exp.filename).toBe('launch-low-latency.sh');
    expect(exp.text).toContain('export CUDA_VISIBLE_DEVICES=0,1');
    const imp = await ok(c.invoke('script:import', { text: exp.text }));
    expect(imp.profile.id).toMatch(/^user-/);
    expect(imp.unknown).toEqual([]);
    expect(imp.gpus).toEqual([0, 1]);
    // "LOW_LATENCY" is taken by the built-in, so the UI saves it under another name.
    const created = await ok(c.invoke('profile:create', { name: 'LOW_LATENCY imported', profile: imp.profile }));
    const diff = await ok(c.invoke('profile:diff', { id: created.id, against: 'low-latency' }));
    expect(diff.changes).toEqual([]);
  });
});
