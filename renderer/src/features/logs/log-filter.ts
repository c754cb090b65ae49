// Pure logic of the log viewer: which lines pass the level/process filters, which match the
// search, kept up to date incrementally as the buffer changes (a flood appends ~1,000 lines per
// frame to 50,000; re-running a regex over all of them every frame would eat the frame budget).
import type { LogEntryDto } from '../../contract';
import { binarySearch, type LogBuffer } from '../../stores/log-buffer';

export const LEVEL_FILTERS = ['debug', 'info', 'warning', 'error'] as const;
export type LevelFilter = (typeof LEVEL_FILTERS)[number];
export const PROC_FILTERS = ['api', 'engine', 'worker', 'other'] as const;
export type ProcFilter = (typeof PROC_FILTERS)[number];
export const PROC_LABELS: Record<ProcFilter, string> = { api: 'APIServer', engine: 'EngineCore', worker: 'Worker', other: 'Other' };
export const LEVEL_LABELS: Record<LevelFilter, string> = { debug: 'Debug', info: 'Info', warning: 'Warning', error: 'Error' };

/**
 * The filter bucket of a line. `critical` counts as error; lines without a level (progress bars,
 * prints, traceback frames) count as info, so "errors only" shows the errors and the exception
 * lines (the classifier marks `Traceback …` and `XError: …` as errors) without the noise.
 */
export function levelBucket(level: LogEntryDto['level']): LevelFilter {
  if (level === 'critical') return 'error';
  if (level === 'none') return 'info';
  return level;
}

export interface LogFilter {
  levels: Record<LevelFilter, boolean>;
  procs: Record<ProcFilter, boolean>;
}

export const ALL_LEVELS: Record<LevelFilter, boolean> = { debug: true, info: true, warning: true, error: true };
export const ALL_PROCS: Record<ProcFilter, boolean> = { api: true, engine: true, worker: true, other: true };

export const passes = (f: LogFilter, e: LogEntryDto): boolean => f.levels[levelBucket(e.level)] && f.procs[e.proc];

export interface SearchSpec {
  text: string;
  regex: boolean;
  caseSensitive: boolean;
}

/** A compiled search: `test` for counting, `ranges` for highlighting. */
export interface Matcher {
  test(text: string): boolean;
  /** [start, end) of every match in `text` (non-overlapping, left to right). */
  ranges(text: string): [number, number][];
}

export type CompiledSearch = { ok: true; matcher: Matcher | null } | { ok: false; error: string };

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Empty text → no search (null matcher). Plain text is matched literally; a regex that does not
 * compile is reported as a message for the search box, never thrown. A regex that matches the
 * empty string (`a*`) would "match" every line and highlight nothing, so it is refused too.
 */
export function compileSearch(spec: SearchSpec): CompiledSearch {
  if (spec.text === '') return { ok: true, matcher: null };
  let re: RegExp;
  try {
    re = new RegExp(spec.regex ? spec.text : escapeRe(spec.text), spec.caseSensitive ? 'g' : 'gi');
  } catch (err) {
    const msg = (err as Error).message.replace(/^Invalid regular expression: /, '');
    return { ok: false, error: `Invalid regex: ${msg}` };
  }
  if (re.test('')) return { ok: false, error: 'This regex matches empty text; it would match every line.' };
  const single = new RegExp(re.source, re.flags.replace('g', ''));
  return {
    ok: true,
    matcher: {
      test: (text) => single.test(text),
      ranges(text) {
        const out: [number, number][] = [];
        re.lastIndex = 0;
        for (let m = re.exec(text); m; m = re.exec(text)) {
          if (m[0].length === 0) {
            re.lastIndex++;
            continue;
          }
          out.push([m.index, m.index + m[0].length]);
          // Bounded: a pathological line cannot make one row render thousands of marks.
          if (out.length >= 200) break;
        }
        return out;
      },
    },
  };
}

/** Splits `text` into plain and marked parts for rendering. */
export function splitByRanges(text: string, ranges: [number, number][]): { text: string; mark: boolean }[] {
  const parts: { text: string; mark: boolean }[] = [];
  let at = 0;
  for (const [a, b] of ranges) {
    if (a > at) parts.push({ text: text.slice(at, a), mark: false });
    parts.push({ text: text.slice(a, b), mark: true });
    at = b;
  }
  if (at < text.length || parts.length === 0) parts.push({ text: text.slice(at), mark: false });
  return parts;
}

/**
 * The viewer's rows (lines passing the filter) and matches (seqs of rows matching the search),
 * following a LogBuffer. `sync` costs O(new lines + changed lines) per call; a new filter or
 * search, a reset of the buffer, or falling too far behind costs one full pass.
 */
export class FilteredLog {
  rows: LogEntryDto[] = [];
  /** Seqs of rows that match the search, ascending. */
  matches: number[] = [];
  /** Rows removed from the front so far (the viewer keeps its scroll position with it). Only grows. */
  droppedTotal = 0;
  private epoch = -1;
  private version = -1;
  private lastSeq = -1;
  private filter: LogFilter = { levels: ALL_LEVELS, procs: ALL_PROCS };
  private matcher: Matcher | null = null;

