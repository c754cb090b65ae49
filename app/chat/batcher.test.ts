import { describe, expect, it } from 'vitest';
import { DeltaBatcher } from './batcher';

/** A manual clock: timers fire only when the test advances time. */
function manualClock() {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 1;
  return {
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => {
      const id = next++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (h: unknown) => {
      timers = timers.filter((t) => t.id !== h);
    },
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
    pending: () => timers.length,
  };
}

describe('DeltaBatcher', () => {
  it('sends the first delta at once (no added time to first token), then at most one batch per 16 ms', () => {
    const clock = manualClock();
    const sent: [string, string][] = [];
    const b = new DeltaBatcher((r, a) => sent.push([r, a]), clock, 16);
    b.push('r1', '');
    expect(sent).toEqual([['r1', '']]);
    clock.advance(5);
    b.push('r2', '');
    b.push('', 'a1');
    clock.advance(5);
    b.push('', 'a2');
    expect(sent).toHaveLength(1);
    clock.advance(5);
    expect(sent).toHaveLength(1);
    clock.advance(1); // 16 ms after the first send
    expect(sent).toEqual([
      ['r1', ''],
      ['r2', 'a1a2'],
    ]);
    // Quiet for longer than the window: the next delta goes out at once again.
    clock.advance(40);
    b.push('', 'a3');
    expect(sent).toHaveLength(3);
    expect(clock.pending()).toBe(0);
  });

  it('flush sends what is pending and cancels the timer; empty deltas send nothing', () => {
    const clock = manualClock();
    const sent: [string, string][] = [];
    const b = new DeltaBatcher((r, a) => sent.push([r, a]), clock, 16);
    b.push('', '');
    expect(sent).toEqual([]);
    b.push('x', '');
    b.push('', 'y');
    expect(clock.pending()).toBe(1);
    b.flush();
    expect(sent).toEqual([
      ['x', ''],
      ['', 'y'],
    ]);
    expect(clock.pending()).toBe(0);
    b.flush();
    expect(sent).toHaveLength(2);
  });

  it('a big burst is sent early instead of growing without bound', () => {
    const clock = manualClock();
    const sent: [string, string][] = [];
    const b = new DeltaBatcher((r, a) => sent.push([r, a]), clock, 16);
    b.push('', 'start');
    b.push('', 'x'.repeat(70_000));
    expect(sent).toHaveLength(2);
    expect(sent[1]![1]).toHaveLength(70_000);
  });
});
