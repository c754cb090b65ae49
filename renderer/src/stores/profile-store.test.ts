import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../api';
import { FakeTransport } from '../api/fake-transport';
import type { CommandArg } from '../contract';
import { resetGpuStoreForTests, useGpuStore } from './gpu-store';
import {
  type BuiltCommand,
  isDirty,
  type Profile,
  resetProfileStoreForTests,
  uniqueProfileName,
  useProfileStore,
  wireProfileStore,
} from './profile-store';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Longer than the store's rebuild debounce. */
const settle = () => wait(250);

const builtin = (id: string, name: string, seqs: number): Profile => ({
  id,
  name,
  builtin: true,
  description: '',
  model: 'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
  flags: { 'max-num-seqs': seqs, 'max-num-batched-tokens': 8192, 'max-model-len': 32768 },
  env: { OMP_NUM_THREADS: '1' },
  extraArgs: [],
});
const BUILTINS = [builtin('throughput', 'THROUGHPUT', 64), builtin('low-latency', 'LOW_LATENCY', 32)];

function built(p: Profile, gpus: number[] = []): BuiltCommand {
  const argv = ['vllm', 'serve', p.model, ...Object.entries(p.flags).flatMap(([k, v]) => [`--${k}`, String(v)])];
  const issues =
    typeof p.flags['max-num-seqs'] === 'string'
      ? [{ field: 'max-num-seqs', severity: 'error' as const, kind: 'bad_type' as const, message: 'invalid int value' }]
      : [];
  return { argv, env: {}, issues, display: argv.join(' '), gpus, dataParallelSize: Math.max(1, gpus.length), vllmVersion: null };
}

let t: FakeTransport;
let builds: CommandArg<'command:build'>[];
let users: Profile[];
let off: () => void;

beforeEach(() => {
  resetProfileStoreForTests();
  resetGpuStoreForTests();
  builds = [];
  users = [];
  t = new FakeTransport();
  t.handle('profile:list', () => ({ ok: true, value: { profiles: [...BUILTINS, ...users] } }))
    .handle('catalog:get', () => ({ ok: true, value: { version: null, source: 'builtin', notes: [], groups: [], flags: [], removed: [] } }))
    .handle('runtime:detect', () => ({
      ok: true,
      value: {
        runtimes: [
          { id: 'sim', kind: 'sim', label: 'Simulator', argv: ['node', 'sim.js'] },
          { id: 'path:/usr/bin/vllm', kind: 'path', label: 'vllm', argv: ['/usr/bin/vllm'], version: '0.13.0' },
        ],
      },
    }))
    .handle('command:build', (arg) => {
      builds.push(arg as CommandArg<'command:build'>);
      const a = arg as CommandArg<'command:build'>;
      return { ok: true, value: built(a.profile as Profile, a.gpus) };
    })
    .handle('profile:create', (arg) => {
      const a = arg as CommandArg<'profile:create'>;
      const p = { ...(a.profile as Profile), id: `user-${users.length + 1}`, name: a.name, builtin: false };
      users.push(p);
      return { ok: true, value: p };
    })
    .handle('profile:save', (arg) => ({ ok: true, value: (arg as CommandArg<'profile:save'>).profile as Profile }))
    .handle('gpu:select', (arg) => ({
      ok: true,
      value: { indices: (arg as { indices: number[] }).indices, env: {}, dataParallelSize: 1, issues: [] },
    }));
  setTransport(t);
  off = wireProfileStore(t);
});
afterEach(() => {
  off();
  setTransport(undefined);
});

