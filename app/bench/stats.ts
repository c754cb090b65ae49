// Statistics for the load generator (issue 8). Percentiles use linear interpolation between
// closest ranks (numpy's default "linear" method), so results can be checked by hand.

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0 || !(p >= 0 && p <= 100)) return null;
  if (sorted.length === 1) return sorted[0]!;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export interface Summary {
  n: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
}

export function summarize(values: readonly number[]): Summary {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = xs.length;
  return {
    n,
    mean: n ? xs.reduce((a, b) => a + b, 0) / n : null,
    min: n ? xs[0]! : null,
    max: n ? xs[n - 1]! : null,
    p50: percentile(xs, 50),
    p90: percentile(xs, 90),
    p95: percentile(xs, 95),
    p99: percentile(xs, 99),
  };
}

/** Deterministic PRNG (mulberry32) so a workload is reproducible from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Open-loop arrival times (ms from start) of a Poisson process with `ratePerS`: exponential
 * inter-arrival gaps, −ln(1−U)/λ.
 */
export function poissonArrivals(ratePerS: number, count: number, random: () => number): number[] {
  if (!(ratePerS > 0)) throw new RangeError('rate must be > 0');
  const out: number[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    t += (-Math.log(1 - random()) / ratePerS) * 1000;
    out.push(t);
  }
  return out;
}

export type LengthDist = { kind: 'fixed'; value: number } | { kind: 'uniform'; min: number; max: number };

export function sampleLength(d: LengthDist, random: () => number): number {
  return d.kind === 'fixed' ? d.value : d.min + Math.floor(random() * (d.max - d.min + 1));
}

export interface RequestRecord {
  ok: boolean;
  errorKind?: string;
  ttftMs: number | null;
  /** Gaps between consecutive output chunks (ms). */
  itlMs: number[];
  e2eMs: number;
  outputTokens: number;
  promptTokens: number;
}

export interface Slo {
  ttftMs?: number;
  itlMs?: number;
  e2eMs?: number;
}

/** A request counts toward goodput when it succeeded and met every SLO the user set (mean ITL per request). */
export function meetsSlo(r: RequestRecord, slo: Slo): boolean {
  if (!r.ok) return false;
  if (slo.ttftMs !== undefined && (r.ttftMs === null || r.ttftMs > slo.ttftMs)) return false;
  if (slo.itlMs !== undefined && r.itlMs.length > 0 && r.itlMs.reduce((a, b) => a + b, 0) / r.itlMs.length > slo.itlMs) return false;
  if (slo.e2eMs !== undefined && r.e2eMs > slo.e2eMs) return false;
  return true;
}

export interface Aggregate {
  requests: number;
  succeeded: number;
  errorsByKind: Record<string, number>;
  durationS: number;
  requestsPerS: number;
  outputTokensPerS: number;
  totalTokensPerS: number;
  goodputPerS: number;
  ttftMs: Summary;
  itlMs: Summary;
  e2eMs: Summary;
  outputTokens: Summary;
}

export function aggregate(records: readonly RequestRecord[], durationS: number, slo: Slo = {}): Aggregate {
  const ok = records.filter((r) => r.ok);
  const errorsByKind: Record<string, number> = {};
  for (const r of records) if (!r.ok) errorsByKind[r.errorKind ?? 'unknown'] = (errorsByKind[r.errorKind ?? 'unknown'] ?? 0) + 1;
  const out = ok.reduce((a, r) => a + r.outputTokens, 0);
  const prompt = ok.reduce((a, r) => a + r.promptTokens, 0);
  const d = durationS > 0 ? durationS : Number.NaN;
  return {
    requests: records.length,
    succeeded: ok.length,
    errorsByKind,
    durationS,
    requestsPerS: ok.length / d || 0,
    outputTokensPerS: out / d || 0,
    totalTokensPerS: (out + prompt) / d || 0,
    goodputPerS: records.filter((r) => meetsSlo(r, slo)).length / d || 0,
    ttftMs: summarize(ok.map((r) => r.ttftMs ?? Number.NaN)),
    itlMs: summarize(ok.flatMap((r) => r.itlMs)),
    e2eMs: summarize(ok.map((r) => r.e2eMs)),
    outputTokens: summarize(ok.map((r) => r.outputTokens)),
  };
}
