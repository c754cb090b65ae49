import { describe, expect, it } from 'vitest';
import { PlanResult as PlanResultSchema } from '../../../../app/contract/planner';
import { concurrencyText, fmtGiB, fmtInt, GPU_PRESETS, gaugeSegments, isApplicable, type PlanResult, planRequest } from './fit-gauge-model';
import fitsJson from './fixtures/plan-fits.json';
import failJson from './fixtures/plan-will-fail.json';

const fits: PlanResult = PlanResultSchema.parse(fitsJson);
const fail: PlanResult = PlanResultSchema.parse(failJson);

describe('gaugeSegments', () => {
  it('splits the GPU into others / weights / overhead / KV / headroom that add up to the total', () => {
    const { segments, overflowGiB } = gaugeSegments(fits);
    expect(segments.map((s) => s.key)).toEqual(['others', 'weights', 'overhead', 'kv', 'headroom']);
    const m = fits.memory!;
    expect(segments.reduce((s, x) => s + x.gib, 0)).toBeCloseTo(m.totalGiB, 6);
    expect(segments.reduce((s, x) => s + x.pct, 0)).toBeCloseTo(100, 6);
    expect(segments.find((s) => s.key === 'kv')?.gib).toBeCloseTo(m.kvAvailableGiB, 6);
    // util 0.95 of 79.2 GiB: 3.96 GiB stay outside the budget, minus the 2 GiB others hold.
    expect(segments.find((s) => s.key === 'headroom')?.gib).toBeCloseTo(79.2 * 0.05 - 2, 6);
    expect(overflowGiB).toBe(0);
  });

  it('reports an overflow when the budget is more than the GPU has free', () => {
    const over: PlanResult = { ...fits, memory: { ...fits.memory!, usedByOthersGiB: 10 } };
    const { segments, overflowGiB } = gaugeSegments(over);
    expect(overflowGiB).toBeCloseTo(10 - 79.2 * 0.05, 6);
    expect(segments.some((s) => s.key === 'headroom')).toBe(false);
    expect(segments.reduce((s, x) => s + x.pct, 0)).toBeCloseTo(100, 6);
  });

  it('draws nothing without memory figures (estimate unavailable)', () => {
    expect(gaugeSegments({ ...fits, memory: null }).segments).toEqual([]);
  });
});

describe('formatting and requests', () => {
  it('formats numbers', () => {
    expect(fmtInt(706768)).toBe('706,768');
    expect(fmtGiB(22.9297)).toBe('22.9 GiB');
    expect(concurrencyText(fits)).toMatch(/^\d+\.\d\d × 32,768-token requests · max-num-seqs 64$/);
  });

  it('offers flag and GPU-selection remedies as buttons; stopping a process and advice stay text', () => {
    expect(isApplicable({ label: 'x', action: { type: 'set-flag', flag: 'max-num-seqs', value: 40 } })).toBe(true);
    expect(isApplicable({ label: 'x', action: { type: 'select-gpus', gpus: [0, 1] } })).toBe(true);
    expect(isApplicable({ label: 'x', action: { type: 'kill-process', pid: 3 } })).toBe(false);
    expect(isApplicable({ label: 'Add a GPU' })).toBe(false);
    expect(fail.remedies.filter(isApplicable).length).toBeGreaterThan(0);
  });

  it('asks with the selected GPU indices when GPUs are detected, else with the preset size', () => {
    const flags = { 'max-num-seqs': 64 };
    expect(planRequest({ model: 'm', flags, selectedIndices: [0, 1], gpusDetected: 2, presetId: '80' }).gpu).toEqual({ indices: [0, 1] });
    expect(planRequest({ model: 'm', flags, selectedIndices: [], gpusDetected: 2, presetId: '40' }).gpu).toEqual({
      memoryGiB: 39.4,
      count: 1,
    });
    expect(planRequest({ model: 'm', flags, selectedIndices: [0], gpusDetected: 0, presetId: 'nope' }).gpu).toEqual({
      memoryGiB: 79.2,
      count: 1,
    });
    expect(
      planRequest({ model: 'm', flags, selectedIndices: [], gpusDetected: 0, presetId: '80', vllmVersion: '0.13.0' }).vllmVersion,
    ).toBe('0.13.0');
    expect(GPU_PRESETS.map((p) => p.id)).toContain('80');
  });
});
