import { describe, expect, it } from 'vitest';
import type { GpuSnapshot } from '../contract/gpu';
import type { Clock } from '../host/deps';
import { GpuPoller } from './poller';

/** A clock whose timers fire only when the test advances it. */
function fakeClock() {
  let t = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => t,
    setTimeout: (fn, ms) => {
      timers.set(++seq, { at: t + ms, fn });
      return seq;
    },
    clearTimeout: (h) => void timers.delete(h as number),
    setInterval: () => {
      throw new Error('the poller must not use setInterval (polls would overlap)');
    },
    clearInterval: () => {},
  };
  return {
    clock,
    pending: () => timers.size,
    async advance(ms: number) {
      t += ms;
      for (const [id, tm] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (tm.at <= t) {
          timers.delete(id);
          tm.fn();
        }
      }
      await flush();
    },
  };
}
const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function snap(at: number, cudaVersion: string | null = '13.0', n = 1): GpuSnapshot {
  return {
    at,
    gpus: Array.from({ length: n }, () => ({}) as never),
    warnings: [],
    driverVersion: null,
    cudaVersion,
    nvidiaSmi: 'nvidia-smi',
  };
}

function setup(opts: { interval?: () => number; hold?: boolean } = {}) {
  const c = fakeClock();
  const queries: { withHeader: boolean; resolve: (s: GpuSnapshot) => void }[] = [];
  const pushed: GpuSnapshot[] = [];
  const poller = new GpuPoller({
    clock: c.clock,
    intervalMs: opts.interval ?? (() => 1000),
    onSnapshot: (s) => pushed.push(s),
    query: ({ withHeader }) =>
      new Promise((resolve) => {
        if (opts.hold) queries.push({ withHeader, resolve });
        else {
          queries.push({ withHeader, resolve: () => {} });
          resolve(snap(c.clock.now()));
        }
      }),
  });
  return { c, queries, pushed, poller };
}

describe('GpuPoller', () => {
  it('polls immediately when watched, then every interval, and pushes each snapshot', async () => {
    const { c, queries, pushed, poller } = setup();
    expect(poller.watch(true)).toBe(true);
    await flush();
    expect(queries).toHaveLength(1);
    expect(pushed).toHaveLength(1);
    await c.advance(999);
    expect(queries).toHaveLength(1);
    await c.advance(1);
    await c.advance(1000);
    expect(queries).toHaveLength(3);
    expect(pushed.map((p) => p.at)).toEqual([0, 1000, 2000]);
  });

  it('asks for the header (CUDA version) only on the first query once it is known', async () => {
    const { c, queries, poller } = setup();
    poller.watch(true);
    await flush();
    await c.advance(1000);
    expect(queries.map((q) => q.withHeader)).toEqual([true, false]);
  });

  it('never overlaps: a slow query delays the next poll instead of starting another nvidia-smi', async () => {
    const { c, queries, pushed, poller } = setup({ hold: true });
    poller.watch(true);
    await flush();
    expect(queries).toHaveLength(1);
    await c.advance(10_000);
    expect(queries).toHaveLength(1);
    expect(c.pending()).toBe(0);
    // A gpu:list while the poll is in flight joins it.
    const joined = poller.get();
    expect(queries).toHaveLength(1);
    queries[0]?.resolve(snap(10_000));
    await flush();
    expect((await joined).at).toBe(10_000);
    expect(pushed).toHaveLength(1);
    await c.advance(1000);
    expect(queries).toHaveLength(2);
  });

  it('reads the interval before every wait (settings change applies)', async () => {
    let interval = 1000;
    const { c, queries, poller } = setup({ interval: () => interval });
    poller.watch(true);
    await flush();
    interval = 5000;
    await c.advance(1000);
    expect(queries).toHaveLength(2);
    await c.advance(1000);
    expect(queries).toHaveLength(2);
    await c.advance(4000);
    expect(queries).toHaveLength(3);
  });

  it('counts watchers: polling stops only when the last one leaves', async () => {
    const { c, queries, poller } = setup();
    poller.watch(true);
    poller.watch(true);
    await flush();
    expect(queries).toHaveLength(1);
    expect(poller.watch(false)).toBe(true);
    await c.advance(1000);
    expect(queries).toHaveLength(2);
    expect(poller.watch(false)).toBe(false);
    expect(c.pending()).toBe(0);
    await c.advance(5000);
    expect(queries).toHaveLength(2);
    expect(poller.watch(false)).toBe(false); // never below zero
    expect(poller.watch(true)).toBe(true);
  });

  it('does not push when nobody watches, but get() still answers and caches', async () => {
    const { c, pushed, poller, queries } = setup();
    const s = await poller.get();
    expect(s.at).toBe(0);
    expect(pushed).toEqual([]);
    await c.advance(500);
    expect((await poller.get(1000)).at).toBe(0);
    expect(queries).toHaveLength(1);
    expect((await poller.get(100)).at).toBe(500);
  });

  it('dispose stops polling, and a query in flight is not pushed', async () => {
    const { c, queries, pushed, poller } = setup({ hold: true });
    poller.watch(true);
    await flush();
    poller.dispose();
    queries[0]?.resolve(snap(0));
    await flush();
    await c.advance(10_000);
    expect(pushed).toEqual([]);
    expect(queries).toHaveLength(1);
    expect(poller.watch(true)).toBe(false);
  });

  it('a throwing query becomes a snapshot with a reason', async () => {
    const c = fakeClock();
    const poller = new GpuPoller({
      clock: c.clock,
      intervalMs: () => 1000,
      onSnapshot: () => {},
      query: async () => {
        throw new Error('boom');
      },
    });
    const s = await poller.get();
    expect(s.gpus).toEqual([]);
    expect(s.reason).toMatch(/boom/);
  });
});
