import { describe, expect, it } from 'vitest';
import type { LogEntryDto } from '../../contract';
import { LogBuffer } from '../../stores/log-buffer';
import {
  ALL_LEVELS,
  ALL_PROCS,
  compileSearch,
  entriesText,
  FilteredLog,
  type LogFilter,
  levelBucket,
  type Matcher,
  passes,
  splitByRanges,
  stepMatch,
} from './log-filter';

const LEVELS: LogEntryDto['level'][] = ['debug', 'info', 'warning', 'error', 'critical', 'none'];
const PROCS: LogEntryDto['proc'][] = ['api', 'engine', 'worker', 'other'];
const e = (seq: number, text: string, level: LogEntryDto['level'] = 'info', proc: LogEntryDto['proc'] = 'api'): LogEntryDto => ({
  seq,
  ts: seq,
  stream: 'stdout',
  text,
  level,
  proc,
  procName: '',
});
const matcherOf = (text: string, regex = false, caseSensitive = false): Matcher => {
  const c = compileSearch({ text, regex, caseSensitive });
  if (!c.ok || !c.matcher) throw new Error('expected a matcher');
  return c.matcher;
};

describe('compileSearch', () => {
  it('empty text is no search', () => {
    expect(compileSearch({ text: '', regex: true, caseSensitive: false })).toEqual({ ok: true, matcher: null });
  });

  it('plain text matches literally (regex characters are not special), case-insensitive by default', () => {
    const m = matcherOf('max_num_seqs=(64)');
    expect(m.test('INFO non-default args: MAX_NUM_SEQS=(64) x')).toBe(true);
    expect(m.test('max_num_seqs=64')).toBe(false);
    expect(matcherOf('Error', false, true).test('error')).toBe(false);
  });

  it('regex mode compiles the pattern and reports ranges of every match', () => {
    const m = matcherOf('\\d+ tokens', true);
    expect(m.test('GPU KV cache size: 1,234 tokens')).toBe(true);
    expect(m.ranges('a 12 tokens b 7 tokens')).toEqual([
      [2, 11],
      [14, 22],
    ]);
  });

  it('an invalid regex is a message, not a throw', () => {
    const c = compileSearch({ text: '(unclosed', regex: true, caseSensitive: false });
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.error).toMatch(/^Invalid regex: .*/);
    // The same text as plain search is fine.
    expect(compileSearch({ text: '(unclosed', regex: false, caseSensitive: false }).ok).toBe(true);
  });

  it('refuses a regex that matches empty text', () => {
    const c = compileSearch({ text: 'x*', regex: true, caseSensitive: false });
    expect(c.ok).toBe(false);
  });

  it('test() is stateless across calls (no lastIndex carry-over from the g flag)', () => {
    const m = matcherOf('a', true);
    expect([m.test('a'), m.test('a'), m.test('a')]).toEqual([true, true, true]);
  });
});

describe('splitByRanges / levels / text', () => {
  it('splits text into plain and marked parts', () => {
    expect(splitByRanges('hello world', [[6, 11]])).toEqual([
      { text: 'hello ', mark: false },
      { text: 'world', mark: true },
    ]);
    expect(splitByRanges('', [])).toEqual([{ text: '', mark: false }]);
  });

  it('critical counts as error, lines without level as info', () => {
    expect(levelBucket('critical')).toBe('error');
    expect(levelBucket('none')).toBe('info');
    expect(levelBucket('warning')).toBe('warning');
    const noInfo: LogFilter = { levels: { ...ALL_LEVELS, info: false }, procs: ALL_PROCS };
    expect(passes(noInfo, e(0, 'x', 'none'))).toBe(false);
    expect(passes(noInfo, e(0, 'x', 'critical'))).toBe(true);
    expect(passes({ levels: ALL_LEVELS, procs: { ...ALL_PROCS, worker: false } }, e(0, 'x', 'info', 'worker'))).toBe(false);
  });

  it('entriesText joins lines', () => {
    expect(entriesText([e(0, 'a'), e(1, 'b')])).toBe('a\nb');
  });
});

describe('stepMatch', () => {
  const m = [3, 8, 20];
  it('goes to the next / previous match and wraps', () => {
    expect(stepMatch(m, null, 1)).toBe(3);
    expect(stepMatch(m, null, -1)).toBe(20);
    expect(stepMatch(m, 8, 1)).toBe(20);
    expect(stepMatch(m, 20, 1)).toBe(3);
    expect(stepMatch(m, 3, -1)).toBe(20);
    // From a row that is not a match: the nearest one in that direction.
    expect(stepMatch(m, 10, 1)).toBe(20);
    expect(stepMatch(m, 10, -1)).toBe(8);
    expect(stepMatch(m, 25, 1)).toBe(3);
    expect(stepMatch([], 1, 1)).toBeNull();
  });
});

