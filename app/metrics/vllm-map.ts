// Maps a parsed /metrics body onto the numbers the panel shows, across vLLM versions
// (../shared/reference/vllm-metrics.md §1–§4): renamed metrics with fallbacks, counters and
// running/waiting summed across data-parallel engines, KV usage as mean and max.
import { type Buckets, bucketDelta, bucketsFromSamples, histogramQuantile, type Quantile } from './histogram';
import type { ParsedMetrics, Sample } from './prom-parser';

export type HistKey = 'ttft' | 'itl' | 'e2e' | 'queue' | 'tpot';

export interface VllmSnapshot {
  /** ms since epoch of the scrape. */
  t: number;
  engines: string[];
  modelNames: string[];
  promptTokens: number;
  generationTokens: number;
  requestsFinished: number;
  /** finished requests by `finished_reason` (stop / length / abort / error). */
  finishedByReason: Record<string, number>;
  preemptions: number;
  prefixQueries: number;
  prefixHits: number;
  /** v0.8 counted prefix-cache blocks, later versions tokens. */
  prefixUnit: 'tokens' | 'blocks';
  running: number;
  waiting: number;
  kvUsageMean: number | null;
  kvUsageMax: number | null;
  hist: Partial<Record<HistKey, { buckets: Buckets; sum: number; count: number }>>;
  /** Families the mapping did not use (kept for the raw view). */
  unknownFamilies: string[];
}

const sum = (xs: readonly Sample[] | undefined, keep?: (s: Sample) => boolean): number => {
  let t = 0;
  if (xs) for (const s of xs) if ((!keep || keep(s)) && Number.isFinite(s.value)) t += s.value;
  return t;
};

/** First name that exists in the body (new name first, then the old ones). */
function pick(p: ParsedMetrics, ...names: string[]): { name: string; samples: Sample[] } | undefined {
  for (const name of names) {
    const s = p.byName.get(name);
    if (s && s.length > 0) return { name, samples: s };
  }
  return undefined;
}

const HISTS: Record<HistKey, string[]> = {
  ttft: ['vllm:time_to_first_token_seconds'],
  itl: ['vllm:inter_token_latency_seconds', 'vllm:time_per_output_token_seconds'],
  e2e: ['vllm:e2e_request_latency_seconds'],
  queue: ['vllm:request_queue_time_seconds'],
  tpot: ['vllm:request_time_per_output_token_seconds'],
};

const USED_PREFIXES = [
  'vllm:prompt_tokens',
  'vllm:generation_tokens',
  'vllm:request_success',
  'vllm:num_preemptions',
  'vllm:prefix_cache_',
  'vllm:gpu_prefix_cache_',
  'vllm:num_requests_running',
  'vllm:num_requests_waiting',
  'vllm:kv_cache_usage_perc',
  'vllm:gpu_cache_usage_perc',
  ...Object.values(HISTS).flat(),
];

export function extractVllm(p: ParsedMetrics, t: number, modelName?: string): VllmSnapshot {
  const keepModel = (s: Sample) => modelName === undefined || s.labels.model_name === undefined || s.labels.model_name === modelName;
  const engines = new Set<string>();
  const models = new Set<string>();
  for (const list of p.byName.values()) {
    for (const s of list) {
      if (s.labels.engine !== undefined) engines.add(s.labels.engine);
      if (s.labels.model_name !== undefined) models.add(s.labels.model_name);
    }
  }
  const counter = (...names: string[]) => sum(pick(p, ...names)?.samples, keepModel);
  const finishedByReason: Record<string, number> = {};
  for (const s of pick(p, 'vllm:request_success_total')?.samples ?? []) {
    if (!keepModel(s)) continue;
    const r = s.labels.finished_reason ?? 'unknown';
    finishedByReason[r] = (finishedByReason[r] ?? 0) + s.value;
  }
  const prefixNew = pick(p, 'vllm:prefix_cache_queries_total');
  const kv = pick(p, 'vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc')?.samples.filter(keepModel) ?? [];
  const kvValues = kv.map((s) => s.value).filter(Number.isFinite);
  const hist: VllmSnapshot['hist'] = {};
  for (const [key, names] of Object.entries(HISTS) as [HistKey, string[]][]) {
    for (const base of names) {
      const buckets = bucketsFromSamples(
        p.byName.get(`${base}_bucket`),
        (l) => modelName === undefined || l.model_name === undefined || l.model_name === modelName,
      );
      if (!buckets) continue;
      hist[key] = { buckets, sum: sum(p.byName.get(`${base}_sum`), keepModel), count: sum(p.byName.get(`${base}_count`), keepModel) };
      break;
    }
  }
  return {
    t,
    engines: [...engines].sort(),
    modelNames: [...models].sort(),
    promptTokens: counter('vllm:prompt_tokens_total'),
    generationTokens: counter('vllm:generation_tokens_total'),
    requestsFinished: Object.values(finishedByReason).reduce((a, b) => a + b, 0),
    finishedByReason,
    preemptions: counter('vllm:num_preemptions_total'),
    prefixQueries: counter('vllm:prefix_cache_queries_total', 'vllm:gpu_prefix_cache_queries_total'),
    prefixHits: counter('vllm:prefix_cache_hits_total', 'vllm:gpu_prefix_cache_hits_total'),
    prefixUnit: prefixNew ? 'tokens' : pick(p, 'vllm:gpu_prefix_cache_queries_total') ? 'blocks' : 'tokens',
    running: counter('vllm:num_requests_running'),
    waiting: counter('vllm:num_requests_waiting'),
    kvUsageMean: kvValues.length ? kvValues.reduce((a, b) => a + b, 0) / kvValues.length : null,
    kvUsageMax: kvValues.length ? Math.max(...kvValues) : null,
    hist,
    unknownFamilies: [...p.families.keys()].filter((f) => !USED_PREFIXES.some((u) => f.startsWith(u))),
  };
}

