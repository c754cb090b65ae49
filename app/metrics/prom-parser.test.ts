import { describe, expect, it } from 'vitest';
import { bucketDelta, bucketsFromSamples, histogramQuantile } from './histogram';
import { parsePrometheusText } from './prom-parser';

const VLLM_BODY = `# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="nemotron"} 3.0
vllm:num_requests_running{engine="1",model_name="nemotron"} 2.0
# HELP vllm:prompt_tokens_total Number of prefill tokens processed.
# TYPE vllm:prompt_tokens_total counter
vllm:prompt_tokens_total{engine="0",model_name="nemotron"} 1234.0
# HELP vllm:prompt_tokens_created Number of prefill tokens processed.
# TYPE vllm:prompt_tokens_created gauge
vllm:prompt_tokens_created{engine="0",model_name="nemotron"} 1.7e+09
# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
# TYPE vllm:time_to_first_token_seconds histogram
vllm:time_to_first_token_seconds_bucket{engine="0",le="0.1",model_name="nemotron"} 2.0
vllm:time_to_first_token_seconds_bucket{engine="0",le="0.25",model_name="nemotron"} 6.0
vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="nemotron"} 10.0
vllm:time_to_first_token_seconds_count{engine="0",model_name="nemotron"} 10.0
vllm:time_to_first_token_seconds_sum{engine="0",model_name="nemotron"} 3.5
`;

describe('parsePrometheusText', () => {
  it('parses HELP/TYPE, labels, counters with _total/_created, histograms with labelled _sum/_count', () => {
    const r = parsePrometheusText(VLLM_BODY);
    expect(r.issues).toEqual([]);
    expect(r.families.get('vllm:num_requests_running')).toMatchObject({
      type: 'gauge',
      help: 'Number of requests in model execution batches.',
    });
    expect(r.byName.get('vllm:num_requests_running')!.map((s) => s.value)).toEqual([3, 2]);
    expect(r.byName.get('vllm:prompt_tokens_created')![0]!.value).toBe(1.7e9);
    const ttft = r.families.get('vllm:time_to_first_token_seconds')!;
    expect(ttft.type).toBe('histogram');
    expect(ttft.samples).toHaveLength(5);
    expect(r.byName.get('vllm:time_to_first_token_seconds_sum')![0]).toEqual({
      name: 'vllm:time_to_first_token_seconds_sum',
      labels: { engine: '0', model_name: 'nemotron' },
      value: 3.5,
    });
  });

  it('handles escapes, NaN/±Inf, timestamps, exemplars, CRLF and a trailing comma', () => {
    const r = parsePrometheusText(
      'a{path="C:\\\\x",q="say \\"hi\\"",nl="1\\n2",} NaN\r\nb +Inf 1700000000000\nc -Inf\nd{x="1"} 5 # {trace_id="abc"} 1.0 1.5\n# HELP e a\\\\b\\nc\n',
    );
    expect(r.issues).toEqual([]);
    const a = r.byName.get('a')![0]!;
    expect(a.labels).toEqual({ path: 'C:\\x', q: 'say "hi"', nl: '1\n2' });
    expect(Number.isNaN(a.value)).toBe(true);
    expect(r.byName.get('b')![0]).toMatchObject({ value: Number.POSITIVE_INFINITY, timestampMs: 1.7e12 });
    expect(r.byName.get('c')![0]!.value).toBe(Number.NEGATIVE_INFINITY);
    expect(r.byName.get('d')![0]!.value).toBe(5);
  });

  it('reports garbage lines with their numbers instead of throwing', () => {
    const r = parsePrometheusText('ok 1\n{oops} 2\nbad{a="1" 3\nnovalue\nx{a="1"} abc\n# TYPE z wibble\nfine 2\n');
    expect(r.byName.get('ok')![0]!.value).toBe(1);
    expect(r.byName.get('fine')![0]!.value).toBe(2);
    expect(r.issues.map((i) => i.line)).toEqual([2, 3, 4, 5, 6]);
  });

  it('survives a truncated body (cut mid-label)', () => {
    const cut = VLLM_BODY.slice(0, VLLM_BODY.indexOf('le="0.25"') + 5);
    const r = parsePrometheusText(cut);
    expect(r.issues).toHaveLength(1);
    expect(r.byName.get('vllm:time_to_first_token_seconds_bucket')).toHaveLength(1);
  });

  it('never throws on random input (fuzz)', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = 'ab_:{}="\\\n #+-.0123456789eInfNa,\t\r';
    for (let k = 0; k < 2000; k++) {
      let s = '';
      const n = Math.floor(rand() * 200);
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
      // Mutations of a valid body too.
      const body = k % 2 === 0 ? s : VLLM_BODY.slice(0, Math.floor(rand() * VLLM_BODY.length)) + s;
      expect(() => parsePrometheusText(body)).not.toThrow();
    }
  });
});

describe('histogram quantiles (hand-computed)', () => {
  const r = parsePrometheusText(VLLM_BODY);
  const h = bucketsFromSamples(r.byName.get('vllm:time_to_first_token_seconds_bucket'))!;

  it('interpolates inside the bucket holding the rank', () => {
    // N=10. p50: rank 5 → bucket (0.1, 0.25] holding counts 2..6 → 0.1 + 0.15·(5−2)/(6−2) = 0.2125
    expect(histogramQuantile(0.5, h)!.value).toBeCloseTo(0.2125, 10);
    // p10: rank 1 → first bucket [0, 0.1] with 2 → 0 + 0.1·1/2 = 0.05
    expect(histogramQuantile(0.1, h)!.value).toBeCloseTo(0.05, 10);
    // p95: rank 9.5 → +Inf bucket → report the largest finite bound as "≥ 0.25"
    expect(histogramQuantile(0.95, h)).toEqual({ value: 0.25, atLeast: true });
  });

  it('sums engines and takes deltas, treating a decrease as a restart', () => {
    const two = bucketsFromSamples([
      { name: 'x_bucket', labels: { le: '1', engine: '0' }, value: 1 },
      { name: 'x_bucket', labels: { le: '+Inf', engine: '0' }, value: 2 },
      { name: 'x_bucket', labels: { le: '1', engine: '1' }, value: 3 },
      { name: 'x_bucket', labels: { le: '+Inf', engine: '1' }, value: 4 },
    ])!;
    expect(two).toEqual({ bounds: [1, Number.POSITIVE_INFINITY], counts: [4, 6] });
    const later = { bounds: two.bounds, counts: [10, 16] };
    expect(bucketDelta(two, later).counts).toEqual([6, 10]);
    const restarted = { bounds: two.bounds, counts: [1, 1] };
    expect(bucketDelta(two, restarted).counts).toEqual([1, 1]);
    expect(histogramQuantile(0.5, { bounds: two.bounds, counts: [0, 0] })).toBeUndefined();
  });
});
