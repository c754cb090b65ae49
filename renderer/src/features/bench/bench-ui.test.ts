import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { type BenchResultDto, BenchResultSchema } from '../../contract';
import type { BenchProgress } from '../../stores/bench-store';
import { BenchFormView } from './BenchFormView';
import { BenchProgressView, BenchResultsView } from './BenchResultsView';
import { buildRequest, DEFAULT_FORM, parseLengthText, parseLevels } from './bench-form';
import { fmtDuration, fmtTick, throughputLatencyCurves, winnerText } from './bench-view';
import fixture from './fixtures/sweep-result.json';
import { SavedRunsView } from './SavedRunsView';

const result: BenchResultDto = BenchResultSchema.parse(fixture);
const noop = () => {};

describe('bench form → request', () => {
  it('builds a sweep request with the contract’s shapes', () => {
    const b = buildRequest({ ...DEFAULT_FORM, port: '8011', promptTokens: '64-512', sharedPrefixPct: '25', name: ' mine ' });
    expect(b.ok).toBe(true);
    if (!b.ok || b.kind !== 'sweep') return;
    expect(b.request).toEqual({
      workload: {
        api: 'completions',
        prompt: { kind: 'synthetic', tokens: { kind: 'uniform', min: 64, max: 512 }, sharedPrefixRatio: 0.25 },
        outputTokens: { kind: 'uniform', min: 128, max: 256 },
        requests: 100,
        warmupRequests: 0,
        slo: { ttftMs: 500, itlMs: 50 },
      },
      profiles: ['throughput', 'low-latency'],
      levels: { mode: 'concurrency', values: [1, 8, 32, 64] },
      overrides: { port: 8011 },
      name: 'mine',
    });
  });

  it('builds a single run against a URL, by duration, at a rate', () => {
    const b = buildRequest({
      ...DEFAULT_FORM,
      target: 'url',
      url: 'http://gpu-box:8000',
      mode: 'rate',
      levels: '2.5',
      limitKind: 'duration',
      durationS: '20',
    });
    expect(b.ok && b.kind === 'run' && b.request).toMatchObject({
      url: 'http://gpu-box:8000',
      load: { mode: 'rate', value: 2.5 },
      workload: { durationS: 20 },
    });
  });

  it('names the field of every problem', () => {
    const b = buildRequest({
      ...DEFAULT_FORM,
      levels: '1,x',
      outputTokens: '9-3',
      profiles: [],
      port: '70000',
      sharedPrefixPct: '120',
      requests: '',
      sloTtftMs: 'soon',
    });
    expect(b.ok).toBe(false);
    if (b.ok) return;
    expect(Object.keys(b.errors).sort()).toEqual([
      'levels',
      'outputTokens',
      'port',
      'profiles',
      'requests',
      'sharedPrefixPct',
      'sloTtftMs',
    ]);
    const url = buildRequest({ ...DEFAULT_FORM, target: 'url', url: 'not a url', levels: '1,2' });
    expect(!url.ok && url.errors).toMatchObject({ url: expect.any(String), levels: expect.stringMatching(/one level/) });
    const file = buildRequest({ ...DEFAULT_FORM, promptKind: 'jsonl', promptsPath: ' ' });
    expect(!file.ok && file.errors.promptsPath).toMatch(/jsonl/);
  });

  it('parses lengths and levels', () => {
    expect(parseLengthText('128')).toEqual({ kind: 'fixed', value: 128 });
    expect(parseLengthText(' 64 – 512 ')).toEqual({ kind: 'uniform', min: 64, max: 512 });
    expect(parseLengthText('0')).toBeNull();
    expect(parseLevels('1, 8 32,64', true)).toEqual([1, 8, 32, 64]);
    expect(parseLevels('1.5', true)).toBeNull();
    expect(parseLevels('1.5', false)).toEqual([1.5]);
  });
});

describe('bench view helpers', () => {
  it('makes one throughput→latency curve per profile with a value, ordered by load', () => {
    const c = throughputLatencyCurves([result], 'itlP50');
    expect(c.map((x) => x.label)).toEqual(['THROUGHPUT', 'LOW_LATENCY']);
    expect(c[0]!.points).toEqual([
      { x: 100, y: 10, level: 1 },
      { x: 3000, y: 40, level: 64 },
    ]);
    const two = throughputLatencyCurves([result, { ...result, id: 'other', name: 'older' }], 'stallP90');
    expect(two).toHaveLength(4);
    expect(two[3]!.label).toBe('LOW_LATENCY · older');
    expect(new Set(two.map((x) => x.color)).size).toBe(4);
  });

  it('describes winners and durations', () => {
    expect(winnerText(result, 'max-output-tps')).toEqual({ winner: 'THROUGHPUT', detail: '1: tie · 64: THROUGHPUT' });
    expect(winnerText(result, 'min-p90-stall').winner).toBe('LOW_LATENCY');
    expect(fmtDuration(75)).toBe('1 min 15 s');
    expect(fmtDuration(3725)).toBe('1 h 02 min');
    expect(fmtDuration(null)).toBe('–');
    expect([0, 0.4321, 3.17, 12.6, 2500, 25_000].map(fmtTick)).toEqual(['0', '0.43', '3.2', '13', '2500', '25k']);
  });
});