  /** New filter or search: the next sync rebuilds. */
  configure(filter: LogFilter, matcher: Matcher | null): void {
    this.filter = filter;
    this.matcher = matcher;
    this.epoch = -1;
  }

  /** Brings rows and matches up to date with `buf`; returns whether anything changed. */
  sync(buf: LogBuffer): boolean {
    if (this.epoch === buf.epoch && this.version === buf.version) return false;
    const changed = this.epoch === buf.epoch ? buf.changesSince(this.version) : null;
    if (changed === null) {
      this.rebuild(buf);
      return true;
    }
    // 1. Lines the buffer dropped at the front.
    const first = buf.firstSeq;
    const cut = first === null ? this.rows.length : lowerBound(this.rows, first);
    if (cut > 0) {
      this.rows.splice(0, cut);
      this.droppedTotal += cut;
    }
    if (this.matches.length > 0 && first !== null) {
      const m = lowerBoundNum(this.matches, first);
      if (m > 0) this.matches.splice(0, m);
    } else if (first === null) this.matches.length = 0;
    // 2. Lines updated in place (progress bars) or inserted before our end.
    for (const seq of changed) {
      if (seq > this.lastSeq) continue; // picked up as an append below
      const e = buf.get(seq);
      if (e) this.upsertRow(e);
    }
    // 3. Appends.
    const start = this.lastSeq < 0 ? 0 : lowerBound(buf.entries, this.lastSeq + 1);
    for (let i = start; i < buf.entries.length; i++) this.add(buf.entries[i] as LogEntryDto);
    this.lastSeq = buf.lastSeq ?? this.lastSeq;
    this.version = buf.version;
    return true;
  }

  /** Row index of the entry with `seq`, or of the first row after it when it is filtered out. */
  rowIndexOf(seq: number): number {
    const i = binarySearch(this.rows, seq);
    return i >= 0 ? i : Math.min(-i - 1, Math.max(0, this.rows.length - 1));
  }

  isMatch(seq: number): boolean {
    return binarySearchNum(this.matches, seq) >= 0;
  }

  /** Position of `seq` among the matches, or -1. */
  matchIndex(seq: number): number {
    const i = binarySearchNum(this.matches, seq);
    return i >= 0 ? i : -1;
  }

  private rebuild(buf: LogBuffer): void {
    const f = this.filter;
    const m = this.matcher;
    const rows: LogEntryDto[] = [];
    const matches: number[] = [];
    for (const e of buf.entries) {
      if (!passes(f, e)) continue;
      rows.push(e);
      if (m?.test(e.text)) matches.push(e.seq);
    }
    this.rows = rows;
    this.matches = matches;
    this.epoch = buf.epoch;
    this.version = buf.version;
    this.lastSeq = buf.lastSeq ?? -1;
  }

  private add(e: LogEntryDto): void {
    if (!passes(this.filter, e)) return;
    this.rows.push(e);
    if (this.matcher?.test(e.text)) this.matches.push(e.seq);
  }

  private upsertRow(e: LogEntryDto): void {
    const i = binarySearch(this.rows, e.seq);
    const keep = passes(this.filter, e);
    if (i >= 0 && keep) this.rows[i] = e;
    else if (i >= 0) this.rows.splice(i, 1);
    else if (keep) this.rows.splice(-i - 1, 0, e);
    const j = binarySearchNum(this.matches, e.seq);
    const match = keep && this.matcher?.test(e.text) === true;
    if (j >= 0 && !match) this.matches.splice(j, 1);
    else if (j < 0 && match) this.matches.splice(-j - 1, 0, e.seq);
  }
}

/** First index whose seq is ≥ `seq`. */
function lowerBound(a: readonly { seq: number }[], seq: number): number {
  const i = binarySearch(a, seq);
  return i >= 0 ? i : -i - 1;
}

function binarySearchNum(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid] as number;
    if (v < x) lo = mid + 1;
    else if (v > x) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

function lowerBoundNum(a: readonly number[], x: number): number {
  const i = binarySearchNum(a, x);
  return i >= 0 ? i : -i - 1;
}

/** The match to go to from row `fromSeq` (the current match or the top visible row): next or previous, wrapping. */
export function stepMatch(matches: readonly number[], current: number | null, dir: 1 | -1): number | null {
  if (matches.length === 0) return null;
  if (current === null) return (dir === 1 ? matches[0] : matches.at(-1)) as number;
  const i = binarySearchNum(matches, current);
  if (i >= 0) return matches[(i + dir + matches.length) % matches.length] as number;
  const ins = -i - 1; // first match after `current`
  if (dir === 1) return matches[ins % matches.length] as number;
  return matches[(ins - 1 + matches.length) % matches.length] as number;
}

/** Plain text of entries for the clipboard or a file. */
export const entriesText = (entries: readonly LogEntryDto[]): string => entries.map((e) => e.text).join('\n');