describe('profile store', () => {
  it('loads the profiles, selects THROUGHPUT, picks the runtime Start uses and builds its command', async () => {
    await useProfileStore.getState().load();
    await settle();
    const s = useProfileStore.getState();
    expect(s.profiles.map((p) => p.id)).toEqual(['throughput', 'low-latency']);
    expect(s.current.id).toBe('throughput');
    // Same rule as the server: the first non-simulator runtime.
    expect(s.runtime?.id).toBe('path:/usr/bin/vllm');
    expect(s.command?.argv).toContain('--max-num-seqs');
    expect(builds.at(-1)?.runtime?.id).toBe('path:/usr/bin/vllm');
    expect(isDirty(s)).toBe(false);
  });

  it('edits change `current` (effective profile), debounce the rebuild, and mark it dirty', async () => {
    await useProfileStore.getState().load();
    await settle();
    const before = builds.length;
    const st = useProfileStore.getState();
    st.setFlag('max-num-seqs', 4);
    st.setFlag('max-num-seqs', 40);
    st.setFlag('max-model-len', undefined);
    await settle();
    const s = useProfileStore.getState();
    expect(s.current.flags).toEqual({ 'max-num-seqs': 40, 'max-num-batched-tokens': 8192 });
    expect(s.base?.flags['max-num-seqs']).toBe(64);
    expect(isDirty(s)).toBe(true);
    expect(builds.length - before).toBe(1);
    expect(builds.at(-1)?.profile?.flags['max-num-seqs']).toBe(40);
    s.revert();
    expect(isDirty(useProfileStore.getState())).toBe(false);
  });

  it('an invalid value reaches the core and its error comes back on the field', async () => {
    await useProfileStore.getState().load();
    useProfileStore.getState().setFlag('max-num-seqs', 'lots');
    await settle();
    expect(useProfileStore.getState().command?.issues).toEqual([expect.objectContaining({ field: 'max-num-seqs', severity: 'error' })]);
  });

  it('switching profiles resets the edits to that profile', async () => {
    await useProfileStore.getState().load();
    useProfileStore.getState().setFlag('max-num-seqs', 1);
    useProfileStore.getState().select('low-latency');
    await settle();
    const s = useProfileStore.getState();
    expect(s.current.flags['max-num-seqs']).toBe(32);
    expect(s.command?.argv).toEqual(expect.arrayContaining(['--max-num-seqs', '32']));
  });

  it('applyRemedy sets and unsets flags and selects GPUs', async () => {
    await useProfileStore.getState().load();
    const st = useProfileStore.getState();
    expect(st.applyRemedy({ label: 'Lower max-num-seqs to 40', action: { type: 'set-flag', flag: 'max-num-seqs', value: 40 } })).toBe(true);
    expect(useProfileStore.getState().current.flags['max-num-seqs']).toBe(40);
    expect(st.applyRemedy({ label: 'Let vLLM pick', action: { type: 'unset-flag', flag: 'max-model-len' } })).toBe(true);
    expect(useProfileStore.getState().current.flags['max-model-len']).toBeUndefined();
    expect(st.applyRemedy({ label: 'Use GPU 0 and 1', action: { type: 'select-gpus', gpus: [0, 1] } })).toBe(true);
    await wait(0);
    expect(t.calls.some((c) => c.channel === 'gpu:select')).toBe(true);
    expect(st.applyRemedy({ label: 'Read the docs' })).toBe(false);
  });

  it('saving a built-in creates a user copy with a free name; saving a user profile saves in place', async () => {
    await useProfileStore.getState().load();
    useProfileStore.getState().setFlag('max-num-seqs', 12);
    expect(await useProfileStore.getState().save()).toBe(true);
    let s = useProfileStore.getState();
    expect(s.current.id).toBe('user-1');
    expect(s.current.name).toBe('THROUGHPUT custom');
    expect(s.current.flags['max-num-seqs']).toBe(12);
    expect(isDirty(s)).toBe(false);

    s.setFlag('max-num-seqs', 13);
    expect(await s.save()).toBe(true);
    s = useProfileStore.getState();
    expect(t.calls.filter((c) => c.channel === 'profile:save')).toHaveLength(1);
    expect(s.base?.flags['max-num-seqs']).toBe(13);
    expect(uniqueProfileName('THROUGHPUT custom', s.profiles)).toBe('THROUGHPUT custom 2');
  });

  it('a profile that the core\'s "profiles" event already brought is not listed twice', async () => {
    await useProfileStore.getState().load();
    t.handle('profile:duplicate', () => {
      const p = { ...(BUILTINS[0] as Profile), id: 'user-7', name: 'THROUGHPUT copy', builtin: false };
      // The core pushes the new list before it answers (as profile-handlers does).
      t.emit('profiles', { profiles: [...BUILTINS, p] });
      return { ok: true, value: p };
    });
    await useProfileStore.getState().duplicate('throughput');
    expect(useProfileStore.getState().profiles.map((p) => p.id)).toEqual(['throughput', 'low-latency', 'user-7']);
  });

  it('a "profiles" event updates the list; a deleted selection falls back to the first built-in', async () => {
    users.push({ ...builtin('user-9', 'Mine', 8), builtin: false });
    await useProfileStore.getState().load();
    useProfileStore.getState().select('user-9');
    expect(useProfileStore.getState().current.id).toBe('user-9');
    t.emit('profiles', { profiles: [...BUILTINS, { ...builtin('user-9', 'Renamed', 8), builtin: false }] });
    expect(useProfileStore.getState().current.name).toBe('Renamed');
    t.emit('profiles', { profiles: BUILTINS });
    expect(useProfileStore.getState().current.id).toBe('throughput');
  });

  it('ticking GPUs rebuilds the command for those GPUs', async () => {
    useGpuStore.setState({
      snapshot: { at: 1, gpus: [], warnings: [], driverVersion: null, cudaVersion: null, nvidiaSmi: 'x' },
      selection: { indices: [0], env: {}, dataParallelSize: 1, issues: [] },
    });
    await useProfileStore.getState().load();
    await settle();
    // No GPU detected: the core decides (no gpus in the request).
    expect(builds.at(-1)?.gpus).toBeUndefined();
    const gpu = {
      index: 0,
      uuid: 'a',
      name: 'H100',
      memoryTotalMiB: 1,
      memoryUsedMiB: 0,
      memoryFreeMiB: 1,
      utilizationPct: 0,
      temperatureC: 1,
      powerDrawW: 1,
      powerLimitW: 1,
      computeCap: '9.0',
      computeCapSource: 'nvidia-smi' as const,
      driverVersion: null,
      pciBusId: null,
      processes: [],
    };
    useGpuStore.setState({
      snapshot: {
        at: 2,
        gpus: [gpu, { ...gpu, index: 1, uuid: 'b' }],
        warnings: [],
        driverVersion: null,
        cudaVersion: null,
        nvidiaSmi: 'x',
      },
      selection: { indices: [0, 1], env: {}, dataParallelSize: 2, issues: [] },
    });
    await settle();
    expect(builds.at(-1)?.gpus).toEqual([0, 1]);
    expect(useProfileStore.getState().command?.dataParallelSize).toBe(2);
  });

  it('drops a stale build answer that arrives after a newer one', async () => {
    await useProfileStore.getState().load();
    await settle();
    let release: () => void = () => {};
    const slow = new Promise<void>((r) => {
      release = r;
    });
    let n = 0;
    t.handle('command:build', async (arg) => {
      const a = arg as CommandArg<'command:build'>;
      if (n++ === 0) await slow;
      return { ok: true, value: built(a.profile as Profile) };
    });
    useProfileStore.getState().setFlag('max-num-seqs', 1);
    await settle(); // first build in flight (held)
    useProfileStore.getState().setFlag('max-num-seqs', 2);
    await settle(); // second build answered
    release();
    await wait(10);
    expect(useProfileStore.getState().command?.argv).toEqual(expect.arrayContaining(['--max-num-seqs', '2']));
  });

  it('import: read, then save as a profile (optionally selecting its GPUs)', async () => {
    await useProfileStore.getState().load();
    const imported = { ...builtin('user-x', 'Imported', 48), builtin: false };
    t.handle('script:import', () => ({
      ok: true,
      value: {
        profile: imported,
        unknown: ['--frob 1 (unknown flag, kept as extra arguments)'],
        warnings: [],
        gpus: [1],
        exposeOnNetwork: false,
        caseChoices: [],
      },
    }));
    await useProfileStore.getState().readImport('vllm serve m --frob 1');
    expect(useProfileStore.getState().importResult?.unknown).toHaveLength(1);
    expect(await useProfileStore.getState().saveImport('From script', true)).toBe(true);
    const s = useProfileStore.getState();
    expect(s.current.name).toBe('From script');
    expect(s.importResult).toBeNull();
    expect(t.calls.find((c) => c.channel === 'gpu:select')?.arg).toEqual({ indices: [1] });
  });
});
