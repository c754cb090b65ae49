import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { POINT_SERIES } from '../../contract';
import type { MetricsPoint, MetricsState, MetricsView } from '../../stores/metrics-store';
import { MetricsDashboardView, type MetricsDashboardViewProps } from './MetricsDashboard';

const empty: MetricsView = { points: [], annotations: [], stats: {}, gpus: [] };
const base: MetricsDashboardViewProps = {
  state: null,
  view: empty,
  paused: false,
  windowS: 60,
  selection: null,
  attaching: false,
  attachError: null,
};
const html = (p: Partial<MetricsDashboardViewProps> = {}) => renderToStaticMarkup(createElement(MetricsDashboardView, { ...base, ...p }));
const pt = (t: number): MetricsPoint =>
  ({
    t,
    up: true,
    ...Object.fromEntries(POINT_SERIES.map((k) => [k, 1])),
    gpus: [{ index: 0, util: 50, memUsedMiB: 1024, powerW: 200, tempC: 55 }],
  }) as MetricsPoint;
const state: MetricsState = {
  target: { url: 'http://127.0.0.1:8000', source: 'attached', hasApiKey: true },
  status: 'up',
  since: 0,
  lastOkAt: 0,
  nextAttemptAt: null,
  failures: 0,
  error: null,
  intervalMs: 1000,
  scrapeMs: 3,
  bodyBytes: 40_000,
  parseIssues: 0,
  modelNames: ['nemo'],
  engines: ['0'],
  prefixUnit: 'tokens',
  gpuTelemetry: true,
  tips: [{ label: 'vLLM logs one access line per scrape (every 1 s): add --disable-uvicorn-access-log' }],
};

describe('MetricsDashboard', () => {
  it('nothing scraped: the empty state, the attach form and the window controls', () => {
    const out = html();
    expect(out).toContain('data-testid="metrics-empty"');
    for (const id of [
      'metrics-attach-url',
      'metrics-attach',
      'metrics-window-1',
      'metrics-window-5',
      'metrics-window-15',
      'metrics-pause',
      'metrics-export-csv',
    ]) {
      expect(out).toContain(`data-testid="${id}"`);
    }
    expect(out).toMatch(/data-testid="metrics-status"[^>]*>Not scraping/);
    expect(out).not.toContain('data-testid="metrics-tile-');
  });

  it('with data: tiles, one chart per series group and per GPU quantity, the quantile note, detach', () => {
    const out = html({
      state,
      view: { points: [pt(1000), pt(2000)], annotations: [{ t: 1500, kind: 'ready', text: 'server ready' }], stats: {}, gpus: [] },
    });
    for (const n of ['gen-tps', 'prompt-tps', 'running', 'waiting', 'kv', 'prefix-hit', 'ttft-p50', 'ttft-p95', 'itl-p50']) {
      expect(out).toContain(`data-testid="metrics-tile-${n}"`);
    }
    for (const n of ['throughput', 'ttft', 'itl', 'e2e', 'queue', 'rates', 'cache', 'gpu-util', 'gpu-memory', 'gpu-power', 'gpu-temp']) {
      expect(out).toMatch(new RegExp(`data-testid="metrics-chart-${n}"[^>]*data-rows="2"`));
    }
    expect(out).toContain('data-testid="metrics-quantile-note"');
    expect(out).toContain('histogram_quantile');
    expect(out).toContain('data-testid="metrics-detach"');
    expect(out).toContain('(with API key)');
    expect(out).not.toContain('data-testid="metrics-attach-url"');
    expect(out).toContain('data-testid="metrics-tip"');
    expect(out).toMatch(/data-testid="metrics-annotations"[\s\S]*server ready/);
    expect(out).not.toContain('data-testid="metrics-empty"');
  });

  it('paused: the frozen copy is drawn and the button offers Resume', () => {
    const out = html({ state, paused: true, view: { points: [pt(1000)], annotations: [], stats: {}, gpus: [] } });
    expect(out).toMatch(/data-testid="metrics-dashboard" data-paused="true"/);
    expect(out).toMatch(/data-testid="metrics-chart-throughput"[^>]*data-rows="1"/);
    expect(out).toMatch(/aria-pressed="true"[^>]*data-testid="metrics-pause"[^>]*>Resume/);
  });
});

describe('MetricsDashboardView attach errors and GPU selection', () => {
  it('shows the attach error; draws only the selected GPUs that are on the timeline', () => {
    const two = (t: number): MetricsPoint => ({
      ...pt(t),
      gpus: [0, 1].map((index) => ({ index, util: 1, memUsedMiB: 1, powerW: 1, tempC: 1 })),
    });
    const out = html({ attachError: 'Not a server URL', view: { points: [two(1)], annotations: [], stats: {}, gpus: [] }, selection: [1] });
    expect(out).toMatch(/role="alert"[^>]*>Not a server URL/);
    expect(out).toContain('GPU 1');
    expect(out).not.toContain('GPU 0');
  });
});
