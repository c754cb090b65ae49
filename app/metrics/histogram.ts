import type { Sample } from './prom-parser';

/** A cumulative histogram: `counts[i]` = observations ≤ `bounds[i]`; the last bound is +Inf. */
export interface Buckets {
  bounds: number[];
  counts: number[];
}

/**
 * Sums `<name>_bucket` samples across every label set except `le` (e.g. all DP engines),
 * optionally restricted by `keep(labels)`.
 */
export function bucketsFromSamples(
  samples: readonly Sample[] | undefined,
  keep?: (labels: Record<string, string>) => boolean,
): Buckets | undefined {
  if (!samples || samples.length === 0) return undefined;
  const sums = new Map<number, number>();
  for (const s of samples) {
    const le = s.labels.le;
    if (le === undefined || (keep && !keep(s.labels))) continue;
    const bound = le === '+Inf' || le === 'Inf' ? Number.POSITIVE_INFINITY : Number(le);
    if (Number.isNaN(bound)) continue;
    sums.set(bound, (sums.get(bound) ?? 0) + s.value);
  }
  if (sums.size === 0) return undefined;
  const bounds = [...sums.keys()].sort((a, b) => a - b);
  return { bounds, counts: bounds.map((b) => sums.get(b)!) };
}

/**
 * Per-bucket increase between two scrapes. A decrease anywhere means the server restarted
 * (counter reset): then the new histogram itself is the increase (never negative rates).
 */
export function bucketDelta(prev: Buckets | undefined, cur: Buckets): Buckets {
  if (!prev || prev.bounds.length !== cur.bounds.length || prev.bounds.some((b, i) => b !== cur.bounds[i])) return cur;
  const counts = cur.counts.map((c, i) => c - prev.counts[i]!);
  return counts.some((d) => d < 0) ? cur : { bounds: cur.bounds, counts };
}

export interface Quantile {
  /** Seconds (or whatever unit the histogram has). */
  value: number;
  /** True when the rank fell in the +Inf bucket: the value is the largest finite bound, "≥". */
  atLeast: boolean;
}

/**
 * Prometheus' histogram_quantile: linear interpolation inside the bucket that holds rank q·N
 * (vllm-metrics.md §4). The lower edge of the first bucket is 0. Undefined when N = 0.
 */
export function histogramQuantile(q: number, h: Buckets | undefined): Quantile | undefined {
  if (!h || h.counts.length === 0 || !(q >= 0 && q <= 1)) return undefined;
  const total = h.counts[h.counts.length - 1]!;
  if (!(total > 0)) return undefined;
  const rank = q * total;
  let prevCount = 0;
  let prevBound = 0;
  for (let i = 0; i < h.bounds.length; i++) {
    const bound = h.bounds[i]!;
    const count = h.counts[i]!;
    if (count >= rank && count > prevCount) {
      if (bound === Number.POSITIVE_INFINITY) {
        const lastFinite = i > 0 ? h.bounds[i - 1]! : 0;
        return { value: lastFinite, atLeast: true };
      }
      return { value: prevBound + ((bound - prevBound) * (rank - prevCount)) / (count - prevCount), atLeast: false };
    }
    if (bound !== Number.POSITIVE_INFINITY) prevBound = bound;
    prevCount = count;
  }
  return undefined;
}
