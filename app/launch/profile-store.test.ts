import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileStore, ProfileStoreError } from './profile-store';
import {
  BUILTIN_PROFILES,
  builtinProfile,
  closestBuiltin,
  DEFAULT_MODEL,
  defaultServedModelName,
  diffProfiles,
  withFlags,
} from './profiles';
import type { Profile } from './types';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vllm-panel-profiles-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fresh(): Promise<ProfileStore> {
  const s = new ProfileStore(dir, () => Date.parse('2026-11-26T12:00:00Z'));
  expect(await s.load()).toBeUndefined();
  return s;
}

describe('built-in profiles', () => {
  it('carry exactly the launcher values', () => {
    const byId = Object.fromEntries(BUILTIN_PROFILES.map((p) => [p.id, p]));
    expect(Object.keys(byId)).toEqual(['throughput', 'low-latency', 'long-context']);
    expect(BUILTIN_PROFILES.map((p) => p.name)).toEqual(['THROUGHPUT', 'LOW_LATENCY', 'LONG_CONTEXT']);
    const numbers = BUILTIN_PROFILES.map((p) => [p.flags['max-num-seqs'], p.flags['max-num-batched-tokens'], p.flags['max-model-len']]);
    expect(numbers).toEqual([
      [64, 16384, 32768],
      [32, 4096, 32768],
      [32, 8192, 65536],
    ]);
    for (const p of BUILTIN_PROFILES) {
      expect(p.builtin).toBe(true);
      expect(p.model).toBe('nvidia/NVIDIA-Nemotron-Nano-12B-v2');
      expect(p.flags).toMatchObject({
        'served-model-name': ['nemotron-nano-12b-v2'],
        port: 8000,
        'trust-remote-code': true,
        'mamba-ssm-cache-dtype': 'float32',
        'kv-cache-dtype': 'fp8_e5m2',
        'gpu-memory-utilization': 0.95,
        'enable-prefix-caching': true,
        'attention-backend': 'FLASHINFER',
      });
      expect(p.flags.host).toBeUndefined(); // the builder binds 127.0.0.1 unless exposed
      expect(p.env).toEqual({ TOKENIZERS_PARALLELISM: 'false', OMP_NUM_THREADS: '1', PYTORCH_CUDA_ALLOC_CONF: 'expandable_segments:True' });
    }
  });

  it('are frozen copies: changing a returned one does not change the next', () => {
    const a = builtinProfile('throughput') as Profile;
    a.flags['max-num-seqs'] = 1;
    expect(builtinProfile('throughput')?.flags['max-num-seqs']).toBe(64);
  });

  it('served name rule', () => {
    expect(defaultServedModelName(DEFAULT_MODEL)).toBe('nemotron-nano-12b-v2');
    expect(defaultServedModelName('Qwen/Qwen3-0.6B')).toBe('qwen3-0.6b');
    expect(defaultServedModelName('/models/llama/')).toBe('llama');
  });
});

describe('diff', () => {
  it('lists changed, added and removed flags and env', () => {
    const base = builtinProfile('throughput') as Profile;
    const p = withFlags(base, { 'max-num-seqs': 40, 'kv-cache-dtype': undefined, 'enforce-eager': true });
    p.env.HF_HOME = '/data';
    delete p.env.OMP_NUM_THREADS;
    expect(diffProfiles(base, p)).toEqual([
      { kind: 'flag', name: 'enforce-eager', to: true },
      { kind: 'flag', name: 'kv-cache-dtype', from: 'fp8_e5m2' },
      { kind: 'flag', name: 'max-num-seqs', from: 64, to: 40 },
      { kind: 'env', name: 'HF_HOME', to: '/data' },
      { kind: 'env', name: 'OMP_NUM_THREADS', from: '1' },
    ]);
    expect(diffProfiles(base, base)).toEqual([]);
  });

  it('finds the built-in a profile came from', () => {
    const p = withFlags(builtinProfile('long-context') as Profile, { 'max-num-seqs': 16 });
    expect(closestBuiltin(p).id).toBe('long-context');
  });
});

