import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../api';
import { FakeTransport } from '../api/fake-transport';
import type { LogEntryDto } from '../contract';
import { type FrameScheduler, resetLogsStoreForTests, useLogsStore, wireLogsStore } from './logs-store';
import { resetSettingsStoreForTests } from './settings-store';

const e = (seq: number, text = `line ${seq}`): LogEntryDto => ({
  seq,
  ts: seq,
  stream: 'stdout',
  text,
  level: 'info',
  proc: 'api',
  procName: 'APIServer',
});
const batch = (runId: number, entries: LogEntryDto[], firstSeq = 0, cleared = false) => ({ runId, entries, firstSeq, cleared });
const flush = () => new Promise((r) => setTimeout(r, 0));

/** A frame scheduler the test cranks by hand. */
class Frames implements FrameScheduler {
  pending = new Map<number, () => void>();
  private id = 0;
  t = 0;
  now() {
    return this.t;
  }
  request(fn: () => void) {
    this.pending.set(++this.id, fn);
    return this.id;
  }
  cancel(h: unknown) {
    this.pending.delete(h as number);
  }
  /** One animation frame (~16.7 ms). */
  tick() {
    this.t += 16.7;
    const fns = [...this.pending.values()];
    this.pending.clear();
    for (const fn of fns) fn();
  }
}

let frames: Frames;
beforeEach(() => {
  resetSettingsStoreForTests();
  frames = new Frames();
  resetLogsStoreForTests(frames);
});
afterEach(() => resetLogsStoreForTests());

