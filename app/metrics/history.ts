// The scraper's memory: a bounded history of snapshots whose counters are made continuous across
// server restarts, the timeline rows (MetricsPoint) derived from it, and annotations.
//
// Why continuous counters: deriveStats(a, b) only sees the two ends of a window. If the server
// restarted inside a 5-minute window, end − start is meaningless (negative, or silently too small
// when the new run already counted past the old value). So every scrape adds its increase
// (vllm-metrics.md §4: a decrease means a restart, then the new value is the increase) to a
// running total; windows then subtract running totals, which never go backwards.
import type { GpuSample, MetricsAnnotation, MetricsPoint, WindowStats } from '../contract/metrics';
import { POINT_SERIES } from '../contract/metrics';
import { type Buckets, bucketDelta } from './histogram';
import { type DerivedStats, deriveStats, type HistKey, type VllmSnapshot } from './vllm-map';

/** Rates on the timeline: over the last 5 s (smooths the 1 s scrape jitter, still reacts within seconds). */
export const RATE_WINDOW_MS = 5_000;
/**
 * Percentiles and the prefix hit rate on the timeline: over the last 10 s. Histograms only gain
 * observations when requests finish (TTFT: when their first token comes), so a shorter window is
 * mostly empty at moderate load; the tiles use the whole selected window instead.
 */
export const LATENCY_WINDOW_MS = 10_000;
/** History kept: the largest UI window (15 min) plus a minute of slack for its start point. */
export const RETENTION_MS = 16 * 60_000;
/** Hard cap on rows and snapshots: 16 min at the fastest interval the settings allow (250 ms). */
export const MAX_ENTRIES = (RETENTION_MS / 250) | 0;
export const MAX_ANNOTATIONS = 500;
/** Rows beyond the bounds are dropped this many at a time (the bounds may be exceeded by this much). */
export const TRIM_BATCH = 64;
/** The charts draw at most this many rows per series (issue 6: "downsample past ~600 points"). */
export const DEFAULT_MAX_POINTS = 600;

const HIST_KEYS: HistKey[] = ['ttft', 'itl', 'e2e', 'queue', 'tpot'];

const sameBounds = (a: Buckets, b: Buckets) => a.bounds.length === b.bounds.length && a.bounds.every((x, i) => x === b.bounds[i]);

/** Whether `cur` shows a counter reset relative to `prev` (any counter or histogram count went down). */
export function countersWentBack(prev: VllmSnapshot, cur: VllmSnapshot): boolean {
  if (
    cur.promptTokens < prev.promptTokens ||
    cur.generationTokens < prev.generationTokens ||
    cur.requestsFinished < prev.requestsFinished ||
    cur.preemptions < prev.preemptions ||
    cur.prefixQueries < prev.prefixQueries ||
    cur.prefixHits < prev.prefixHits
  )
    return true;
  for (const k of HIST_KEYS) {
    const p = prev.hist[k];
    const c = cur.hist[k];
    if (p && c && c.count < p.count) return true;
  }
  return false;
}

/**
 * The continuous version of `raw`: `prevCont` plus the increase from `prevRaw` to `raw`. With
 * `reset` (restart seen by a counter going back, a new process start time, or a new run of the
 * launched server) the increase is `raw` itself. Gauges are taken as they are.
 */
