import { beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../api';
import { FakeTransport } from '../api/fake-transport';
import { useAppStore } from './app-store';
import { type GpuSelection, type GpuSnapshot, resetGpuStoreForTests, useGpuStore, wireGpuStore } from './gpu-store';

const flush = () => new Promise((r) => setTimeout(r, 0));

const gpu = (index: number, cc = '9.0') => ({
  index,
  uuid: `GPU-${index}`,
  name: 'NVIDIA H100 80GB HBM3',
  memoryTotalMiB: 81559,
  memoryUsedMiB: 0,
  memoryFreeMiB: 81079,
  utilizationPct: 0,
  temperatureC: 30,
  powerDrawW: 70,
  powerLimitW: 700,
  computeCap: cc,
  computeCapSource: 'nvidia-smi' as const,
  driverVersion: '580.159.04',
  pciBusId: null,
  processes: [],
});
const snap = (at: number, n = 2): GpuSnapshot => ({
  at,
  gpus: Array.from({ length: n }, (_, i) => gpu(i)),
  warnings: [],
  driverVersion: '580.159.04',
  cudaVersion: '13.0',
  nvidiaSmi: 'nvidia-smi',
});
/** Mimics the core's derivation closely enough for store tests. */
const sel = (indices: number[]): GpuSelection => ({
  indices,
  env: indices.length ? { CUDA_VISIBLE_DEVICES: indices.join(','), CUDA_DEVICE_ORDER: 'PCI_BUS_ID' } : {},
  dataParallelSize: indices.length,
  issues: [],
});
const system = {
  cpu: { brand: 'x', manufacturer: 'y', cores: 2, physicalCores: 1, speedGHz: null },
  memory: { totalBytes: 2, availableBytes: 1 },
  os: { platform: 'linux', distro: 'd', release: 'r', kernel: 'k', arch: 'x64', hostname: 'h' },
};

let t: FakeTransport;
let saved: number[];
beforeEach(() => {
  resetGpuStoreForTests();
  useAppStore.setState({ notices: [] });
  saved = [0, 1];
  t = new FakeTransport('websocket', 'open')
    .handle('gpu:list', () => ({ ok: true, value: snap(1) }))
    .handle('gpu:selection', () => ({ ok: true, value: sel(saved) }))
    .handle('system:info', () => ({ ok: true, value: system }))
    .handle('gpu:watch', (a) => ({ ok: true, value: { watching: Boolean(a?.on), intervalMs: 2000 } }))
    .handle('gpu:select', (a) => {
      saved = a?.indices ?? [];
      return { ok: true, value: sel(saved) };
    });
  setTransport(t);
});

describe('gpu-store', () => {
  it('the first watcher loads everything and starts polling; the last one stops it', async () => {
    const s = useGpuStore.getState();
    await s.watch(true);
    await s.watch(true);
    expect(t.calls.filter((c) => c.channel === 'gpu:watch').map((c) => c.arg)).toEqual([{ on: true }]);
    expect(useGpuStore.getState()).toMatchObject({ status: 'ready', snapshot: { at: 1 }, selection: { indices: [0, 1] }, system });
    await s.watch(false);
    expect(t.calls.filter((c) => c.channel === 'gpu:watch')).toHaveLength(1);
    await s.watch(false);
    expect(t.calls.filter((c) => c.channel === 'gpu:watch').map((c) => c.arg)).toEqual([{ on: true }, { on: false }]);
    await s.watch(false);
    expect(useGpuStore.getState().watchers).toBe(0);
  });

  it('toggle unticks and ticks a GPU, keeping the core answer (env, DP size)', async () => {
    await useGpuStore.getState().load();
    await useGpuStore.getState().toggle(0);
    expect(useGpuStore.getState().selection).toEqual(sel([1]));
    await useGpuStore.getState().toggle(0);
    expect(useGpuStore.getState().selection?.env.CUDA_VISIBLE_DEVICES).toBe('0,1');
    expect(t.calls.filter((c) => c.channel === 'gpu:select').map((c) => c.arg)).toEqual([{ indices: [1] }, { indices: [0, 1] }]);
  });

  it('shows the tick at once, and reverts with a notice when the core refuses', async () => {
    await useGpuStore.getState().load();
    let answer: (v: unknown) => void = () => {};
    t.handle('gpu:select', () => new Promise((r) => (answer = r as never)));
    const p = useGpuStore.getState().toggle(1);
    expect(useGpuStore.getState().selection?.indices).toEqual([0]);
    answer({ ok: false, error: { kind: 'unknown_gpu', message: 'No GPU with index 1', remedies: [] } });
    await p;
    expect(useGpuStore.getState().selection?.indices).toEqual([0, 1]);
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual(['Could not select GPUs: No GPU with index 1']);
  });

  it('events update the store; gpu-selection echoes are ignored while a select is in flight', async () => {
    const off = wireGpuStore(t);
    t.emit('gpus', snap(42, 1));
    expect(useGpuStore.getState().snapshot?.at).toBe(42);
    t.emit('gpu-selection', sel([1]));
    expect(useGpuStore.getState().selection?.indices).toEqual([1]);

    let answer: (v: unknown) => void = () => {};
    t.handle('gpu:select', () => new Promise((r) => (answer = r as never)));
    const p = useGpuStore.getState().select([0]);
    t.emit('gpu-selection', sel([0, 1]));
    expect(useGpuStore.getState().selection?.indices).toEqual([0]);
    answer({ ok: true, value: sel([0]) });
    await p;
    expect(useGpuStore.getState().selection?.indices).toEqual([0]);
    off();
    expect(t.listenerCount('gpus')).toBe(0);
    expect(t.listenerCount('gpu-selection')).toBe(0);
  });

  it('after a reconnect re-sends the watch, but only while a GPU view is mounted', async () => {
    const off = wireGpuStore(t);
    t.setStatus({ status: 'reconnecting' });
    t.setStatus({ status: 'open' });
    await flush();
    expect(t.calls).toEqual([]);
    await useGpuStore.getState().watch(true);
    const before = t.calls.length;
    t.setStatus({ status: 'reconnecting' });
    t.setStatus({ status: 'open' });
    await flush();
    const again = t.calls.slice(before).map((c) => c.channel);
    expect(again).toContain('gpu:watch');
    expect(again).toContain('gpu:list');
    off();
  });

  it('a failed gpu:list shows an error state', async () => {
    t.handle('gpu:list', () => ({ ok: false, error: { kind: 'internal', message: 'boom', remedies: [] } }));
    await useGpuStore.getState().load();
    expect(useGpuStore.getState()).toMatchObject({ status: 'error', error: { message: 'boom' }, snapshot: null });
  });
});