describe('logs store', () => {
  it('coalesces many batches into one apply per animation frame', () => {
    const renders: number[] = [];
    const off = useLogsStore.subscribe((s) => renders.push(s.version));
    const s = useLogsStore.getState();
    for (let i = 0; i < 50; i++) s.receive(batch(1, [e(i)]));
    expect(useLogsStore.getState().buffer.entries).toHaveLength(0);
    expect(frames.pending.size).toBe(1);
    frames.tick();
    expect(useLogsStore.getState().buffer.entries).toHaveLength(50);
    expect(renders).toHaveLength(1);
    expect(useLogsStore.getState().applies).toBe(1);
    off();
  });

  it('under a flood, refreshes at most every 50 ms; a trickle applies every frame', () => {
    const s = useLogsStore.getState();
    let seq = 0;
    const applies = () => useLogsStore.getState().applies;
    // A flood: 400 lines per frame (24,000 lines/s).
    const counts: number[] = [];
    for (let f = 0; f < 12; f++) {
      s.receive(
        batch(
          1,
          Array.from({ length: 400 }, () => e(seq++)),
        ),
      );
      frames.tick();
      counts.push(applies());
    }
    // 12 frames ≈ 200 ms → about 4 refreshes (one per 50 ms), not 12; no line is lost.
    expect(applies()).toBeGreaterThanOrEqual(3);
    expect(applies()).toBeLessThanOrEqual(5);
    frames.tick();
    frames.tick();
    frames.tick();
    expect(useLogsStore.getState().buffer.entries).toHaveLength(seq);
    // A trickle again: every frame.
    const before = applies();
    for (let f = 0; f < 5; f++) {
      s.receive(batch(1, [e(seq++)]));
      frames.tick();
    }
    expect(applies() - before).toBeGreaterThanOrEqual(4);
  });

  it('applies at once when more is queued than the buffer holds (no unbounded queue)', () => {
    useLogsStore.getState().setCapacity(1000);
    const s = useLogsStore.getState();
    s.receive(
      batch(
        1,
        Array.from({ length: 600 }, (_, i) => e(i)),
      ),
    );
    expect(useLogsStore.getState().buffer.entries).toHaveLength(0);
    s.receive(
      batch(
        1,
        Array.from({ length: 600 }, (_, i) => e(600 + i)),
      ),
    );
    expect(useLogsStore.getState().buffer.entries).toHaveLength(1000);
    expect(useLogsStore.getState().buffer.firstSeq).toBe(200);
    expect(frames.pending.size).toBe(0);
  });

  it('applies without a frame after a while (hidden tab: no animation frames)', async () => {
    useLogsStore.getState().receive(batch(1, [e(0)]));
    await new Promise((r) => setTimeout(r, 300));
    expect(useLogsStore.getState().buffer.entries).toHaveLength(1);
  });

  it('is bounded by settings.logBufferLines', async () => {
    const t = new FakeTransport().handle('settings:get', () => ({
      ok: true,
      value: {
        theme: 'dark',
        disableHardwareAcceleration: true,
        logBufferLines: 1000,
        stopGraceSeconds: 20,
        metricsIntervalMs: 1000,
        gpuPollMs: 2000,
        keepServerRunningOnQuit: false,
      },
    }));
    setTransport(t);
    const { useSettingsStore } = await import('./settings-store');
    await useSettingsStore.getState().load();
    useLogsStore.getState().receive(
      batch(
        1,
        Array.from({ length: 900 }, (_, i) => e(i)),
      ),
    );
    frames.tick();
    useLogsStore.getState().receive(
      batch(
        1,
        Array.from({ length: 900 }, (_, i) => e(900 + i)),
      ),
    );
    useLogsStore.getState().flush();
    expect(useLogsStore.getState().buffer.entries).toHaveLength(1000);
    expect(useLogsStore.getState().buffer.capacity).toBe(1000);
  });

  it('loads the core log on connect, replacing what was queued before the answer', async () => {
    const t = new FakeTransport('websocket', 'connecting').handle('logs:get', () => ({
      ok: true,
      value: { runId: 3, entries: [e(10), e(11), e(12)], firstSeq: 10, endSeq: 13 },
    }));
    setTransport(t);
    const off = wireLogsStore(t);
    t.emit('logs', batch(3, [e(12, 'older')], 10));
    t.setStatus({ status: 'open' });
    await flush();
    const buf = useLogsStore.getState().buffer;
    expect(buf.runId).toBe(3);
    expect(buf.entries.map((x) => x.text)).toEqual(['line 10', 'line 11', 'line 12']);
    // Later batches upsert on top.
    t.emit('logs', batch(3, [e(12, 'newer'), e(13)], 10));
    frames.tick();
    expect(useLogsStore.getState().buffer.entries.map((x) => x.text)).toEqual(['line 10', 'line 11', 'newer', 'line 13']);
    off();
    expect(t.listenerCount('logs')).toBe(0);
  });

  it('loads a long log in pages (newest `capacity` lines), not one huge answer', async () => {
    const all = Array.from({ length: 12_000 }, (_, i) => e(i));
    const t = new FakeTransport().handle('logs:get', (arg) => {
      const from = Math.max(arg?.fromSeq ?? 0, 1000); // the core's ring starts at 1000
      const limit = arg?.limit ?? 50_000;
      return { ok: true, value: { runId: 4, entries: all.slice(from, from + limit), firstSeq: 1000, endSeq: 12_000 } };
    });
    setTransport(t);
    useLogsStore.getState().setCapacity(8000);
    await useLogsStore.getState().load();
    const buf = useLogsStore.getState().buffer;
    expect(buf.entries).toHaveLength(8000);
    expect(buf.firstSeq).toBe(4000);
    expect(buf.lastSeq).toBe(11_999);
    const pages = t.calls.map((c) => c.arg as { fromSeq?: number; limit?: number });
    expect(pages[0]).toEqual({ limit: 1 });
    expect(pages.slice(1)).toEqual([
      { fromSeq: 4000, limit: 5000 },
      { fromSeq: 9000, limit: 5000 },
    ]);
  });

  it('gives up a load when a new run starts between pages (its batches reset the buffer)', async () => {
    let n = 0;
    const t = new FakeTransport().handle('logs:get', () => {
      n++;
      return { ok: true, value: { runId: n === 1 ? 1 : 2, entries: [e(0)], firstSeq: 0, endSeq: 9000 } };
    });
    setTransport(t);
    useLogsStore.getState().receive(batch(2, [e(0, 'run 2')]));
    frames.tick();
    await useLogsStore.getState().load();
    expect(useLogsStore.getState().buffer.entries.map((x) => x.text)).toEqual(['run 2']);
  });

  it('a new run or a cleared batch resets the buffer', () => {
    const s = useLogsStore.getState();
    s.receive(batch(1, [e(0), e(1)]));
    frames.tick();
    s.receive(batch(2, [e(0, 'second run')]));
    frames.tick();
    expect(useLogsStore.getState().buffer.entries.map((x) => x.text)).toEqual(['second run']);
    s.receive(batch(2, [], 1, true));
    frames.tick();
    expect(useLogsStore.getState().buffer.entries).toEqual([]);
  });

  it('clear and save go through the core; save keeps the path', async () => {
    const t = new FakeTransport()
      .handle('logs:clear', () => ({ ok: true, value: { ok: true } }))
      .handle('logs:save', () => ({ ok: true, value: { path: '/data/logs/saved.log', lines: 2 } }));
    setTransport(t);
    const s = useLogsStore.getState();
    s.receive(batch(1, [e(0), e(1)]));
    frames.tick();
    await s.save();
    expect(useLogsStore.getState().savedPath).toBe('/data/logs/saved.log');
    await s.clear();
    expect(useLogsStore.getState().buffer.entries).toEqual([]);
    expect(t.calls.map((c) => c.channel)).toEqual(['logs:save', 'logs:clear']);
  });

  it('a failed save is reported, not thrown', async () => {
    setTransport(new FakeTransport().handle('logs:save', () => ({ ok: false, error: { kind: 'io', message: 'disk full', remedies: [] } })));
    await useLogsStore.getState().save();
    expect(useLogsStore.getState().error?.message).toBe('disk full');
    expect(useLogsStore.getState().busy).toBeNull();
  });
});
