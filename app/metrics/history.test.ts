import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { POINT_SERIES } from '../contract/metrics';
import { FakeVllm } from './fixtures/fake-vllm-server';
import { accumulate, downsample, MAX_ENTRIES, MetricsHistory, RETENTION_MS, TRIM_BATCH } from './history';
import { parsePrometheusText } from './prom-parser';
import type { VllmSnapshot } from './vllm-map';
import { extractVllm } from './vllm-map';

const BOUNDS = [0.1, 0.5, 1, Number.POSITIVE_INFINITY];

/** A snapshot with the given cumulative values (one engine). `ttft` = cumulative bucket counts. */
function snap(
  t: number,
  o: { gen: number; prompt?: number; done?: number; q?: number; h?: number; ttft?: number[]; running?: number; kv?: number },
): VllmSnapshot {
  const counts = o.ttft ?? [0, 0, 0, 0];
  return {
    t,
    engines: ['0'],
    modelNames: ['m'],
    promptTokens: o.prompt ?? 0,
    generationTokens: o.gen,
    requestsFinished: o.done ?? 0,
    finishedByReason: { stop: o.done ?? 0 },
    preemptions: 0,
    prefixQueries: o.q ?? 0,
    prefixHits: o.h ?? 0,
    prefixUnit: 'tokens',
    running: o.running ?? 0,
    waiting: 0,
    kvUsageMean: o.kv ?? 0.1,
    kvUsageMax: o.kv ?? 0.1,
    hist: { ttft: { buckets: { bounds: BOUNDS, counts }, sum: counts[3]! * 0.3, count: counts[3]! } },
    unknownFamilies: [],
  };
}

const add = (h: MetricsHistory, s: VllmSnapshot, extra: { marker?: number | null; forceReset?: boolean } = {}) =>
  h.addScrape({ raw: s, startMarker: extra.marker ?? null, forceReset: extra.forceReset ?? false, intervalMs: 1000, gpus: [] });

describe('accumulate: counters continuous across restarts', () => {
  it('adds increases; after a reset the new value is the increase', () => {
    const a = snap(0, { gen: 100, ttft: [1, 2, 3, 3] });
    const b = snap(1000, { gen: 150, ttft: [2, 3, 4, 4] });
    const cb = accumulate(a, a, b, false);
    expect(cb.generationTokens).toBe(150);
    // Restart: the raw counter fell to 20.
    const c = snap(2000, { gen: 20, ttft: [0, 1, 1, 1] });
    const cc = accumulate(b, cb, c, true);
    expect(cc.generationTokens).toBe(170);
    expect(cc.hist.ttft?.buckets.counts).toEqual([2, 4, 5, 5]);
    expect(cc.hist.ttft?.count).toBe(5);
  });

  it('a new bucket layout starts a new histogram baseline instead of mixing bounds', () => {
    const a = snap(0, { gen: 1, ttft: [1, 1, 1, 1] });
    const b: VllmSnapshot = {
      ...snap(1000, { gen: 2 }),
      hist: { ttft: { buckets: { bounds: [1, Number.POSITIVE_INFINITY], counts: [5, 5] }, sum: 1, count: 5 } },
    };
    expect(accumulate(a, a, b, false).hist.ttft?.buckets.bounds).toEqual([1, Number.POSITIVE_INFINITY]);
  });
});

