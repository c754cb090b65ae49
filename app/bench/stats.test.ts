import { describe, expect, it } from 'vitest';
import { aggregate, meetsSlo, percentile, poissonArrivals, type RequestRecord, rng, sampleLength, summarize } from './stats';

describe('percentiles (hand-computed, linear interpolation)', () => {
  it('matches the closest-rank interpolation by hand', () => {
    const xs = [10, 20, 30, 40, 50];
    expect(percentile(xs, 50)).toBe(30);
    expect(percentile(xs, 90)).toBe(46); // rank 3.6 → 40 + 0.6·10
    expect(percentile(xs, 95)).toBe(48); // rank 3.8
    expect(percentile(xs, 99)).toBeCloseTo(49.6); // rank 3.96
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('summarizes unsorted input and ignores non-finite values', () => {
    const s = summarize([3, 1, Number.NaN, 2, 4]);
    expect(s).toMatchObject({ n: 4, mean: 2.5, min: 1, max: 4, p50: 2.5 });
  });
});

describe('arrival processes', () => {
  it('Poisson arrivals have the requested mean rate (seeded, reproducible)', () => {
    const a = poissonArrivals(20, 20_000, rng(7));
    const b = poissonArrivals(20, 20_000, rng(7));
    expect(a).toEqual(b);
    const meanGapMs = a[a.length - 1]! / a.length;
    expect(meanGapMs).toBeGreaterThan(48); // 1000/20 = 50 ms ± sampling error
    expect(meanGapMs).toBeLessThan(52);
    // Exponential gaps: about 36.8 % exceed the mean (e^-1).
    const gaps = a.map((t, i) => t - (i ? a[i - 1]! : 0));
    const frac = gaps.filter((g) => g > 50).length / gaps.length;
    expect(frac).toBeGreaterThan(0.35);
    expect(frac).toBeLessThan(0.385);
  });

  it('uniform lengths stay in range and cover it', () => {
    const r = rng(1);
    const xs = Array.from({ length: 5000 }, () => sampleLength({ kind: 'uniform', min: 10, max: 20 }, r));
    expect(Math.min(...xs)).toBe(10);
    expect(Math.max(...xs)).toBe(20);
    expect(sampleLength({ kind: 'fixed', value: 128 }, r)).toBe(128);
  });
});

describe('aggregate and goodput', () => {
  const rec = (ttft: number, itl: number[], ok = true): RequestRecord => ({
    ok,
    errorKind: ok ? undefined : 'http_500',
    ttftMs: ttft,
    itlMs: itl,
    e2eMs: ttft + itl.reduce((a, b) => a + b, 0),
    outputTokens: itl.length + 1,
    promptTokens: 10,
  });

  it('computes throughput, goodput against SLOs, and errors by kind', () => {
    const rs = [rec(100, [10, 10]), rec(600, [10, 10]), rec(200, [80, 80]), rec(50, [5], false)];
    expect(meetsSlo(rs[0]!, { ttftMs: 500, itlMs: 50 })).toBe(true);
    expect(meetsSlo(rs[1]!, { ttftMs: 500 })).toBe(false);
    const a = aggregate(rs, 2, { ttftMs: 500, itlMs: 50 });
    expect(a.succeeded).toBe(3);
    expect(a.errorsByKind).toEqual({ http_500: 1 });
    expect(a.outputTokensPerS).toBe(4.5); // 9 tokens / 2 s
    expect(a.totalTokensPerS).toBe(19.5); // (9 + 30) / 2
    expect(a.goodputPerS).toBe(0.5); // only the first meets both SLOs
    expect(a.ttftMs.p50).toBe(200);
  });
});
