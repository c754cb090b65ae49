import { describe, expect, it } from 'vitest';
import type { LogEntryDto } from '../contract';
import { binarySearch, LogBuffer } from './log-buffer';

const e = (seq: number, text = `line ${seq}`, level: LogEntryDto['level'] = 'info'): LogEntryDto => ({
  seq,
  ts: 1000 + seq,
  stream: 'stdout',
  text,
  level,
  proc: 'api',
  procName: 'APIServer',
});
const seqs = (b: LogBuffer) => b.entries.map((x) => x.seq);
const batch = (runId: number, entries: LogEntryDto[], firstSeq = 0, cleared = false) => ({ runId, entries, firstSeq, cleared });

describe('LogBuffer', () => {
  it('appends in seq order and upserts a progress line in place (same seq, new text)', () => {
    const b = new LogBuffer(100);
    b.apply(batch(1, [e(0), e(1), e(2, 'Loading 10%')]));
    const v = b.version;
    b.apply(batch(1, [e(3), e(2, 'Loading 55%')]));
    expect(seqs(b)).toEqual([0, 1, 2, 3]);
    expect(b.get(2)?.text).toBe('Loading 55%');
    expect(b.version).toBe(v + 1);
    expect(b.changesSince(v)).toEqual([2]);
  });

  it('sorts a batch whose entries are out of order and inserts a missing seq in the middle', () => {
    const b = new LogBuffer(100);
    b.apply(batch(1, [e(5), e(3), e(4)]));
    expect(seqs(b)).toEqual([3, 4, 5]);
    b.apply(batch(1, [e(1)]));
    expect(seqs(b)).toEqual([1, 3, 4, 5]);
  });

  it('drops entries below the core firstSeq (its ring dropped them)', () => {
    const b = new LogBuffer(100);
    b.apply(batch(1, [e(0), e(1), e(2), e(3)]));
    b.apply(batch(1, [e(4), e(1, 'stale')], 2));
    expect(seqs(b)).toEqual([2, 3, 4]);
    expect(b.dropped).toBe(2);
    expect(b.get(1)).toBeUndefined();
  });

  it('stays within its capacity, dropping the oldest', () => {
    const b = new LogBuffer(5);
    b.apply(
      batch(
        1,
        Array.from({ length: 12 }, (_, i) => e(i)),
      ),
    );
    expect(seqs(b)).toEqual([7, 8, 9, 10, 11]);
    b.apply(batch(1, [e(12), e(13)]));
    expect(seqs(b)).toEqual([9, 10, 11, 12, 13]);
    expect(b.dropped).toBe(9);
    b.setCapacity(2);
    expect(seqs(b)).toEqual([12, 13]);
  });

  it('starts over on a new runId and on a cleared batch (new epoch)', () => {
    const b = new LogBuffer(100);
    b.apply(batch(1, [e(0), e(1)]));
    const epoch = b.epoch;
    b.apply(batch(2, [e(0, 'run 2')]));
    expect(b.runId).toBe(2);
    expect(b.entries.map((x) => x.text)).toEqual(['run 2']);
    expect(b.epoch).toBe(epoch + 1);
    b.apply(batch(2, [e(5)], 5, true));
    expect(seqs(b)).toEqual([5]);
    expect(b.epoch).toBe(epoch + 2);
    // A cleared batch with no entries still empties it.
    b.apply(batch(2, [], 6, true));
    expect(b.entries).toEqual([]);
  });

  it('replaceAll keeps the newest `capacity` entries of a snapshot', () => {
    const b = new LogBuffer(3);
    b.replaceAll(7, [e(4), e(0), e(1), e(2), e(3)]);
    expect(b.runId).toBe(7);
    expect(seqs(b)).toEqual([2, 3, 4]);
    expect(b.dropped).toBe(2);
  });

  it('changesSince returns null once the history it needs was forgotten', () => {
    const b = new LogBuffer(1000);
    b.apply(batch(1, [e(0), e(1)]));
    const v0 = b.version;
    for (let i = 0; i < 130; i++) b.apply(batch(1, [e(1, `p${i}`)]));
    expect(b.changesSince(v0)).toBeNull();
    expect(b.changesSince(b.version - 2)).toEqual([1, 1]);
    expect(b.changesSince(b.version)).toEqual([]);
  });

  it('an empty batch of the same run changes nothing', () => {
    const b = new LogBuffer(10);
    b.apply(batch(1, [e(0)]));
    const v = b.version;
    expect(b.apply(batch(1, []))).toBe(false);
    expect(b.version).toBe(v);
  });

  it('binarySearch finds seqs and insertion points', () => {
    const a = [{ seq: 1 }, { seq: 3 }, { seq: 5 }];
    expect(binarySearch(a, 3)).toBe(1);
    expect(binarySearch(a, 0)).toBe(-1);
    expect(binarySearch(a, 4)).toBe(-3);
    expect(binarySearch(a, 9)).toBe(-4);
    expect(binarySearch([], 1)).toBe(-1);
  });
});