export function accumulate(
  prevRaw: VllmSnapshot | undefined,
  prevCont: VllmSnapshot | undefined,
  raw: VllmSnapshot,
  reset: boolean,
): VllmSnapshot {
  if (!prevRaw || !prevCont) return raw;
  const add = (c: number, a: number, b: number) => c + (reset ? b : b - a);
  const hist: VllmSnapshot['hist'] = {};
  for (const k of HIST_KEYS) {
    const h = raw.hist[k];
    if (!h) continue;
    const pc = prevCont.hist[k];
    const pr = prevRaw.hist[k];
    if (!pc || !sameBounds(pc.buckets, h.buckets)) {
      // New histogram or new bucket layout: it starts a new baseline.
      hist[k] = h;
      continue;
    }
    const inc = reset || !pr || !sameBounds(pr.buckets, h.buckets) ? h.buckets : bucketDelta(pr.buckets, h.buckets);
    const restartedHere = inc === h.buckets;
    hist[k] = {
      buckets: { bounds: pc.buckets.bounds, counts: pc.buckets.counts.map((c, i) => c + inc.counts[i]!) },
      sum: pc.sum + (restartedHere ? h.sum : h.sum - pr!.sum),
      count: pc.count + (restartedHere ? h.count : h.count - pr!.count),
    };
  }
  const byReason: Record<string, number> = { ...prevCont.finishedByReason };
  for (const [r, v] of Object.entries(raw.finishedByReason)) byReason[r] = add(byReason[r] ?? 0, prevRaw.finishedByReason[r] ?? 0, v);
  return {
    ...raw,
    promptTokens: add(prevCont.promptTokens, prevRaw.promptTokens, raw.promptTokens),
    generationTokens: add(prevCont.generationTokens, prevRaw.generationTokens, raw.generationTokens),
    requestsFinished: add(prevCont.requestsFinished, prevRaw.requestsFinished, raw.requestsFinished),
    finishedByReason: byReason,
    preemptions: add(prevCont.preemptions, prevRaw.preemptions, raw.preemptions),
    prefixQueries: add(prevCont.prefixQueries, prevRaw.prefixQueries, raw.prefixQueries),
    prefixHits: add(prevCont.prefixHits, prevRaw.prefixHits, raw.prefixHits),
    hist,
  };
}

const fin = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

/** DerivedStats with every number finite (JSON carries no NaN/Infinity). */
export function toWindowStats(d: DerivedStats): WindowStats {
  const q = (x: { value: number; atLeast: boolean } | null) =>
    x && Number.isFinite(x.value) ? { value: x.value, atLeast: x.atLeast } : null;
  const lat = {} as WindowStats['latency'];
  for (const k of HIST_KEYS) {
    const l = d.latency[k];
    lat[k] = { mean: fin(l.mean), p50: q(l.p50), p95: q(l.p95), p99: q(l.p99), n: Number.isFinite(l.n) ? l.n : 0 };
  }
  return {
    t: d.t,
    windowS: d.windowS,
    promptTokensPerS: fin(d.promptTokensPerS) ?? 0,
    generationTokensPerS: fin(d.generationTokensPerS) ?? 0,
    requestsPerS: fin(d.requestsPerS) ?? 0,
    preemptionsPerS: fin(d.preemptionsPerS) ?? 0,
    running: fin(d.running) ?? 0,
    waiting: fin(d.waiting) ?? 0,
    kvUsagePct: fin(d.kvUsagePct),
    kvUsageMaxPct: fin(d.kvUsageMaxPct),
    prefixHitRatePct: fin(d.prefixHitRatePct),
    latency: lat,
    reset: d.reset,
  };
}

/** Index of the last element with t ≤ x (−1 when none). Arrays are sorted by t. */
function lastAtOrBefore(xs: readonly { t: number }[], x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]!.t <= x) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

export interface ScrapeInput {
  raw: VllmSnapshot;
  /** process_start_time_seconds (or null): a change means a new server process. */
  startMarker: number | null;
  /** The caller knows the server restarted (the launched server's run id changed). */
  forceReset?: boolean;
  intervalMs: number;
  gpus: GpuSample[];
}

export class MetricsHistory {
  private snaps: VllmSnapshot[] = [];
  private lastRaw: VllmSnapshot | undefined;
  private lastMarker: number | null = null;
  private rows: MetricsPoint[] = [];
  private notes: MetricsAnnotation[] = [];

  get size(): number {
    return this.rows.length;
  }
  get snapshotCount(): number {
    return this.snaps.length;
  }
  get latestSnapshot(): VllmSnapshot | undefined {
    return this.snaps[this.snaps.length - 1];
  }
  get points(): readonly MetricsPoint[] {
    return this.rows;
  }
  get annotations(): readonly MetricsAnnotation[] {
    return this.notes;
  }

  clear(): void {
    this.snaps = [];
    this.rows = [];
    this.notes = [];
    this.lastRaw = undefined;
    this.lastMarker = null;
  }

