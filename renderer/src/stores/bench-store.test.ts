import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../api';
import { FakeTransport } from '../api/fake-transport';
import { type BenchResultDto, BenchResultSchema } from '../contract';
import fixture from '../features/bench/fixtures/sweep-result.json';
import { resetBenchStoreForTests, useBenchStore, wireBenchStore } from './bench-store';

const result: BenchResultDto = BenchResultSchema.parse(fixture);
const summary = {
  id: result.id,
  name: result.name,
  kind: 'sweep' as const,
  createdAt: 1,
  status: 'complete' as const,
  model: null,
  gpu: null,
  profiles: [],
  levels: result.levels,
  bestOutputTps: 3000,
};
let fake: FakeTransport;
const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  resetBenchStoreForTests();
  fake = new FakeTransport();
  setTransport(fake);
  fake.handle('bench:list', () => ({ ok: true, value: { runs: [summary], running: null } }));
  fake.handle('bench:get', (a) =>
    a?.id === result.id ? { ok: true, value: result } : { ok: false, error: { kind: 'not_found', message: 'no such run', remedies: [] } },
  );
});
afterEach(() => setTransport(undefined));

describe('bench store', () => {
  it('loads the saved runs on connect and follows events of the running benchmark', async () => {
    const off = wireBenchStore(fake);
    await flush();
    expect(useBenchStore.getState().runs).toEqual([summary]);
    fake.handle('bench:sweep', () => ({ ok: true, value: { id: 'run-1' } }));
    await useBenchStore.getState().start();
    expect(fake.calls.find((c) => c.channel === 'bench:sweep')?.arg).toMatchObject({
      profiles: ['throughput', 'low-latency'],
      levels: { mode: 'concurrency', values: [1, 8, 32, 64] },
    });
    expect(useBenchStore.getState().runningId).toBe('run-1');
    fake.emit('bench', {
      type: 'progress',
      id: 'run-1',
      phase: 'starting-server',
      profileId: 'throughput',
      level: null,
      levelsDone: 0,
      levelsTotal: 8,
      fraction: 0,
      elapsedS: 1,
      etaS: null,
      live: null,
    });
    expect(useBenchStore.getState().progress?.phase).toBe('starting-server');
    const partial = { ...result, id: 'run-1', status: 'running' as const };
    fake.emit('bench', { type: 'partial', id: 'run-1', result: partial });
    expect(useBenchStore.getState().current?.id).toBe('run-1');
    const listsBefore = fake.calls.filter((c) => c.channel === 'bench:list').length;
    fake.emit('bench', { type: 'finished', id: 'run-1', status: 'complete', message: null });
    expect(useBenchStore.getState()).toMatchObject({ runningId: null, progress: null });
    await flush();
    expect(fake.calls.filter((c) => c.channel === 'bench:list').length).toBe(listsBefore + 1);
    off();
    expect(fake.listenerCount('bench')).toBe(0);
  });

  it('does not send an invalid form; shows the field errors instead', async () => {
    useBenchStore.getState().setForm({ levels: 'many' });
    await useBenchStore.getState().start();
    expect(fake.calls.some((c) => c.channel === 'bench:sweep')).toBe(false);
    expect(useBenchStore.getState().formErrors.levels).toBeTruthy();
    useBenchStore.getState().setForm({ levels: '1,2' });
    expect(useBenchStore.getState().formErrors.levels).toBeUndefined();
  });

  it('shows the core’s refusal (a benchmark already running)', async () => {
    fake.handle('bench:sweep', () => ({
      ok: false,
      error: { kind: 'bench_running', message: 'A benchmark is already running', remedies: [] },
    }));
    await useBenchStore.getState().start();
    expect(useBenchStore.getState().error?.kind).toBe('bench_running');
    expect(useBenchStore.getState().runningId).toBeNull();
  });

  it('stop sends bench:stop once', async () => {
    useBenchStore.setState({ runningId: 'run-1' });
    let n = 0;
    fake.handle('bench:stop', () => {
      n++;
      return { ok: true, value: { stopped: true, id: 'run-1' } };
    });
    await Promise.all([useBenchStore.getState().stop(), useBenchStore.getState().stop()]);
    expect(n).toBe(1);
  });

  it('opens, compares, exports and deletes saved runs', async () => {
    await useBenchStore.getState().open(result.id);
    expect(useBenchStore.getState().current?.id).toBe(result.id);
    await useBenchStore.getState().toggleCompare(result.id);
    expect(useBenchStore.getState().compared.map((r) => r.id)).toEqual([result.id]);
    await useBenchStore.getState().toggleCompare('missing');
    expect(useBenchStore.getState().error?.kind).toBe('not_found');
    fake.handle('bench:export', (a) => ({
      ok: true,
      value: { text: `ids=${a?.ids.join(',')}`, path: null, mime: 'text/csv', filename: 'x.csv' },
    }));
    expect(await useBenchStore.getState().exportRuns([result.id], 'csv')).toEqual({
      text: `ids=${result.id}`,
      mime: 'text/csv',
      filename: 'x.csv',
    });
    fake.handle('bench:delete', (a) => ({ ok: true, value: { deleted: a!.id } }));
    useBenchStore.setState({ runs: [summary] });
    await useBenchStore.getState().remove(result.id);
    expect(useBenchStore.getState()).toMatchObject({ runs: [], current: null, compared: [] });
  });
});
