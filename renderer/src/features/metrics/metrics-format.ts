// Numbers, tiles and chart definitions of the metrics dashboard (pure; tested).
import type { MetricsPoint, MetricsState, MetricsView, WindowStats } from '../../stores/metrics-store';

type Quantile = WindowStats['latency']['ttft']['p50'];

export const DASH = '—';

export function fmtRate(v: number | null | undefined): string {
  if (v === null || v === undefined) return DASH;
  if (v >= 1000) return v.toFixed(0);
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(v === 0 ? 0 : 2);
}

/** Seconds → "0.8 ms", "85 ms", "1.24 s", "2 min". */
export function fmtSeconds(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  if (v < 0.01) return `${(v * 1000).toFixed(1)} ms`;
  if (v < 1) return `${(v * 1000).toFixed(0)} ms`;
  if (v < 120) return `${v.toFixed(v < 10 ? 2 : 1)} s`;
  return `${(v / 60).toFixed(1)} min`;
}

export function fmtQuantile(q: Quantile | undefined): string {
  if (!q) return DASH;
  return `${q.atLeast ? '≥ ' : ''}${fmtSeconds(q.value)}`;
}

export function fmtPct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined ? DASH : `${v.toFixed(digits)} %`;
}

export function fmtCount(v: number | null | undefined): string {
  return v === null || v === undefined ? DASH : Number.isInteger(v) ? String(v) : v.toFixed(1);
}