describe('MetricsHistory', () => {
  it('rates over the last 5 s, never negative across a restart (counter reset)', () => {
    const h = new MetricsHistory();
    let gen = 0;
    const pts = [];
    for (let i = 0; i <= 10; i++) {
      gen += 100; // 100 tokens/s
      pts.push(add(h, snap(i * 1000, { gen })).point);
    }
    expect(pts[0]!.genTps).toBeNull(); // one snapshot: no rate yet
    expect(pts[10]!.genTps).toBeCloseTo(100, 6);
    // Restart at t=11 s: the raw counter starts over at 30 (30 tokens since the new start).
    const r = add(h, snap(11_000, { gen: 30 }));
    expect(r.reset).toBe(true);
    expect(r.point.genTps).toBeGreaterThanOrEqual(0);
    // 5–6 s window: 5 s of 100 tok/s minus... exact: from t=5 (cont 600) to t=11 (cont 1100+30).
    expect(r.point.genTps).toBeCloseTo((1130 - 600) / 6, 6);
    let g2 = 30;
    for (let i = 12; i <= 20; i++) {
      g2 += 50;
      const p = add(h, snap(i * 1000, { gen: g2 })).point;
      expect(p.genTps).toBeGreaterThanOrEqual(0);
    }
    expect(h.points.at(-1)!.genTps).toBeCloseTo(50, 6);
    // Every rate on the timeline is ≥ 0.
    for (const p of h.points) for (const k of POINT_SERIES) if (p[k] !== null) expect(p[k]).toBeGreaterThanOrEqual(0);
  });

  it('a restart the counters cannot show (new run already past the old value) is caught by the process start time', () => {
    const h = new MetricsHistory();
    add(h, snap(0, { gen: 100 }), { marker: 1 });
    add(h, snap(1000, { gen: 110 }), { marker: 1 });
    // New process: 500 tokens since its start — more than before, so no counter went back.
    const r = add(h, snap(2000, { gen: 500 }), { marker: 2 });
    expect(r.reset).toBe(true);
    expect(h.latestSnapshot?.generationTokens).toBe(610);
    const h2 = new MetricsHistory();
    add(h2, snap(0, { gen: 100 }));
    add(h2, snap(1000, { gen: 110 }));
    expect(add(h2, snap(2000, { gen: 500 }), { forceReset: true }).reset).toBe(true);
    expect(h2.latestSnapshot?.generationTokens).toBe(610);
  });

  it('window stats: TTFT quantiles from bucket deltas over the window, by hand', () => {
    const h = new MetricsHistory();
    add(h, snap(0, { gen: 0, ttft: [10, 10, 10, 10] })); // 10 old observations, outside the window
    // In the window: 4 in (0, 0.1], 4 in (0.1, 0.5], 2 in (0.5, 1].
    add(h, snap(60_000, { gen: 600, ttft: [14, 18, 20, 20], q: 100, h: 25 }));
    const w = h.windowStats(60, 1000)!;
    expect(w.windowS).toBe(60);
    expect(w.generationTokensPerS).toBeCloseTo(10);
    // p50: rank 5 of 10 → bucket (0.1, 0.5], 1 of 4 in: 0.1 + 0.4 × 1/4 = 0.2.
    expect(w.latency.ttft.p50?.value).toBeCloseTo(0.2, 9);
    // p95: rank 9.5 → bucket (0.5, 1], 1.5 of 2: 0.5 + 0.5 × 0.75 = 0.875.
    expect(w.latency.ttft.p95?.value).toBeCloseTo(0.875, 9);
    expect(w.latency.ttft.n).toBe(10);
    expect(w.prefixHitRatePct).toBeCloseTo(25);
    // A window spanning a restart still counts every observation once.
    add(h, snap(61_000, { gen: 10, ttft: [1, 1, 1, 1] }));
    const w2 = h.windowStats(61, 1000)!;
    expect(w2.latency.ttft.n).toBe(11);
    expect(w2.generationTokensPerS).toBeCloseTo(610 / 61);
  });

  it('after a gap (server down) the first rate is null rather than an average across the gap', () => {
    const h = new MetricsHistory();
    for (let i = 0; i < 5; i++) add(h, snap(i * 1000, { gen: i * 10 }));
    for (let i = 5; i < 60; i++) h.addGap(i * 1000, []);
    const p = add(h, snap(60_000, { gen: 1000 })).point;
    expect(p.genTps).toBeNull();
    const p2 = add(h, snap(61_000, { gen: 1100 })).point;
    expect(p2.genTps).toBeCloseTo(100);
    expect(h.points.filter((x) => !x.up)).toHaveLength(55);
  });

  it('stays bounded: 16 minutes of rows and snapshots, however long it runs', () => {
    const h = new MetricsHistory();
    const n = MAX_ENTRIES + 500;
    for (let i = 0; i < n; i++) add(h, snap(i * 250, { gen: i }));
    expect(h.size).toBeLessThanOrEqual(MAX_ENTRIES + TRIM_BATCH);
    expect(h.snapshotCount).toBeLessThanOrEqual(MAX_ENTRIES + TRIM_BATCH);
    const pts = h.points;
    expect(pts.at(-1)!.t - pts[0]!.t).toBeLessThanOrEqual(RETENTION_MS + TRIM_BATCH * 250);
    for (let i = 0; i < 700; i++) h.annotate({ t: n * 250, kind: 'ready', text: 'x' });
    expect(h.annotations.length).toBeLessThanOrEqual(500);
  });

  it('does not keep the scraped bodies alive (names in a snapshot are slices of its body)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const f = new FakeVllm({ engines: 2, padFamilies: 330 }); // ~128 KB bodies
    const h = new MetricsHistory();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200; i++) {
      f.finish(0, { prompt: 1, gen: 1, ttft: 0.1, itl: 0.01, e2e: 1 });
      add(h, extractVllm(parsePrometheusText(f.body()), i * 1000));
    }
    gc();
    const grownMiB = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    // 200 snapshots of numbers are well under 5 MiB; retained bodies would be ~25 MiB.
    expect(grownMiB).toBeLessThan(5);
    expect(h.snapshotCount).toBe(200);
  });

  it('series(): the window, downsampled to at most maxPoints rows with bucket means', () => {
    const h = new MetricsHistory();
    for (let i = 0; i < 900; i++) add(h, snap(i * 1000, { gen: i * 7, running: i % 2 }));
    h.annotate({ t: 100_000, kind: 'ready', text: 'old' });
    h.annotate({ t: 800_000, kind: 'restart', text: 'new' });
    const s = h.series(300, 100);
    expect(s.points.length).toBeLessThanOrEqual(100);
    expect(s.points.length).toBeGreaterThan(90);
    expect(s.downsampled).toBe(true);
    expect(s.points[0]!.t).toBeGreaterThanOrEqual(899_000 - 300_000);
    expect(s.points.at(-1)!.t).toBe(899_000);
    expect(s.annotations.map((a) => a.text)).toEqual(['new']);
    // running alternates 0/1: bucket means are 0.5-ish, the rate stays 7.
    expect(s.points[50]!.running).toBeCloseTo(0.5, 0);
    expect(s.points[50]!.genTps).toBeCloseTo(7);
    const small = h.series(60, 600);
    expect(small.downsampled).toBe(false);
    expect(small.points.length).toBe(61);
  });
});

describe('downsample', () => {
  const row = (t: number, v: number | null, up = true) =>
    ({
      t,
      up,
      ...Object.fromEntries(POINT_SERIES.map((k) => [k, v])),
      gpus: v === null ? [] : [{ index: 0, util: v, memUsedMiB: v, powerW: v, tempC: v }],
    }) as never;

  it('keeps short series as they are', () => {
    expect(downsample([row(1, 1), row(2, 2)], 0, 10, 5)).toHaveLength(2);
  });

  it('averages non-null values per bucket, GPU by GPU; all-null buckets stay null', () => {
    const rows = [row(0, 1), row(1, 3), row(2, null, false), row(3, null, false), row(4, 10), row(5, 20)];
    const out = downsample(rows, 0, 6, 3);
    expect(out).toHaveLength(3);
    expect(out.map((r) => r.genTps)).toEqual([2, null, 15]);
    expect(out.map((r) => r.up)).toEqual([true, false, true]);
    expect(out[2]!.gpus[0]!.util).toBe(15);
    expect(out.map((r) => r.t)).toEqual([1, 3, 5]);
  });
});
