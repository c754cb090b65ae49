import { describe, expect, it } from 'vitest';
import { goFloat, pyFloat, Registry } from './prometheus';
import { buckets125 } from './vllm-metrics';

describe('Prometheus text as prometheus_client writes it', () => {
  it("prints floats with Python's repr and Go-style exponents", () => {
    expect(pyFloat(3)).toBe('3.0');
    expect(pyFloat(0.42)).toBe('0.42');
    expect(pyFloat(1e16)).toBe('1e+16');
    expect(pyFloat(1e-5)).toBe('1e-05');
    expect(goFloat(1234567)).toBe('1.234567e+06');
    expect(goFloat(1700000000.5)).toBe('1.7000000005e+09');
    expect(goFloat(100000)).toBe('100000.0');
    expect(goFloat(2560)).toBe('2560.0');
    expect(goFloat(Number.POSITIVE_INFINITY)).toBe('+Inf');
  });

  it('exposes counters as _total plus a _created gauge family, histograms cumulatively', () => {
    const r = new Registry(() => 1700000000);
    const c = r.counter('vllm:prompt_tokens', 'Number of prefill tokens processed.', { model_name: 'm', engine: '0' });
    c.inc(5);
    const h = r.histogram('vllm:e2e', 'E2E.', { model_name: 'm', engine: '0' }, [0.5, 1]);
    h.observe(0.2);
    h.observe(0.7);
    h.observe(3);
    expect(r.render()).toBe(
      [
        '# HELP vllm:prompt_tokens_total Number of prefill tokens processed.',
        '# TYPE vllm:prompt_tokens_total counter',
        'vllm:prompt_tokens_total{engine="0",model_name="m"} 5.0',
        '# HELP vllm:prompt_tokens_created Number of prefill tokens processed.',
        '# TYPE vllm:prompt_tokens_created gauge',
        'vllm:prompt_tokens_created{engine="0",model_name="m"} 1.7e+09',
        '# HELP vllm:e2e E2E.',
        '# TYPE vllm:e2e histogram',
        'vllm:e2e_bucket{engine="0",model_name="m",le="0.5"} 1.0',
        'vllm:e2e_bucket{engine="0",model_name="m",le="1.0"} 2.0',
        'vllm:e2e_bucket{engine="0",model_name="m",le="+Inf"} 3.0',
        'vllm:e2e_count{engine="0",model_name="m"} 3.0',
        'vllm:e2e_sum{engine="0",model_name="m"} 3.9',
        '# HELP vllm:e2e_created E2E.',
        '# TYPE vllm:e2e_created gauge',
        'vllm:e2e_created{engine="0",model_name="m"} 1.7e+09',
        '',
      ].join('\n'),
    );
  });

  it("builds vLLM's 1-2-5 buckets up to max_model_len", () => {
    expect(buckets125(8192)).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]);
  });
});
