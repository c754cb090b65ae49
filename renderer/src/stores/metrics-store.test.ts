import { beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../api';
import { FakeTransport } from '../api/fake-transport';
import { POINT_SERIES } from '../contract';
import {
  appendRows,
  type MetricsEvent,
  type MetricsPoint,
  type MetricsState,
  resetMetricsStoreForTests,
  useMetricsStore,
  wireMetricsStore,
} from './metrics-store';

const flush = () => new Promise((r) => setTimeout(r, 0));
const pt = (t: number, genTps = 1): MetricsPoint => ({
  ...(Object.fromEntries(POINT_SERIES.map((k) => [k, null])) as Record<(typeof POINT_SERIES)[number], null>),
  t,
  up: true,
  genTps,
  gpus: [],
});
const state: MetricsState = {
  target: { url: 'http://127.0.0.1:8000', source: 'attached', hasApiKey: false },
  status: 'up',
  since: 0,
  lastOkAt: 0,
  nextAttemptAt: null,
  failures: 0,
  error: null,
  intervalMs: 1000,
  scrapeMs: 1,
  bodyBytes: 1,
  parseIssues: 0,
  modelNames: [],
  engines: [],
  prefixUnit: 'tokens',
  gpuTelemetry: false,
  tips: [],
};
const ev = (points: MetricsPoint[], o: Partial<MetricsEvent> = {}): MetricsEvent => ({
  state,
  points,
  annotations: [],
  windows: [],
  gpus: [],
  reset: false,
  ...o,
});

/** A frame scheduler the test cranks by hand. */
class Frames {
  pending: (() => void)[] = [];
  request = (fn: () => void) => {
    this.pending.push(fn);
    return this.pending.length;
  };
  cancel = () => {
    this.pending = [];
  };
  run() {
    const p = this.pending;
    this.pending = [];
    for (const f of p) f();
  }
}

let t: FakeTransport;
let frames: Frames;
let seriesCalls: number[] = [];
beforeEach(() => {
  frames = new Frames();
  resetMetricsStoreForTests(frames);
  seriesCalls = [];
  t = new FakeTransport('websocket', 'open').handle('metrics:series', (arg) => {
    seriesCalls.push(arg!.windowS);
    return {
      ok: true,
      value: { state, windowS: arg!.windowS, points: [pt(1000), pt(2000)], downsampled: false, annotations: [], stats: null, gpus: [] },
    };
  });
  setTransport(t);
});

describe('metrics store', () => {
  it('loads the window on open; many events in one frame are one store update', async () => {
    const off = wireMetricsStore(t);
    await flush();
    expect(seriesCalls).toEqual([60]);
    expect(useMetricsStore.getState().live.points.map((p) => p.t)).toEqual([1000, 2000]);
    const before = useMetricsStore.getState().applies;
    let renders = 0;
    const unsub = useMetricsStore.subscribe(() => renders++);
    for (let i = 0; i < 10; i++) t.emit('metrics', ev([pt(3000 + i * 100)], { windows: [{ windowS: 60, stats: null }] }));
    expect(renders).toBe(0);
    frames.run();
    expect(renders).toBe(1);
    expect(useMetricsStore.getState().applies).toBe(before + 1);
    expect(useMetricsStore.getState().live.points).toHaveLength(12);
    unsub();
    off();
    expect(t.listenerCount('metrics')).toBe(0);
  });

  it('a reset event clears the timeline and reloads it', async () => {
    wireMetricsStore(t);
    await flush();
    t.emit('metrics', ev([], { reset: true }));
    frames.run();
    expect(useMetricsStore.getState().live.points).toEqual([]);
    await flush();
    expect(seriesCalls).toEqual([60, 60]);
  });

  it('pause freezes what is shown while the live data keeps filling; resume shows everything', async () => {
    wireMetricsStore(t);
    await flush();
    useMetricsStore.getState().togglePause();
    t.emit('metrics', ev([pt(5000)]));
    frames.run();
    const s = useMetricsStore.getState();
    expect(s.frozen?.points.map((p) => p.t)).toEqual([1000, 2000]);
    expect(s.live.points.map((p) => p.t)).toEqual([1000, 2000, 5000]);
    s.togglePause();
    expect(useMetricsStore.getState().frozen).toBeNull();
  });

  it('changing the window reloads that window', async () => {
    wireMetricsStore(t);
    await flush();
    useMetricsStore.getState().setWindow(900);
    await flush();
    expect(seriesCalls).toEqual([60, 900]);
    expect(useMetricsStore.getState().windowS).toBe(900);
  });

  it('attach: an error is kept for the form; success reloads', async () => {
    t.handle('metrics:attach', (arg) =>
      arg!.url === 'bad'
        ? { ok: false, error: { kind: 'invalid_url', message: 'Not a server URL', remedies: [], field: 'url' } }
        : { ok: true, value: state },
    );
    expect(await useMetricsStore.getState().attach('bad')).toBe(false);
    expect(useMetricsStore.getState().error?.kind).toBe('invalid_url');
    expect(await useMetricsStore.getState().attach('http://x:8000', 'k')).toBe(true);
    expect(useMetricsStore.getState().error).toBeNull();
    expect(t.calls.find((c) => c.channel === 'metrics:attach' && (c.arg as { apiKey?: string }).apiKey === 'k')).toBeTruthy();
    expect(seriesCalls).toEqual([60]);
  });

  it('appendRows drops duplicates and what is older than 16 minutes', () => {
    const rows = appendRows([pt(0), pt(1000)], [pt(1000), pt(2000)]);
    expect(rows.map((r) => r.t)).toEqual([0, 1000, 2000]);
    const long = appendRows(rows, [pt(17 * 60_000)]);
    expect(long.map((r) => r.t)).toEqual([17 * 60_000]);
  });
});