export function fmtClock(t: number): string {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function fmtBytes(n: number | null): string {
  if (n === null) return DASH;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function windowLabel(windowS: number): string {
  return windowS % 60 === 0 ? `${windowS / 60} min` : `${windowS} s`;
}

export interface TileModel {
  name: string;
  label: string;
  value: string;
  /** Small print under the value (what the number is over). */
  sub: string;
  /** Tooltip: what it is and where it comes from. */
  title: string;
}

/** The newest row that has a value for `k` (a failed last scrape does not blank the tile). */
function latest(points: readonly MetricsPoint[], k: keyof MetricsPoint): number | null {
  for (let i = points.length - 1; i >= 0 && i >= points.length - 5; i--) {
    const v = points[i]![k];
    if (typeof v === 'number') return v;
  }
  return null;
}

/** The headline tiles: current rates and gauges, percentiles over the selected window. */
export function tiles(view: MetricsView, windowS: number, state: MetricsState | null): TileModel[] {
  const p = view.points;
  const w = view.stats[windowS] ?? null;
  const over = w
    ? `over ${windowLabel(Math.round(w.windowS) >= windowS - 1 ? windowS : Math.round(w.windowS))}`
    : `over ${windowLabel(windowS)}`;
  const engines = state?.engines.length ?? 0;
  const kvMax = latest(p, 'kvMaxPct');
  const n = (x: number | undefined) => (x === undefined ? '' : ` · ${x} obs.`);
  return [
    {
      name: 'gen-tps',
      label: 'Generation',
      value: `${fmtRate(latest(p, 'genTps'))} tok/s`,
      sub: 'last 5 s',
      title: 'Δ vllm:generation_tokens_total / Δt over the last 5 s',
    },
    {
      name: 'prompt-tps',
      label: 'Prompt',
      value: `${fmtRate(latest(p, 'promptTps'))} tok/s`,
      sub: 'last 5 s',
      title: 'Δ vllm:prompt_tokens_total / Δt over the last 5 s (prefill)',
    },
    {
      name: 'running',
      label: 'Running',
      value: fmtCount(latest(p, 'running')),
      sub: 'requests now',
      title: 'vllm:num_requests_running, summed over engines',
    },
    {
      name: 'waiting',
      label: 'Waiting',
      value: fmtCount(latest(p, 'waiting')),
      sub: 'requests queued',
      title: 'vllm:num_requests_waiting, summed over engines',
    },
    {
      name: 'kv',
      label: 'KV cache',
      value: fmtPct(latest(p, 'kvPct')),
      sub: engines > 1 && kvMax !== null ? `max ${fmtPct(kvMax, 0)} of ${engines} engines` : 'in use now',
      title: 'vllm:kv_cache_usage_perc × 100 (mean over engines)',
    },
    {
      name: 'prefix-hit',
      label: 'Prefix hits',
      value: w && w.prefixHitRatePct !== null ? fmtPct(w.prefixHitRatePct) : DASH,
      sub: w && w.prefixHitRatePct === null ? `no lookups ${over}` : over,
      title: `Δ prefix_cache_hits / Δ prefix_cache_queries (${state?.prefixUnit ?? 'tokens'})`,
    },
    {
      name: 'ttft-p50',
      label: 'TTFT p50',
      value: fmtQuantile(w?.latency.ttft.p50),
      sub: `${over}${n(w?.latency.ttft.n)}`,
      title: 'Time to first token, median (histogram bucket interpolation)',
    },
    {
      name: 'ttft-p95',
      label: 'TTFT p95',
      value: fmtQuantile(w?.latency.ttft.p95),
      sub: `${over}${n(w?.latency.ttft.n)}`,
      title: 'Time to first token, 95th percentile (histogram bucket interpolation)',
    },
    {
      name: 'itl-p50',
      label: 'ITL p50',
      value: fmtQuantile(w?.latency.itl.p50),
      sub: over,
      title: 'Inter-token latency, median (histogram bucket interpolation)',
    },
  ];
}

export interface SeriesDef {
  key: string;
  label: string;
  color: string;
  dashed?: boolean;
}

export type Unit = 'tok/s' | 'req/s' | 's' | 'count' | '%' | 'GiB' | 'W' | '°C';

export interface ChartDef {
  name: string;
  title: string;
  unit: Unit;
  series: SeriesDef[];
  /** Fixed y range where the unit has one (%). */
  yMax?: number;
}

/**
 * Concrete colours (not CSS variables): the PNG export draws the chart's SVG as an image, where
 * variables do not resolve. Picked to read on both themes.
 */
export const PALETTE = ['#4e8ff5', '#e0a93a', '#48c264', '#d35ac5', '#f4736a', '#35b5c9', '#9b7ff0', '#a3a948'];

export const VLLM_CHARTS: ChartDef[] = [
  {
    name: 'throughput',
    title: 'Throughput',
    unit: 'tok/s',
    series: [
      { key: 'genTps', label: 'generation', color: PALETTE[0]! },
      { key: 'promptTps', label: 'prompt', color: PALETTE[1]! },
    ],
  },
  {
    name: 'ttft',
    title: 'Time to first token',
    unit: 's',
    series: [
      { key: 'ttftP50', label: 'p50', color: PALETTE[2]! },
      { key: 'ttftP95', label: 'p95', color: PALETTE[1]! },
      { key: 'ttftP99', label: 'p99', color: PALETTE[4]!, dashed: true },
    ],
  },
  {
    name: 'itl',
    title: 'Inter-token latency',
    unit: 's',
    series: [
      { key: 'itlP50', label: 'ITL p50', color: PALETTE[2]! },
      { key: 'itlP95', label: 'ITL p95', color: PALETTE[1]! },
      { key: 'tpotP50', label: 'TPOT p50 (per request)', color: PALETTE[6]!, dashed: true },
    ],
  },
  {
    name: 'e2e',
    title: 'End-to-end and queue time',
    unit: 's',
    series: [
      { key: 'e2eP50', label: 'E2E p50', color: PALETTE[0]! },
      { key: 'e2eP95', label: 'E2E p95', color: PALETTE[1]! },
      { key: 'queueP95', label: 'queue p95', color: PALETTE[4]!, dashed: true },
    ],
  },
  {
    name: 'queue',
    title: 'Requests',
    unit: 'count',
    series: [
      { key: 'running', label: 'running', color: PALETTE[0]! },
      { key: 'waiting', label: 'waiting', color: PALETTE[4]! },
    ],
  },
  {
    name: 'rates',
    title: 'Finished and preempted',
    unit: 'req/s',
    series: [
      { key: 'reqPs', label: 'finished/s', color: PALETTE[2]! },
      { key: 'preemptPs', label: 'preemptions/s', color: PALETTE[4]! },
    ],
  },
  {
    name: 'cache',
    title: 'KV cache and prefix hits',
    unit: '%',
    yMax: 100,
    series: [
      { key: 'kvPct', label: 'KV usage', color: PALETTE[0]! },
      { key: 'kvMaxPct', label: 'KV max engine', color: PALETTE[0]!, dashed: true },
      { key: 'prefixHitPct', label: 'prefix hit rate', color: PALETTE[2]! },
    ],
  },
];

const GPU_CHARTS: { name: string; title: string; unit: Unit; field: 'util' | 'memGiB' | 'powerW' | 'tempC'; yMax?: number }[] = [
  { name: 'gpu-util', title: 'GPU utilization', unit: '%', field: 'util', yMax: 100 },
  { name: 'gpu-memory', title: 'GPU memory used', unit: 'GiB', field: 'memGiB' },
  { name: 'gpu-power', title: 'GPU power', unit: 'W', field: 'powerW' },
  { name: 'gpu-temp', title: 'GPU temperature', unit: '°C', field: 'tempC' },
];

/** One chart per GPU quantity, one line per (selected) GPU. */
export function gpuCharts(indices: readonly number[]): ChartDef[] {
  if (indices.length === 0) return [];
  return GPU_CHARTS.map((c) => ({
    name: c.name,
    title: c.title,
    unit: c.unit,
    ...(c.yMax !== undefined ? { yMax: c.yMax } : {}),
    series: indices.map((i, n) => ({ key: `gpu${i}_${c.field}`, label: `GPU ${i}`, color: PALETTE[n % PALETTE.length]! })),
  }));
}

/** Axis / tooltip text for a value in a unit. */
export function fmtUnit(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  switch (unit) {
    case 's':
      return fmtSeconds(v);
    case '%':
      return `${v.toFixed(v < 10 ? 1 : 0)} %`;
    case 'tok/s':
      return `${fmtRate(v)} tok/s`;
    case 'req/s':
      return `${fmtRate(v)}/s`;
    case 'GiB':
      return `${v.toFixed(1)} GiB`;
    case 'W':
      return `${v.toFixed(0)} W`;
    case '°C':
      return `${v.toFixed(0)} °C`;
    default:
      return fmtCount(Math.round(v * 10) / 10);
  }
}

/** Short axis tick text (no unit for rates, compact thousands). */
export function fmtTick(v: number, unit: Unit): string {
  if (unit === 's') {
    // Compact: the axis is 46 px wide.
    if (v === 0) return '0';
    if (v < 1) return `${Number((v * 1000).toPrecision(3))}ms`;
    return `${Number(v.toPrecision(3))}s`;
  }
  if (Math.abs(v) >= 10_000) return `${(v / 1000).toFixed(0)}k`;
  if (Math.abs(v) >= 1000) return `${(v / 1000).toFixed(1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** The status line under the page header. */
export function statusLine(s: MetricsState | null, now: number): { text: string; level: 'ok' | 'warn' | 'err' | 'idle' } {
  if (!s?.target) return { text: 'Not scraping: no server is running and none is attached.', level: 'idle' };
  const who = s.target.source === 'server' ? `the launched server at ${s.target.url}` : s.target.url;
  switch (s.status) {
    case 'up':
      return {
        text: `Scraping ${who} every ${windowLabelMs(s.intervalMs)} · ${s.modelNames.join(', ') || 'model ?'}${s.engines.length > 1 ? ` · ${s.engines.length} engines` : ''} · last scrape ${s.scrapeMs ?? '?'} ms, ${fmtBytes(s.bodyBytes)}${s.parseIssues > 0 ? ` · ${s.parseIssues} unparsable lines skipped` : ''}`,
        level: 'ok',
      };
    case 'connecting': {
      const why = s.error ? ` (${s.error.message})` : '';
      const retry = s.nextAttemptAt && s.nextAttemptAt > now ? `, next try in ${Math.ceil((s.nextAttemptAt - now) / 1000)} s` : '';
      return { text: `Waiting for /metrics of ${who}${why}${retry}`, level: s.error ? 'warn' : 'idle' };
    }
    case 'down': {
      const retry = s.nextAttemptAt && s.nextAttemptAt > now ? ` · next try in ${Math.ceil((s.nextAttemptAt - now) / 1000)} s` : '';
      return { text: `Down since ${s.since ? fmtClock(s.since) : '?'}: ${s.error?.message ?? 'no answer'}${retry}`, level: 'err' };
    }
    case 'stopped':
      return {
        text: `The launched server stopped at ${s.since ? fmtClock(s.since) : '?'}; its last run stays on the timeline.`,
        level: 'idle',
      };
    default:
      return { text: 'Not scraping.', level: 'idle' };
  }
}

function windowLabelMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