describe('FilteredLog', () => {
  const batch = (runId: number, entries: LogEntryDto[], firstSeq = 0, cleared = false) => ({ runId, entries, firstSeq, cleared });

  it('filters by level and counts search matches', () => {
    const b = new LogBuffer(100);
    b.apply(batch(1, [e(0, 'INFO starting'), e(1, 'WARNING slow', 'warning'), e(2, 'ERROR boom', 'error'), e(3, 'INFO boom again')]));
    const v = new FilteredLog();
    v.configure({ levels: { ...ALL_LEVELS, info: false }, procs: ALL_PROCS }, matcherOf('boom'));
    v.sync(b);
    expect(v.rows.map((r) => r.seq)).toEqual([1, 2]);
    expect(v.matches).toEqual([2]);
    v.configure({ levels: ALL_LEVELS, procs: ALL_PROCS }, matcherOf('boom'));
    v.sync(b);
    expect(v.matches).toEqual([2, 3]);
  });

  it('follows appends, in-place updates and front drops incrementally', () => {
    const b = new LogBuffer(5);
    const v = new FilteredLog();
    v.configure({ levels: ALL_LEVELS, procs: ALL_PROCS }, matcherOf('%'));
    b.apply(batch(1, [e(0, 'a'), e(1, 'Loading 10%'), e(2, 'b')]));
    expect(v.sync(b)).toBe(true);
    expect(v.sync(b)).toBe(false); // idempotent for one version
    expect(v.matches).toEqual([1]);
    b.apply(batch(1, [e(1, 'Loading done'), e(3, 'c 50%')]));
    v.sync(b);
    expect(v.rows.map((r) => r.text)).toEqual(['a', 'Loading done', 'b', 'c 50%']);
    expect(v.matches).toEqual([3]);
    b.apply(batch(1, [e(4, 'd'), e(5, 'e'), e(6, 'f')]));
    v.sync(b);
    expect(v.rows.map((r) => r.seq)).toEqual([2, 3, 4, 5, 6]);
    expect(v.droppedTotal).toBe(2);
    expect(v.rowIndexOf(4)).toBe(2);
  });

  it('incremental result equals a full rebuild after random batches (fuzz)', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const b = new LogBuffer(300);
    const filter: LogFilter = { levels: { ...ALL_LEVELS, debug: false }, procs: { ...ALL_PROCS, other: false } };
    const m = matcherOf('x[0-9]', true);
    const inc = new FilteredLog();
    inc.configure(filter, m);
    let next = 0;
    let firstSeq = 0;
    for (let round = 0; round < 400; round++) {
      const entries: LogEntryDto[] = [];
      const n = Math.floor(rand() * 20);
      for (let i = 0; i < n; i++) {
        const replace = rand() < 0.15 && next > firstSeq;
        const seq = replace ? firstSeq + Math.floor(rand() * (next - firstSeq)) : next++;
        const text = `${rand() < 0.3 ? `x${Math.floor(rand() * 10)}` : 'y'} ${seq}`;
        entries.push(e(seq, text, LEVELS[Math.floor(rand() * LEVELS.length)], PROCS[Math.floor(rand() * PROCS.length)]));
      }
      if (rand() < 0.2) firstSeq = Math.max(firstSeq, next - 200);
      const cleared = rand() < 0.01;
      b.apply(batch(1, entries, firstSeq, cleared));
      // The view skips some versions (a frame where nothing rendered).
      if (rand() < 0.7) inc.sync(b);
    }
    inc.sync(b);
    const full = new FilteredLog();
    full.configure(filter, m);
    full.sync(b);
    expect(inc.rows.map((r) => `${r.seq}:${r.text}`)).toEqual(full.rows.map((r) => `${r.seq}:${r.text}`));
    expect(inc.matches).toEqual(full.matches);
    expect(full.rows.length).toBeGreaterThan(0);
    expect(full.matches.length).toBeGreaterThan(0);
  });

  it('rebuilds on a buffer reset (new run)', () => {
    const b = new LogBuffer(10);
    const v = new FilteredLog();
    b.apply(batch(1, [e(0, 'a'), e(1, 'b')]));
    v.sync(b);
    b.apply(batch(2, [e(0, 'new')]));
    v.sync(b);
    expect(v.rows.map((r) => r.text)).toEqual(['new']);
  });
});
