import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PlanResult as PlanResultSchema } from '../../../app/contract/planner';
import { setTransport } from '../api';
import { FakeTransport } from '../api/fake-transport';
import fitsJson from '../features/planner/fixtures/plan-fits.json';
import failJson from '../features/planner/fixtures/plan-will-fail.json';
import { PLAN_DEBOUNCE_MS, type PlanRequestArg, usePlannerStore } from './planner-store';

const fits = PlanResultSchema.parse(fitsJson);
const fail = PlanResultSchema.parse(failJson);

const req = (seqs: number): PlanRequestArg => ({
  model: 'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
  gpu: { memoryGiB: 79.2 },
  flags: { 'max-num-seqs': seqs },
});

let t: FakeTransport;
beforeEach(() => {
  vi.useFakeTimers();
  t = new FakeTransport();
  setTransport(t);
  usePlannerStore.getState().reset();
});
afterEach(() => {
  vi.useRealTimers();
  setTransport(undefined);
});

describe('planner store', () => {
  it('debounces: keystrokes within 100 ms become one plan:compute with the last value', async () => {
    t.handle('plan:compute', () => ({ ok: true, value: fits }));
    const s = usePlannerStore.getState();
    s.requestPlan(req(6));
    s.requestPlan(req(64));
    await vi.advanceTimersByTimeAsync(PLAN_DEBOUNCE_MS - 10);
    expect(t.calls).toHaveLength(0);
    expect(usePlannerStore.getState().status).toBe('pending');
    await vi.advanceTimersByTimeAsync(20);
    expect(t.calls.map((c) => (c.arg as PlanRequestArg).flags)).toEqual([{ 'max-num-seqs': 64 }]);
    expect(usePlannerStore.getState().result?.verdict).toBe('fits');
    expect(usePlannerStore.getState().status).toBe('ready');
  });

  it('skips a request identical to the last one', async () => {
    t.handle('plan:compute', () => ({ ok: true, value: fits }));
    usePlannerStore.getState().requestPlan(req(64));
    await vi.advanceTimersByTimeAsync(PLAN_DEBOUNCE_MS);
    usePlannerStore.getState().requestPlan(req(64));
    await vi.advanceTimersByTimeAsync(PLAN_DEBOUNCE_MS);
    expect(t.calls).toHaveLength(1);
  });

  it('drops an older answer that arrives after a newer one', async () => {
    let release: (() => void) | undefined;
    t.handle('plan:compute', (arg) => {
      if ((arg as PlanRequestArg).flags?.['max-num-seqs'] === 1) {
        return new Promise((resolve) => {
          release = () => resolve({ ok: true, value: fail });
        });
      }
      return { ok: true, value: fits };
    });
    usePlannerStore.getState().requestPlan(req(1));
    await vi.advanceTimersByTimeAsync(PLAN_DEBOUNCE_MS);
    usePlannerStore.getState().requestPlan(req(2));
    await usePlannerStore.getState().flush();
    release?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(usePlannerStore.getState().result?.verdict).toBe('fits');
  });

  it('keeps the last result and reports the error when a request fails, then retries the same input', async () => {
    t.handle('plan:compute', () => ({ ok: true, value: fits }));
    usePlannerStore.getState().requestPlan(req(64));
    await usePlannerStore.getState().flush();
    t.handle('plan:compute', () => ({ ok: false, error: { kind: 'timeout', message: 'timed out', remedies: [] } }));
    usePlannerStore.getState().requestPlan(req(32));
    await usePlannerStore.getState().flush();
    expect(usePlannerStore.getState().status).toBe('error');
    expect(usePlannerStore.getState().result?.verdict).toBe('fits');
    usePlannerStore.getState().requestPlan(req(32));
    await usePlannerStore.getState().flush();
    expect(t.calls).toHaveLength(3);
  });
});
