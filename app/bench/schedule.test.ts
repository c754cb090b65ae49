import { describe, expect, it } from 'vitest';
import { runSchedule, type ScheduleClock, type ScheduleOptions } from './schedule';
import { poissonArrivals, rng } from './stats';

/** Virtual time: timers fire in order, and each firing lets pending promise callbacks run. */
class FakeClock implements ScheduleClock {
  t = 0;
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;
  now() {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number) {
    const h = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(h);
    return h;
  }
  clearTimeout(h: unknown) {
    this.timers = this.timers.filter((x) => x !== h);
  }
  /** Runs until `done` settles (or no timers are left). */
  async run<T>(done: Promise<T>): Promise<T> {
    let settled = false;
    void done.then(() => {
      settled = true;
    });
    for (let guard = 0; guard < 1_000_000; guard++) {
      for (let i = 0; i < 20; i++) await Promise.resolve();
      if (settled) return done;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) break;
      this.t = next.at;
      next.fn();
    }
    return done;
  }
}

interface Sent {
  index: number;
  warmup: boolean;
  at: number;
  end: number;
}

function setup(o: Partial<ScheduleOptions> & Pick<ScheduleOptions, 'load'>, latency: (i: number) => number) {
  const clock = new FakeClock();
  const sent: Sent[] = [];
  let inFlight = 0;
  let maxSeen = 0;
  const opts: ScheduleOptions = {
    warmupRequests: 0,
    maxInFlight: 1024,
    seed: 1,
    clock,
    ...o,
    send(index, warmup) {
      const at = clock.now();
      inFlight++;
      maxSeen = Math.max(maxSeen, inFlight);
      const rec = { index, warmup, at, end: at + latency(index) };
      sent.push(rec);
      return new Promise<void>((resolve) => {
        clock.setTimeout(() => {
          inFlight--;
          resolve();
        }, latency(index));
      });
    },
  };
  return { clock, sent, run: () => clock.run(runSchedule(opts)), maxSeen: () => maxSeen };
}

describe('closed loop', () => {
  it('keeps exactly N requests in flight and replaces each one the moment it ends', async () => {
    const s = setup({ load: { mode: 'concurrency', value: 3 }, requests: 9 }, (i) => [100, 250, 400][i % 3]!);
    const rep = await s.run();
    expect(rep).toMatchObject({ sent: 9, sentMeasured: 9, peakInFlight: 3, measureStart: 0, stopped: false });
    expect(s.maxSeen()).toBe(3);
    // Worker 0 (100 ms requests): sends at 0, 100, 200, …; each new send happens at another's end.
    const ends = new Set(s.sent.map((x) => x.end));
    for (const x of s.sent.filter((x) => x.at > 0)) expect(ends.has(x.at)).toBe(true);
    expect(s.sent.slice(0, 3).map((x) => x.at)).toEqual([0, 0, 0]);
  });

  it('runs warm-up requests first and starts measuring with the first measured one', async () => {
    const s = setup({ load: { mode: 'concurrency', value: 2 }, warmupRequests: 4, requests: 4 }, () => 50);
    const rep = await s.run();
    expect(s.sent.map((x) => x.warmup)).toEqual([true, true, true, true, false, false, false, false]);
    expect(rep.measureStart).toBe(100);
    expect(rep.sentMeasured).toBe(4);
  });

  it('stops sending at the duration limit and lets the requests in flight finish', async () => {
    const s = setup({ load: { mode: 'concurrency', value: 2 }, durationS: 1 }, () => 300);
    const rep = await s.run();
    // Sends at 0, 300, 600, 900 (×2); at 1200 the time is up.
    expect(s.sent.map((x) => x.at)).toEqual([0, 0, 300, 300, 600, 600, 900, 900]);
    expect(rep.sentMeasured).toBe(8);
    expect(s.clock.t).toBe(1200);
  });

  it('stops at once when the signal aborts (the caller cuts what is in flight)', async () => {
    const ac = new AbortController();
    const s = setup({ load: { mode: 'concurrency', value: 4 }, requests: 1000, signal: ac.signal }, () => 100);
    s.clock.setTimeout(() => ac.abort(), 250);
    const rep = await s.run();
    expect(rep.stopped).toBe(true);
    expect(rep.sent).toBe(12); // sends at 0, 100, 200 (×4); none at 300
  });
});

describe('open loop', () => {
  it('sends at the seeded Poisson arrival times, independent of how slow the answers are', async () => {
    const s = setup({ load: { mode: 'rate', value: 20 }, requests: 50, seed: 7 }, () => 5000);
    const rep = await s.run();
    expect(rep.sent).toBe(50);
    // The same gaps poissonArrivals draws from the same stream (schedule.ts seeds it from `seed`).
    const expected = poissonArrivals(20, 50, rng(7 ^ 0x68e31da4));
    for (const [i, x] of s.sent.entries()) expect(x.at).toBeCloseTo(expected[i]!, 6);
    // Slow answers pile up: the open loop does not wait for them.
    expect(rep.peakInFlight).toBe(50);
  });

  it('arrivals average the asked rate', async () => {
    const s = setup({ load: { mode: 'rate', value: 50 }, requests: 2000, seed: 3 }, () => 10);
    await s.run();
    const last = s.sent.at(-1)!.at;
    const rate = (s.sent.length - 1) / (last / 1000);
    expect(rate).toBeGreaterThan(46);
    expect(rate).toBeLessThan(54);
  });

  it('counts arrivals delayed by the in-flight cap and sends them when a slot frees', async () => {
    const s = setup({ load: { mode: 'rate', value: 100 }, requests: 30, maxInFlight: 2 }, () => 1000);
    const rep = await s.run();
    expect(rep.peakInFlight).toBe(2);
    expect(s.maxSeen()).toBe(2);
    expect(rep.delayedArrivals).toBeGreaterThan(20);
    expect(rep.sentMeasured).toBe(30);
  });

  it('ends the arrivals at the duration limit', async () => {
    const s = setup({ load: { mode: 'rate', value: 10 }, durationS: 5, seed: 2 }, () => 50);
    const rep = await s.run();
    const start = rep.measureStart!;
    expect(s.sent.every((x) => x.at < start + 5000)).toBe(true);
    const arrivals = poissonArrivals(10, 200, rng(2 ^ 0x68e31da4));
    expect(rep.sent).toBe(arrivals.filter((t) => t < arrivals[0]! + 5000).length);
  });
});