describe('ProfileStore', () => {
  it('lists built-ins first, then user profiles by name', async () => {
    const s = await fresh();
    await s.create('zeta');
    await s.create('Alpha', 'long-context');
    expect(s.list().map((p) => p.name)).toEqual(['THROUGHPUT', 'LOW_LATENCY', 'LONG_CONTEXT', 'Alpha', 'zeta']);
    expect(s.list()[3]?.flags['max-model-len']).toBe(65536);
  });

  it('create / duplicate / rename / delete persist across loads', async () => {
    const s = await fresh();
    const a = await s.create('Mine', 'low-latency');
    expect(a.id).toMatch(/^user-[0-9a-f-]{36}$/);
    expect(a.builtin).toBe(false);
    const dup = await s.duplicate(a.id);
    expect(dup.name).toBe('Mine copy');
    expect((await s.duplicate(a.id)).name).toBe('Mine copy 2');
    const dupBuiltin = await s.duplicate('throughput');
    expect(dupBuiltin.name).toBe('THROUGHPUT copy');
    expect(dupBuiltin.builtin).toBe(false);
    await s.rename(a.id, 'Renamed');
    await s.delete(dup.id);

    const again = await fresh();
    expect(again.list().map((p) => p.name)).toEqual([
      'THROUGHPUT',
      'LOW_LATENCY',
      'LONG_CONTEXT',
      'Mine copy 2',
      'Renamed',
      'THROUGHPUT copy',
    ]);
    expect(again.get(a.id)?.flags['max-num-batched-tokens']).toBe(4096);
  });

  it('built-ins are read-only', async () => {
    const s = await fresh();
    const edited = { ...(builtinProfile('throughput') as Profile), flags: { 'max-num-seqs': 1 } };
    await expect(s.save(edited)).rejects.toMatchObject({ kind: 'read_only', field: 'id' });
    await expect(s.rename('throughput', 'x')).rejects.toBeInstanceOf(ProfileStoreError);
    await expect(s.delete('low-latency')).rejects.toMatchObject({ kind: 'read_only' });
    expect(s.get('throughput')?.flags['max-num-seqs']).toBe(64);
  });

  it('names are unique (case-insensitive) and required', async () => {
    const s = await fresh();
    await expect(s.create('throughput')).rejects.toMatchObject({ kind: 'name_taken', field: 'name' });
    await expect(s.create('   ')).rejects.toMatchObject({ kind: 'invalid', field: 'name' });
    await expect(s.rename('nope', 'x')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('save validates the profile (schema) and names the field', async () => {
    const s = await fresh();
    const p = await s.create('Mine');
    await expect(s.save({ ...p, extraArgs: 'nope' as unknown as string[] })).rejects.toMatchObject({ kind: 'invalid', field: 'extraArgs' });
  });

  it('writes atomically: no temp files left, file is valid JSON', async () => {
    const s = await fresh();
    await Promise.all([s.create('a'), s.create('b'), s.create('c')]);
    const files = await readdir(dir);
    expect(files).toEqual(['profiles.json']);
    const json = JSON.parse(await readFile(join(dir, 'profiles.json'), 'utf8'));
    expect(json.version).toBe(1);
    expect(json.profiles.map((p: Profile) => p.name).sort()).toEqual(['a', 'b', 'c']);
  });

  it('a corrupt file is kept aside and reported, never silently lost', async () => {
    await writeFile(join(dir, 'profiles.json'), '{"version":1,"profiles":[{"id":"user-1"', 'utf8');
    const s = new ProfileStore(dir, () => Date.parse('2026-11-26T12:00:00Z'));
    const problem = await s.load();
    expect(problem).toMatch(/profiles\.json was unreadable: not valid JSON/);
    expect(problem).toMatch(/kept as .*profiles\.json\.corrupt-2026-11-26T12-00-00-000Z/);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['profiles.json.corrupt-2026-11-26T12-00-00-000Z']);
    expect(await readFile(join(dir, files[0] as string), 'utf8')).toBe('{"version":1,"profiles":[{"id":"user-1"');
    expect(s.list()).toHaveLength(3);
  });

  it('a schema-invalid file is kept aside too', async () => {
    await writeFile(join(dir, 'profiles.json'), JSON.stringify({ version: 1, profiles: [{ id: 'BAD ID', name: 'x' }] }), 'utf8');
    const s = new ProfileStore(dir);
    expect(await s.load()).toMatch(/was unreadable: profiles\.0\./);
  });

  it('a hand-edited file that shadows a built-in id is reported and that entry ignored', async () => {
    const shadow = { ...(builtinProfile('throughput') as Profile), builtin: false, name: 'Sneaky' };
    await writeFile(join(dir, 'profiles.json'), JSON.stringify({ version: 1, profiles: [shadow] }), 'utf8');
    const s = new ProfileStore(dir);
    expect(await s.load()).toMatch(/built-in ids .*throughput/);
    expect(s.get('throughput')?.name).toBe('THROUGHPUT');
  });
});