describe('bench views', () => {
  it('results: a winner card per objective, the table with the skipped profile, and the chart', () => {
    const html = renderToStaticMarkup(createElement(BenchResultsView, { results: [result], running: false }));
    for (const o of ['max-output-tps', 'min-p50-itl', 'min-p90-stall', 'min-p95-ttft', 'max-goodput'])
      expect(html).toContain(`data-testid="bench-winner-${o}"`);
    expect(html).toMatch(/data-testid="bench-winner-max-output-tps" data-winner="throughput"/);
    expect(html).toMatch(/data-testid="bench-winner-min-p90-stall" data-winner="low-latency"/);
    expect(html).toContain('data-testid="bench-chart" data-series="2" data-points="4"');
    expect(html).toContain('skipped — skipped: planner says');
    expect(html).toContain('H100-80GB (simulated)');
    // The best value of a column at a level is highlighted.
    expect(html).toMatch(/<td class="num bench-table__best">3000<\/td>/);
  });

  it('progress: phase, profile, ETA and live numbers', () => {
    const p: BenchProgress = {
      type: 'progress',
      id: result.id,
      phase: 'running',
      profileId: 'low-latency',
      level: 64,
      levelsDone: 3,
      levelsTotal: 4,
      fraction: 0.8,
      elapsedS: 95,
      etaS: 30,
      live: { completed: 40, errors: 2, inFlight: 64, outputTokensPerS: 2345.6, ttftP50Ms: 120, ttftP95Ms: 300, itlMeanMs: 22.5 },
    };
    const html = renderToStaticMarkup(createElement(BenchProgressView, { progress: p, result }));
    expect(html).toContain('data-testid="bench-progress"');
    expect(html).toContain('Measuring');
    expect(html).toContain('LOW_LATENCY');
    expect(html).toContain('80% · 1 min 35 s elapsed · about 30 s left');
    expect(html).toContain('2 errors');
    expect(html).toContain('2346 tok/s');
  });

  it('form: profile checkboxes, the URL field for a single run, disabled while running', () => {
    const props = {
      form: DEFAULT_FORM,
      errors: { levels: 'bad levels' },
      profiles: [{ id: 'throughput', name: 'THROUGHPUT', description: '' }],
      disabled: false,
      onChange: noop,
    };
    const html = renderToStaticMarkup(createElement(BenchFormView, props));
    expect(html).toContain('data-testid="bench-profile-throughput"');
    expect(html).toContain('bad levels');
    const url = renderToStaticMarkup(createElement(BenchFormView, { ...props, form: { ...DEFAULT_FORM, target: 'url' }, disabled: true }));
    expect(url).toContain('data-testid="bench-input-url"');
    expect(url.match(/<fieldset[^>]*disabled/g)).toHaveLength(4);
  });

  it('saved runs: open, compare, export and delete (not while running)', () => {
    const runs = [
      {
        id: 'a',
        name: 'first',
        kind: 'sweep' as const,
        createdAt: 1,
        status: 'complete' as const,
        model: null,
        gpu: 'H100',
        profiles: [],
        levels: result.levels,
        bestOutputTps: 3000,
      },
      {
        id: 'b',
        name: 'second',
        kind: 'run' as const,
        createdAt: 2,
        status: 'running' as const,
        model: null,
        gpu: null,
        profiles: [],
        levels: result.levels,
        bestOutputTps: null,
      },
    ];
    const html = renderToStaticMarkup(
      createElement(SavedRunsView, {
        runs,
        runningId: 'b',
        currentId: 'a',
        compareIds: ['a'],
        onOpen: noop,
        onToggleCompare: noop,
        onDelete: noop,
        onExport: noop,
      }),
    );
    expect(html).toContain('1 ticked');
    expect(html).toContain('best 3000 tok/s');
    expect(html).toMatch(/title="Stop it first"/);
    expect(
      renderToStaticMarkup(
        createElement(SavedRunsView, {
          runs: [],
          runningId: null,
          currentId: null,
          compareIds: [],
          onOpen: noop,
          onToggleCompare: noop,
          onDelete: noop,
          onExport: noop,
        }),
      ),
    ).toContain('Saved runs appear here');
  });
});