export interface LatencyStats {
  mean: number | null;
  p50: Quantile | null;
  p95: Quantile | null;
  p99: Quantile | null;
  /** Observations in the window. */
  n: number;
}

/** Serving stats between two snapshots (the window). Rates never go negative. */
export interface DerivedStats {
  t: number;
  windowS: number;
  promptTokensPerS: number;
  generationTokensPerS: number;
  requestsPerS: number;
  preemptionsPerS: number;
  running: number;
  waiting: number;
  /** 0…100, or null when the server exposes no KV usage. */
  kvUsagePct: number | null;
  kvUsageMaxPct: number | null;
  /** 0…100 over the window; null when no prefix-cache lookups happened. */
  prefixHitRatePct: number | null;
  latency: Record<HistKey, LatencyStats>;
  /** A counter went backwards between the snapshots: the server restarted. */
  reset: boolean;
}

/** Counter increase; a decrease means a restart, so the new value is the increase. */
function inc(prev: number, cur: number): { d: number; reset: boolean } {
  return cur >= prev ? { d: cur - prev, reset: false } : { d: cur, reset: true };
}

export function deriveStats(prev: VllmSnapshot, cur: VllmSnapshot): DerivedStats {
  const dt = Math.max((cur.t - prev.t) / 1000, 1e-9);
  let reset = false;
  const rate = (a: number, b: number) => {
    const r = inc(a, b);
    reset ||= r.reset;
    return r.d / dt;
  };
  const dq = inc(prev.prefixQueries, cur.prefixQueries);
  const dh = inc(prev.prefixHits, cur.prefixHits);
  reset ||= dq.reset || dh.reset;
  const latency = {} as Record<HistKey, LatencyStats>;
  for (const key of Object.keys(HISTS) as HistKey[]) {
    const c = cur.hist[key];
    const p = prev.hist[key];
    if (!c) {
      latency[key] = { mean: null, p50: null, p95: null, p99: null, n: 0 };
      continue;
    }
    const b = bucketDelta(p?.buckets, c.buckets);
    const restarted = b === c.buckets && p !== undefined;
    const dCount = restarted ? c.count : c.count - (p?.count ?? 0);
    const dSum = restarted ? c.sum : c.sum - (p?.sum ?? 0);
    latency[key] = {
      mean: dCount > 0 ? dSum / dCount : null,
      p50: histogramQuantile(0.5, b) ?? null,
      p95: histogramQuantile(0.95, b) ?? null,
      p99: histogramQuantile(0.99, b) ?? null,
      n: dCount,
    };
  }
  return {
    t: cur.t,
    windowS: dt,
    promptTokensPerS: rate(prev.promptTokens, cur.promptTokens),
    generationTokensPerS: rate(prev.generationTokens, cur.generationTokens),
    requestsPerS: rate(prev.requestsFinished, cur.requestsFinished),
    preemptionsPerS: rate(prev.preemptions, cur.preemptions),
    running: cur.running,
    waiting: cur.waiting,
    kvUsagePct: cur.kvUsageMean === null ? null : cur.kvUsageMean * 100,
    kvUsageMaxPct: cur.kvUsageMax === null ? null : cur.kvUsageMax * 100,
    prefixHitRatePct: dq.d > 0 ? (100 * dh.d) / dq.d : null,
    latency,
    reset,
  };
}
