// The server's own account of a measured window: /metrics scraped before and after, mapped with
// app/metrics (parsePrometheusText → extractVllm → deriveStats), so a result shows what vLLM
// counted (tokens, preemptions, prefix-cache hits, its latency histograms) next to what the
// client measured.
import type { ServerDeltaDto } from '../contract/bench';
import { parsePrometheusText } from '../metrics/prom-parser';
import { deriveStats, extractVllm, type VllmSnapshot } from '../metrics/vllm-map';

/** 8 MiB: far above a real /metrics body (~40–150 KB per engine), a bound against a runaway answer. */
const MAX_METRICS_BYTES = 8 * 1024 * 1024;

export type ScrapeResult = { ok: true; snapshot: VllmSnapshot } | { ok: false; message: string };

export async function scrapeVllm(
  fetchImpl: typeof fetch,
  baseUrl: string,
  o: { apiKey?: string; modelName?: string; timeoutMs?: number; now?: () => number } = {},
): Promise<ScrapeResult> {
  const url = `${baseUrl.replace(/\/+$/, '')}/metrics`;
  try {
    const res = await fetchImpl(url, {
      headers: o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {},
      signal: AbortSignal.timeout(o.timeoutMs ?? 5000),
    });
    if (res.status !== 200) return { ok: false, message: `${url} answered HTTP ${res.status}` };
    const text = await res.text();
    if (text.length > MAX_METRICS_BYTES) return { ok: false, message: `${url} sent more than 8 MiB` };
    const snap = extractVllm(parsePrometheusText(text), (o.now ?? Date.now)(), o.modelName);
    if (snap.engines.length === 0 && snap.generationTokens === 0 && !snap.hist.e2e) {
      return { ok: false, message: `${url} has no vLLM metrics` };
    }
    return { ok: true, snapshot: snap };
  } catch (err) {
    return { ok: false, message: `${url}: ${(err as Error).message}` };
  }
}

const finite = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Before/after snapshots → the window's counts, rates and server-side latency quantiles. */
export function serverDelta(before: VllmSnapshot, after: VllmSnapshot): ServerDeltaDto {
  const d = deriveStats(before, after);
  const inc = (a: number, b: number) => (d.reset ? b : Math.max(0, b - a));
  const lat = (k: keyof typeof d.latency) => {
    const l = d.latency[k];
    const q = (x: typeof l.p50) => (x && Number.isFinite(x.value) ? { value: x.value, atLeast: x.atLeast } : null);
    return { mean: finite(l.mean), p50: q(l.p50), p95: q(l.p95), p99: q(l.p99), n: l.n };
  };
  return {
    windowS: d.windowS,
    promptTokens: inc(before.promptTokens, after.promptTokens),
    generationTokens: inc(before.generationTokens, after.generationTokens),
    requestsFinished: inc(before.requestsFinished, after.requestsFinished),
    preemptions: inc(before.preemptions, after.preemptions),
    promptTokensPerS: finite(d.promptTokensPerS) ?? 0,
    generationTokensPerS: finite(d.generationTokensPerS) ?? 0,
    prefixHitRatePct: finite(d.prefixHitRatePct),
    kvUsageMaxPct: finite(d.kvUsageMaxPct),
    latency: { ttft: lat('ttft'), itl: lat('itl'), e2e: lat('e2e'), queue: lat('queue'), tpot: lat('tpot') },
    reset: d.reset,
  };
}
