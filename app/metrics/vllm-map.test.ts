import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from './prom-parser';
import { deriveStats, extractVllm } from './vllm-map';

const m = 'model_name="nemo"';
function body(o: {
  gen: number;
  prompt: number;
  ok: number;
  q: number;
  h: number;
  ttft: [number, number, number];
  kv0: number;
  kv1: number;
}) {
  return [
    `vllm:generation_tokens_total{engine="0",${m}} ${o.gen / 2}`,
    `vllm:generation_tokens_total{engine="1",${m}} ${o.gen / 2}`,
    `vllm:prompt_tokens_total{engine="0",${m}} ${o.prompt}`,
    `vllm:request_success_total{engine="0",finished_reason="stop",${m}} ${o.ok}`,
    `vllm:request_success_total{engine="0",finished_reason="length",${m}} 1`,
    `vllm:prefix_cache_queries_total{engine="0",${m}} ${o.q}`,
    `vllm:prefix_cache_hits_total{engine="0",${m}} ${o.h}`,
    `vllm:num_requests_running{engine="0",${m}} 3`,
    `vllm:num_requests_running{engine="1",${m}} 4`,
    `vllm:num_requests_waiting{engine="0",${m}} 1`,
    `vllm:kv_cache_usage_perc{engine="0",${m}} ${o.kv0}`,
    `vllm:kv_cache_usage_perc{engine="1",${m}} ${o.kv1}`,
    `vllm:time_to_first_token_seconds_bucket{engine="0",le="0.1",${m}} ${o.ttft[0]}`,
    `vllm:time_to_first_token_seconds_bucket{engine="0",le="0.5",${m}} ${o.ttft[1]}`,
    `vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",${m}} ${o.ttft[2]}`,
    `vllm:time_to_first_token_seconds_count{engine="0",${m}} ${o.ttft[2]}`,
    `vllm:time_to_first_token_seconds_sum{engine="0",${m}} ${o.ttft[2] * 0.2}`,
    'python_gc_objects_collected_total{generation="0"} 10',
  ].join('\n');
}

describe('vLLM metric mapping', () => {
  it('sums engines, averages KV usage and keeps unknown families', () => {
    const s = extractVllm(parsePrometheusText(body({ gen: 100, prompt: 50, ok: 2, q: 10, h: 5, ttft: [1, 2, 2], kv0: 0.2, kv1: 0.6 })), 0);
    expect(s.engines).toEqual(['0', '1']);
    expect([s.generationTokens, s.running, s.waiting, s.requestsFinished]).toEqual([100, 7, 1, 3]);
    expect(s.kvUsageMean).toBeCloseTo(0.4);
    expect(s.kvUsageMax).toBeCloseTo(0.6);
    expect(s.unknownFamilies).toContain('python_gc_objects_collected_total');
  });

  it('falls back to the old V1 names (gpu_cache_usage_perc, gpu_prefix_cache_*, time_per_output_token)', () => {
    const old = parsePrometheusText(
      [
        `vllm:gpu_cache_usage_perc{${m}} 0.5`,
        `vllm:gpu_prefix_cache_queries_total{${m}} 8`,
        `vllm:gpu_prefix_cache_hits_total{${m}} 2`,
        `vllm:time_per_output_token_seconds_bucket{le="0.05",${m}} 4`,
        `vllm:time_per_output_token_seconds_bucket{le="+Inf",${m}} 4`,
        `vllm:time_per_output_token_seconds_count{${m}} 4`,
        `vllm:time_per_output_token_seconds_sum{${m}} 0.12`,
      ].join('\n'),
    );
    const s = extractVllm(old, 0);
    expect(s.kvUsageMean).toBe(0.5);
    expect([s.prefixQueries, s.prefixHits, s.prefixUnit]).toEqual([8, 2, 'blocks']);
    expect(s.hist.itl?.count).toBe(4);
  });

  it('derives rates, hit rate and window quantiles (hand-computed)', () => {
    const a = extractVllm(
      parsePrometheusText(body({ gen: 100, prompt: 50, ok: 2, q: 10, h: 5, ttft: [1, 2, 2], kv0: 0.2, kv1: 0.6 })),
      10_000,
    );
    const b = extractVllm(
      parsePrometheusText(body({ gen: 300, prompt: 150, ok: 6, q: 30, h: 20, ttft: [3, 8, 10], kv0: 0.3, kv1: 0.5 })),
      12_000,
    );
    const d = deriveStats(a, b);
    expect(d.windowS).toBe(2);
    expect(d.generationTokensPerS).toBe(100); // (300-100)/2
    expect(d.promptTokensPerS).toBe(50);
    expect(d.requestsPerS).toBe(2); // stop 2→6 over 2 s
    expect(d.prefixHitRatePct).toBe(75); // 15 hits / 20 queries
    expect(d.kvUsagePct).toBeCloseTo(40);
    // Window TTFT buckets: [2, 6, 8] → p50 rank 4 in (0.1,0.5]: 0.1 + 0.4·(4−2)/(6−2) = 0.3
    expect(d.latency.ttft.p50!.value).toBeCloseTo(0.3, 10);
    expect(d.latency.ttft.mean).toBeCloseTo(0.2);
    expect(d.latency.ttft.n).toBe(8);
    expect(d.reset).toBe(false);
  });

  it('never reports negative rates after a restart (counter reset)', () => {
    const before = extractVllm(
      parsePrometheusText(body({ gen: 1000, prompt: 500, ok: 20, q: 100, h: 50, ttft: [5, 9, 10], kv0: 0.2, kv1: 0.2 })),
      0,
    );
    const after = extractVllm(
      parsePrometheusText(body({ gen: 40, prompt: 10, ok: 1, q: 4, h: 1, ttft: [1, 1, 1], kv0: 0.1, kv1: 0.1 })),
      1000,
    );
    const d = deriveStats(before, after);
    expect(d.reset).toBe(true);
    expect(d.generationTokensPerS).toBe(40);
    expect(d.requestsPerS).toBeGreaterThanOrEqual(0);
    expect(d.latency.ttft.n).toBe(1);
    expect(d.latency.ttft.p50!.value).toBeGreaterThanOrEqual(0);
  });
});
