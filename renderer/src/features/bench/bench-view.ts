// Pure view helpers of the benchmark page: chart series (throughput against latency, one curve
// per profile — or per run × profile when runs are compared), number formatting, labels.
import type { AggregateDto, BenchResultDto, Objective } from '../../contract';

export type LatencyMetric = 'itlP50' | 'ttftP95' | 'stallP90' | 'e2eP50';

export const LATENCY_METRICS: readonly { id: LatencyMetric; label: string; pick(a: AggregateDto): number | null }[] = [
  { id: 'itlP50', label: 'ITL p50 (ms)', pick: (a) => a.itlMs.p50 },
  { id: 'ttftP95', label: 'TTFT p95 (ms)', pick: (a) => a.ttftMs.p95 },
  { id: 'stallP90', label: 'Stall p90 (ms)', pick: (a) => a.stallMs.p90 },
  { id: 'e2eP50', label: 'E2E p50 (ms)', pick: (a) => a.e2eMs.p50 },
];

/** Colour-blind-safe categorical palette (Okabe–Ito), readable on the dark and light themes. */
export const SERIES_COLORS = ['#56b4e9', '#e69f00', '#009e73', '#cc79a7', '#f0e442', '#d55e00', '#0072b2', '#999999'];

export interface CurvePoint {
  x: number;
  y: number;
  level: number;
}
export interface Curve {
  key: string;
  label: string;
  color: string;
  points: CurvePoint[];
}

/** One curve per profile (per run × profile for several runs): output tok/s → latency, ordered by load. */
export function throughputLatencyCurves(results: readonly BenchResultDto[], metric: LatencyMetric): Curve[] {
  const pick = LATENCY_METRICS.find((m) => m.id === metric)!.pick;
  const curves: Curve[] = [];
  for (const r of results) {
    for (const p of r.profiles) {
      const points = p.levels
        .filter((l) => l.aggregate.succeeded > 0)
        .map((l) => ({ x: l.aggregate.outputTokensPerS, y: pick(l.aggregate), level: l.load.value }))
        .filter((pt): pt is CurvePoint => pt.y !== null && Number.isFinite(pt.y) && Number.isFinite(pt.x))
        .sort((a, b) => a.level - b.level);
      if (points.length === 0) continue;
      curves.push({
        key: `${r.id}:${p.profileId}`,
        label: results.length > 1 ? `${p.profileName} · ${r.name}` : p.profileName,
        color: SERIES_COLORS[curves.length % SERIES_COLORS.length]!,
        points,
      });
    }
  }
  return curves;
}

export function fmtNum(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 10_000) return Math.round(x).toLocaleString('en-US');
  return x.toFixed(digits);
}

/** Axis ticks: whole numbers from 10 up, two significant digits below (sub-millisecond ITLs on fast GPUs). */
export function fmtTick(v: number): string {
  if (!Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a >= 10_000) return `${Math.round(v / 1000)}k`;
  if (a >= 10 || a === 0) return String(Math.round(v));
  return String(Number(v.toPrecision(2)));
}

export function fmtDuration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '–';
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(sec).padStart(2, '0')} s`;
  return `${sec} s`;
}

export const PHASE_TEXT: Record<string, string> = {
  preparing: 'Preparing',
  'stopping-server': 'Stopping the server',
  'starting-server': 'Starting the server',
  warmup: 'Warming up',
  running: 'Measuring',
  draining: 'Waiting for the last requests',
  saving: 'Saving',
};

export function profileName(r: BenchResultDto, id: string | null): string {
  if (id === null) return '–';
  return r.profiles.find((p) => p.profileId === id)?.profileName ?? id;
}

/** What to show for one objective: the overall winner and a short per-level line. */
export function winnerText(r: BenchResultDto, objective: Objective): { winner: string | null; detail: string } {
  const o = r.comparison.objectives.find((x) => x.objective === objective);
  if (!o) return { winner: null, detail: '' };
  const detail = o.perLevel.map((l) => `${l.level}: ${l.winner ? profileName(r, l.winner) : l.tied.length ? 'tie' : '–'}`).join(' · ');
  return { winner: o.winner ? profileName(r, o.winner) : null, detail };
}