  /** Adds a successful scrape; returns its timeline row and whether a restart was detected. */
  addScrape(s: ScrapeInput): { point: MetricsPoint; reset: boolean } {
    const prevCont = this.snaps[this.snaps.length - 1];
    const prevRaw = this.lastRaw;
    // Out-of-order or duplicate time (clock stepped back): start a new baseline rather than divide by ≤ 0.
    const timeWentBack = prevCont !== undefined && s.raw.t <= prevCont.t;
    const markerChanged = s.startMarker !== null && this.lastMarker !== null && s.startMarker !== this.lastMarker;
    const reset = prevRaw !== undefined && (Boolean(s.forceReset) || markerChanged || countersWentBack(prevRaw, s.raw));
    if (timeWentBack) this.snaps = [];
    const cont = timeWentBack ? s.raw : accumulate(prevRaw, prevCont, s.raw, reset);
    this.lastRaw = s.raw;
    if (s.startMarker !== null) this.lastMarker = s.startMarker;
    // Only numbers are kept per snapshot: the names in a snapshot are slices of the scraped body,
    // and V8 keeps a sliced string's whole parent alive, so keeping them would keep every body
    // (~100 KB each, up to 3840 of them) in memory.
    this.snaps.push({ ...cont, engines: [], modelNames: [], unknownFamilies: [] });
    const rate = this.statsOver(cont, RATE_WINDOW_MS, s.intervalMs);
    const lat = this.statsOver(cont, LATENCY_WINDOW_MS, s.intervalMs);
    const q = (k: HistKey, p: 'p50' | 'p95' | 'p99') => fin(lat?.latency[k][p]?.value);
    const point: MetricsPoint = {
      t: cont.t,
      up: true,
      genTps: fin(rate?.generationTokensPerS),
      promptTps: fin(rate?.promptTokensPerS),
      reqPs: fin(rate?.requestsPerS),
      preemptPs: fin(rate?.preemptionsPerS),
      running: fin(cont.running),
      waiting: fin(cont.waiting),
      kvPct: cont.kvUsageMean === null ? null : fin(cont.kvUsageMean * 100),
      kvMaxPct: cont.kvUsageMax === null ? null : fin(cont.kvUsageMax * 100),
      prefixHitPct: fin(lat?.prefixHitRatePct),
      ttftP50: q('ttft', 'p50'),
      ttftP95: q('ttft', 'p95'),
      ttftP99: q('ttft', 'p99'),
      itlP50: q('itl', 'p50'),
      itlP95: q('itl', 'p95'),
      e2eP50: q('e2e', 'p50'),
      e2eP95: q('e2e', 'p95'),
      queueP50: q('queue', 'p50'),
      queueP95: q('queue', 'p95'),
      tpotP50: q('tpot', 'p50'),
      gpus: s.gpus,
    };
    this.pushRow(point);
    return { point, reset };
  }

  /** A tick without a successful scrape (server down, backing off): a gap in the lines, GPUs still drawn. */
  addGap(t: number, gpus: GpuSample[]): MetricsPoint {
    const point: MetricsPoint = { t, up: false, gpus, ...Object.fromEntries(POINT_SERIES.map((k) => [k, null])) } as MetricsPoint;
    this.pushRow(point);
    return point;
  }

  annotate(a: MetricsAnnotation): void {
    this.notes.push(a);
    if (this.notes.length > MAX_ANNOTATIONS) this.notes.splice(0, this.notes.length - MAX_ANNOTATIONS);
  }

  private pushRow(p: MetricsPoint): void {
    const last = this.rows[this.rows.length - 1];
    if (last && p.t < last.t) this.rows = [];
    this.rows.push(p);
    this.trim(p.t);
  }

  private trim(now: number): void {
    const cut = now - RETENTION_MS;
    // Drops in batches of TRIM_BATCH so a full history is not copied on every scrape.
    const drop = <T extends { t: number }>(xs: T[]): T[] => {
      if (xs.length === 0 || (xs[0]!.t >= cut && xs.length <= MAX_ENTRIES)) return xs;
      let i = 0;
      while (i < xs.length && xs[i]!.t < cut) i++;
      const n = Math.max(i, xs.length - MAX_ENTRIES);
      if (n < TRIM_BATCH && xs.length <= MAX_ENTRIES + TRIM_BATCH) return xs;
      return xs.slice(n);
    };
    this.rows = drop(this.rows);
    this.snaps = drop(this.snaps);
    this.notes = drop(this.notes);
  }

