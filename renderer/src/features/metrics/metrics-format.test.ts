import { describe, expect, it } from 'vitest';
import { POINT_SERIES } from '../../contract';
import type { MetricsPoint, MetricsState, MetricsView, WindowStats } from '../../stores/metrics-store';
import { fmtQuantile, fmtSeconds, gpuCharts, statusLine, tiles, VLLM_CHARTS } from './metrics-format';

const lat = (p50: number | null, n = 0) => ({
  mean: null,
  p50: p50 === null ? null : { value: p50, atLeast: false },
  p95: p50 === null ? null : { value: p50 * 3, atLeast: p50 > 100 },
  p99: null,
  n,
});
const stats = (o: Partial<WindowStats> = {}): WindowStats => ({
  t: 0,
  windowS: 60,
  promptTokensPerS: 0,
  generationTokensPerS: 0,
  requestsPerS: 0,
  preemptionsPerS: 0,
  running: 0,
  waiting: 0,
  kvUsagePct: null,
  kvUsageMaxPct: null,
  prefixHitRatePct: 42.25,
  latency: { ttft: lat(0.123, 7), itl: lat(0.021), e2e: lat(null), queue: lat(null), tpot: lat(null) },
  reset: false,
  ...o,
});
const point = (o: Partial<MetricsPoint>): MetricsPoint =>
  ({ t: 0, up: true, ...Object.fromEntries(POINT_SERIES.map((k) => [k, null])), gpus: [], ...o }) as MetricsPoint;
const state = (o: Partial<MetricsState> = {}): MetricsState => ({
  target: { url: 'http://127.0.0.1:8000', source: 'server', hasApiKey: false },
  status: 'up',
  since: 0,
  lastOkAt: 0,
  nextAttemptAt: null,
  failures: 0,
  error: null,
  intervalMs: 1000,
  scrapeMs: 4,
  bodyBytes: 42_000,
  parseIssues: 0,
  modelNames: ['nemo'],
  engines: ['0', '1'],
  prefixUnit: 'tokens',
  gpuTelemetry: true,
  tips: [],
  ...o,
});

describe('metrics formatting', () => {
  it('seconds read as ms below 1 s, "≥" beyond the last bucket', () => {
    expect([0.0008, 0.085, 1.234, 45, 600].map(fmtSeconds)).toEqual(['0.8 ms', '85 ms', '1.23 s', '45.0 s', '10.0 min']);
    expect(fmtQuantile({ value: 2560, atLeast: true })).toBe('≥ 42.7 min');
    expect(fmtQuantile(null)).toBe('—');
  });

  it('tiles: current rates and gauges from the newest rows, percentiles and hit rate over the window', () => {
    const view: MetricsView = {
      points: [
        point({ t: 1, genTps: 1234.4, promptTps: 5.5, running: 3, waiting: 1, kvPct: 12.34, kvMaxPct: 20 }),
        point({ t: 2, up: false }),
      ],
      annotations: [],
      stats: { 60: stats() },
      gpus: [],
    };
    const t = Object.fromEntries(tiles(view, 60, state()).map((x) => [x.name, x]));
    expect(Object.keys(t)).toEqual(['gen-tps', 'prompt-tps', 'running', 'waiting', 'kv', 'prefix-hit', 'ttft-p50', 'ttft-p95', 'itl-p50']);
    // The failed last scrape does not blank the tiles: the row before it is used.
    expect(t['gen-tps']!.value).toBe('1234 tok/s');
    expect(t['prompt-tps']!.value).toBe('5.50 tok/s');
    expect(t.running!.value).toBe('3');
    expect(t.kv!.value).toBe('12.3 %');
    expect(t.kv!.sub).toBe('max 20 % of 2 engines');
    expect(t['prefix-hit']!.value).toBe('42.3 %');
    expect(t['ttft-p50']!.value).toBe('123 ms');
    expect(t['ttft-p50']!.sub).toBe('over 1 min · 7 obs.');
    expect(t['ttft-p95']!.value).toBe('369 ms');
    expect(t['itl-p50']!.value).toBe('21 ms');
    const none = Object.fromEntries(tiles({ points: [], annotations: [], stats: {}, gpus: [] }, 300, null).map((x) => [x.name, x.value]));
    expect(none['ttft-p50']).toBe('—');
    expect(none['gen-tps']).toBe('— tok/s');
  });

  it('charts: vLLM series and one line per GPU', () => {
    expect(VLLM_CHARTS.map((c) => c.name)).toEqual(['throughput', 'ttft', 'itl', 'e2e', 'queue', 'rates', 'cache']);
    const g = gpuCharts([0, 3]);
    expect(g.map((c) => c.name)).toEqual(['gpu-util', 'gpu-memory', 'gpu-power', 'gpu-temp']);
    expect(g[0]!.series.map((s) => s.key)).toEqual(['gpu0_util', 'gpu3_util']);
    expect(gpuCharts([])).toEqual([]);
    // Every series key exists in a point (or is a GPU column).
    for (const c of VLLM_CHARTS) for (const s of c.series) expect(POINT_SERIES).toContain(s.key);
  });

  it('status line: up, connecting with retry countdown, down since, idle', () => {
    expect(statusLine(state(), 0)).toMatchObject({ level: 'ok' });
    expect(statusLine(state(), 0).text).toContain('Scraping the launched server at http://127.0.0.1:8000 every 1 s');
    const down = statusLine(
      state({
        status: 'down',
        since: new Date(2024, 0, 1, 12, 3, 4).getTime(),
        error: { kind: 'refused', message: 'connection refused' },
        nextAttemptAt: 9000,
      }),
      5500,
    );
    expect(down).toEqual({ level: 'err', text: 'Down since 12:03:04: connection refused · next try in 4 s' });
    expect(statusLine(state({ status: 'connecting', error: { kind: 'timeout', message: 'slow' } }), 0).level).toBe('warn');
    expect(statusLine(null, 0).level).toBe('idle');
  });
});
