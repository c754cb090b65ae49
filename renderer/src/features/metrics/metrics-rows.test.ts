import { describe, expect, it } from 'vitest';
import { POINT_SERIES } from '../../contract';
import type { MetricsPoint } from '../../stores/metrics-store';
import { chartRows, gpusInRows, inWindow, toCsv } from './metrics-rows';

function pt(t: number, genTps: number | null, gpus: MetricsPoint['gpus'] = []): MetricsPoint {
  return { t, up: genTps !== null, ...Object.fromEntries(POINT_SERIES.map((k) => [k, null])), genTps, gpus } as MetricsPoint;
}
const gpu = (index: number, util: number) => ({ index, util, memUsedMiB: 2048, powerW: 300, tempC: 60 });

describe('chart rows', () => {
  it('keeps the window before the newest row', () => {
    const rows = Array.from({ length: 200 }, (_, i) => pt(i * 1000, i));
    const w = inWindow(rows, 60);
    expect(w[0]!.t).toBe(139_000);
    expect(w.at(-1)!.t).toBe(199_000);
    expect(inWindow([], 60)).toEqual([]);
  });

  it('flattens GPU values (memory in GiB), only for the GPUs asked for', () => {
    const rows = [pt(0, 1, [gpu(0, 10), gpu(1, 90)]), pt(1000, 2, [gpu(0, 20), gpu(1, 80)])];
    const out = chartRows(rows, 60, [1]);
    expect(out[1]).toMatchObject({ t: 1000, genTps: 2, gpu1_util: 80, gpu1_memGiB: 2, gpu1_powerW: 300 });
    expect(out[1]).not.toHaveProperty('gpu0_util');
    expect(gpusInRows(rows, null)).toEqual([0, 1]);
    expect(gpusInRows(rows, [1, 5])).toEqual([1]);
  });

  it('never hands recharts more than 600 rows, and keeps the same time span', () => {
    const rows = Array.from({ length: 3600 }, (_, i) => pt(i * 250, i % 2 === 0 ? 100 : 200, [gpu(0, 50)]));
    const out = chartRows(rows, 900, null);
    expect(out.length).toBeLessThanOrEqual(600);
    expect(out.length).toBeGreaterThan(590);
    expect(out.at(-1)!.t).toBe(rows.at(-1)!.t);
    // Bucket means of alternating 100/200.
    expect(out[300]!.genTps).toBeCloseTo(150, 0);
    expect(out[300]!.gpu0_util).toBe(50);
  });

  it('gaps (failed scrapes) stay null so the lines break there', () => {
    const out = chartRows([pt(0, 5), pt(1000, null), pt(2000, 7)], 60, null);
    expect(out.map((r) => r.genTps)).toEqual([5, null, 7]);
  });
});

describe('CSV export', () => {
  it('has every series, per-GPU columns, and annotations as their own rows in time order', () => {
    const rows = [pt(1_700_000_000_000, 12.5, [gpu(0, 33)]), pt(1_700_000_001_000, null)];
    const csv = toCsv(rows, [{ t: 1_700_000_000_500, kind: 'ready', text: 'server ready, "run 2"' }]);
    const lines = csv.trim().split('\n');
    const header = lines[0]!.split(',');
    expect(header.slice(0, 4)).toEqual(['time_iso', 'time_ms', 'up', 'generation_tokens_per_s']);
    expect(header).toContain('ttft_p95_s');
    expect(header).toContain('gpu0_util_pct');
    expect(header.at(-1)).toBe('event');
    expect(header).toHaveLength(3 + POINT_SERIES.length + 4 + 1);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^2023-11-14T22:13:20.000Z,1700000000000,1,12.5,/);
    expect(lines[2]).toContain('"ready: server ready, ""run 2"""');
    expect(lines[2]!.split(',')[1]).toBe('1700000000500');
    // The failed scrape: up = 0 and empty cells, GPU too.
    expect(lines[3]!.split(',')[2]).toBe('0');
    expect(lines[3]!.split(',')[3]).toBe('');
    for (const l of lines) expect(l.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)).toHaveLength(header.length);
  });
});