  /**
   * Stats from the earliest snapshot within the last `windowMs` (allowing one interval of slack,
   * since scrapes are not exactly on the second) to `end`. Null when no such earlier snapshot
   * exists, e.g. right after a gap: a rate across the gap would average minutes of unknown load.
   */
  private statsOver(end: VllmSnapshot, windowMs: number, intervalMs: number): DerivedStats | null {
    const endIdx = lastAtOrBefore(this.snaps, end.t);
    const from = end.t - windowMs - intervalMs;
    // First snapshot with t ≥ from.
    const i = lastAtOrBefore(this.snaps, from - 1e-9) + 1;
    if (i >= endIdx || i < 0) return null;
    const start = this.snaps[i]!;
    if (start.t >= end.t) return null;
    return deriveStats(start, end);
  }

  /** Stats of the last `windowS` seconds, ending at the latest snapshot (the tiles). */
  windowStats(windowS: number, intervalMs: number): WindowStats | null {
    const end = this.snaps[this.snaps.length - 1];
    if (!end) return null;
    const d = this.statsOver(end, windowS * 1000, intervalMs);
    return d ? toWindowStats(d) : null;
  }

  /** Rows and annotations of the last `windowS` seconds (ending at the newest row), at most maxPoints rows. */
  series(
    windowS: number,
    maxPoints = DEFAULT_MAX_POINTS,
  ): { points: MetricsPoint[]; annotations: MetricsAnnotation[]; downsampled: boolean } {
    const last = this.rows[this.rows.length - 1];
    if (!last) return { points: [], annotations: [], downsampled: false };
    const from = last.t - windowS * 1000;
    const rows = this.rows.slice(lastAtOrBefore(this.rows, from - 1e-9) + 1);
    const annotations = this.notes.filter((a) => a.t >= from);
    const points = downsample(rows, from, last.t, maxPoints);
    return { points, annotations, downsampled: points.length < rows.length };
  }
}

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * At most `maxPoints` rows: time buckets of equal width over [from, to]; each bucket becomes one
 * row at its newest time with the mean of every series (nulls ignored, null when all are null),
 * so short spikes are flattened but the shared time axis stays the same for all series.
 */
export function downsample(rows: readonly MetricsPoint[], from: number, to: number, maxPoints: number): MetricsPoint[] {
  if (rows.length <= maxPoints) return rows.slice();
  const width = Math.max((to - from) / maxPoints, 1e-9);
  const out: MetricsPoint[] = [];
  let group: MetricsPoint[] = [];
  let groupIdx = -1;
  const flush = () => {
    if (group.length === 0) return;
    const lastRow = group[group.length - 1]!;
    const row = { t: lastRow.t, up: group.some((r) => r.up) } as MetricsPoint;
    for (const k of POINT_SERIES) {
      const vals: number[] = [];
      for (const r of group) {
        const v = r[k];
        if (v !== null) vals.push(v);
      }
      (row as Record<string, unknown>)[k] = mean(vals);
    }
    const byGpu = new Map<number, GpuSample[]>();
    for (const r of group) for (const g of r.gpus) (byGpu.get(g.index) ?? byGpu.set(g.index, []).get(g.index)!).push(g);
    row.gpus = [...byGpu.entries()].map(([index, gs]) => ({
      index,
      util: mean(gs.flatMap((g) => (g.util === null ? [] : [g.util]))),
      memUsedMiB: mean(gs.flatMap((g) => (g.memUsedMiB === null ? [] : [g.memUsedMiB]))),
      powerW: mean(gs.flatMap((g) => (g.powerW === null ? [] : [g.powerW]))),
      tempC: mean(gs.flatMap((g) => (g.tempC === null ? [] : [g.tempC]))),
    }));
    out.push(row);
    group = [];
  };
  for (const r of rows) {
    const idx = Math.min(maxPoints - 1, Math.max(0, Math.floor((r.t - from) / width)));
    if (idx !== groupIdx) {
      flush();
      groupIdx = idx;
    }
    group.push(r);
  }
  flush();
  return out;
}
