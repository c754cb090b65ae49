// Turning the store's rows into what the charts and the CSV need: the visible window, at most
// MAX_CHART_POINTS rows (bucket means, like the core's series), GPU values flattened into columns.
import { POINT_SERIES } from '../../contract';
import type { GpuMeta, MetricsAnnotation, MetricsPoint } from '../../stores/metrics-store';
import { MAX_CHART_POINTS } from '../../stores/metrics-store';

/** A chart row: `t` plus one number (or null = gap) per series key. */
export type ChartRow = { t: number } & Record<string, number | null>;

export const GPU_FIELDS = ['util', 'memGiB', 'powerW', 'tempC'] as const;
export type GpuField = (typeof GPU_FIELDS)[number];
export const gpuKey = (index: number, f: GpuField) => `gpu${index}_${f}`;

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Rows of the last `windowS` seconds before the newest row. */
export function inWindow(points: readonly MetricsPoint[], windowS: number): MetricsPoint[] {
  const last = points[points.length - 1];
  if (!last) return [];
  const from = last.t - windowS * 1000;
  let i = points.length - 1;
  while (i > 0 && points[i - 1]!.t >= from) i--;
  return points.slice(i);
}

/** Flattens rows for recharts (GPU memory in GiB), then bucket-means them down to maxPoints. */
export function chartRows(
  points: readonly MetricsPoint[],
  windowS: number,
  gpuIndices: readonly number[] | null,
  maxPoints = MAX_CHART_POINTS,
): ChartRow[] {
  const rows = inWindow(points, windowS);
  const flat: ChartRow[] = rows.map((p) => {
    const r: ChartRow = { t: p.t };
    for (const k of POINT_SERIES) r[k] = p[k];
    for (const g of p.gpus) {
      if (gpuIndices && !gpuIndices.includes(g.index)) continue;
      r[gpuKey(g.index, 'util')] = g.util;
      r[gpuKey(g.index, 'memGiB')] = g.memUsedMiB === null ? null : g.memUsedMiB / 1024;
      r[gpuKey(g.index, 'powerW')] = g.powerW;
      r[gpuKey(g.index, 'tempC')] = g.tempC;
    }
    return r;
  });
  if (flat.length <= maxPoints) return flat;
  const from = flat[0]!.t;
  const to = flat[flat.length - 1]!.t;
  const width = Math.max((to - from) / maxPoints, 1e-9);
  const out: ChartRow[] = [];
  let group: ChartRow[] = [];
  let idx = -1;
  const flush = () => {
    if (group.length === 0) return;
    const keys = new Set<string>();
    for (const r of group) for (const k of Object.keys(r)) keys.add(k);
    keys.delete('t');
    const row: ChartRow = { t: group[group.length - 1]!.t };
    for (const k of keys) {
      const vals: number[] = [];
      for (const r of group) {
        const v = r[k];
        if (typeof v === 'number') vals.push(v);
      }
      row[k] = mean(vals);
    }
    out.push(row);
    group = [];
  };
  for (const r of flat) {
    const i = Math.min(maxPoints - 1, Math.floor((r.t - from) / width));
    if (i !== idx) {
      flush();
      idx = i;
    }
    group.push(r);
  }
  flush();
  return out;
}

/** GPUs that appear in the rows, restricted to the selection when there is one. */
export function gpusInRows(points: readonly MetricsPoint[], selection: readonly number[] | null): number[] {
  const seen = new Set<number>();
  for (const p of points) for (const g of p.gpus) seen.add(g.index);
  return [...seen].filter((i) => !selection || selection.includes(i)).sort((a, b) => a - b);
}

const CSV_COLUMNS: Record<(typeof POINT_SERIES)[number], string> = {
  genTps: 'generation_tokens_per_s',
  promptTps: 'prompt_tokens_per_s',
  reqPs: 'requests_finished_per_s',
  preemptPs: 'preemptions_per_s',
  running: 'requests_running',
  waiting: 'requests_waiting',
  kvPct: 'kv_cache_usage_pct',
  kvMaxPct: 'kv_cache_usage_max_pct',
  prefixHitPct: 'prefix_cache_hit_pct',
  ttftP50: 'ttft_p50_s',
  ttftP95: 'ttft_p95_s',
  ttftP99: 'ttft_p99_s',
  itlP50: 'itl_p50_s',
  itlP95: 'itl_p95_s',
  e2eP50: 'e2e_p50_s',
  e2eP95: 'e2e_p95_s',
  queueP50: 'queue_p50_s',
  queueP95: 'queue_p95_s',
  tpotP50: 'tpot_p50_s',
};

const csvCell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
const num = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '' : String(Math.round(v * 1e6) / 1e6);

/**
 * Every series of the rows as CSV (one row per scrape, not downsampled), GPU columns per GPU, and
 * each annotation as its own row with only the time and the `event` column filled.
 */
export function toCsv(points: readonly MetricsPoint[], annotations: readonly MetricsAnnotation[], gpus: readonly GpuMeta[] = []): string {
  const gpuIdx = [...new Set([...points.flatMap((p) => p.gpus.map((g) => g.index)), ...gpus.map((g) => g.index)])].sort((a, b) => a - b);
  const header = [
    'time_iso',
    'time_ms',
    'up',
    ...POINT_SERIES.map((k) => CSV_COLUMNS[k]),
    ...gpuIdx.flatMap((i) => [`gpu${i}_util_pct`, `gpu${i}_mem_used_mib`, `gpu${i}_power_w`, `gpu${i}_temp_c`]),
    'event',
  ];
  type Line = { t: number; order: number; cells: string[] };
  const lines: Line[] = points.map((p) => {
    const byIdx = new Map(p.gpus.map((g) => [g.index, g]));
    return {
      t: p.t,
      order: 0,
      cells: [
        new Date(p.t).toISOString(),
        String(p.t),
        p.up ? '1' : '0',
        ...POINT_SERIES.map((k) => num(p[k])),
        ...gpuIdx.flatMap((i) => {
          const g = byIdx.get(i);
          return [num(g?.util), num(g?.memUsedMiB), num(g?.powerW), num(g?.tempC)];
        }),
        '',
      ],
    };
  });
  for (const a of annotations) {
    const cells = header.map(() => '');
    cells[0] = new Date(a.t).toISOString();
    cells[1] = String(a.t);
    cells[cells.length - 1] = csvCell(`${a.kind}: ${a.text}`);
    lines.push({ t: a.t, order: 1, cells });
  }
  lines.sort((a, b) => a.t - b.t || a.order - b.order);
  return `${[header.join(','), ...lines.map((l) => l.cells.join(','))].join('\n')}\n`;
}
