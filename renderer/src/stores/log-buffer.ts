import type { LogEntryDto } from '../contract';

/**
 * The renderer's copy of one run's log: entries sorted by seq, upserted from the core's batches
 * (a `\r` progress bar arrives again with the same seq), bounded to `capacity` lines. Mutable on
 * purpose: under a flood the store applies ~1,000 lines per frame to a 50,000-line buffer, and
 * copying the whole array every frame is the kind of work that makes a log view stutter. Views
 * follow it through `version` plus the per-version change lists (see `changesSince`).
 */
export class LogBuffer {
  /** Sorted by seq, ascending. Read-only for everyone but this class. */
  readonly entries: LogEntryDto[] = [];
  runId: number | null = null;
  /** Bumped on every apply that changed something. */
  version = 0;
  /** Bumped when the buffer starts over (new run, cleared, snapshot); views rebuild then. */
  epoch = 0;
  /** Lines dropped at the front since the last reset (by the core's ring or our own bound). */
  dropped = 0;
  private changes: { version: number; seqs: number[] }[] = [];
  /** The newest version whose change list was discarded (views older than that rebuild). */
  private forgotten = 0;

  constructor(public capacity: number) {}

  get firstSeq(): number | null {
    return this.entries[0]?.seq ?? null;
  }
  get lastSeq(): number | null {
    return this.entries.at(-1)?.seq ?? null;
  }

  /** Index of the entry with `seq`, or -(insertion point) - 1 when it is not held. */
  indexOf(seq: number): number {
    return binarySearch(this.entries, seq);
  }

  get(seq: number): LogEntryDto | undefined {
    const i = this.indexOf(seq);
    return i >= 0 ? this.entries[i] : undefined;
  }

  /** Drops everything (new run, `cleared`). */
  reset(runId: number | null): void {
    this.entries.length = 0;
    this.runId = runId;
    this.dropped = 0;
    this.changes = [];
    this.forgotten = 0;
    this.epoch++;
    this.version++;
  }

  /** Replaces the contents with a snapshot (logs:get after a (re)connect). */
  replaceAll(runId: number, entries: readonly LogEntryDto[]): void {
    this.reset(runId);
    const sorted = isSorted(entries) ? entries : [...entries].sort((a, b) => a.seq - b.seq);
    const from = Math.max(0, sorted.length - this.capacity);
    for (let i = from; i < sorted.length; i++) this.entries.push(sorted[i] as LogEntryDto);
    this.dropped = from;
  }

  /**
   * Applies one batch: upsert by seq, then drop what the core no longer holds (`firstSeq`) and
   * what exceeds our own bound. Returns whether anything changed.
   */
  apply(batch: { runId: number; entries: readonly LogEntryDto[]; firstSeq: number; cleared: boolean }): boolean {
    let changed = false;
    if (this.runId !== batch.runId || batch.cleared) {
      this.reset(batch.runId);
      changed = true;
    }
    const incoming = isSorted(batch.entries) ? batch.entries : [...batch.entries].sort((a, b) => a.seq - b.seq);
    const changedSeqs: number[] = [];
    for (const e of incoming) {
      if (e.seq < batch.firstSeq) continue;
      const last = this.entries.at(-1);
      if (!last || e.seq > last.seq) {
        this.entries.push(e);
      } else {
        const i = binarySearch(this.entries, e.seq);
        if (i >= 0) this.entries[i] = e;
        else this.entries.splice(-i - 1, 0, e);
        changedSeqs.push(e.seq);
      }
      changed = true;
    }
    // Below the core's oldest seq: the core's ring dropped them, so do we (same view everywhere).
    let drop = 0;
    while (drop < this.entries.length && (this.entries[drop] as LogEntryDto).seq < batch.firstSeq) drop++;
    drop = Math.max(drop, this.entries.length - this.capacity);
    if (drop > 0) {
      this.entries.splice(0, drop);
      this.dropped += drop;
      changed = true;
    }
    if (changed) {
      this.version++;
      if (changedSeqs.length > 0) {
        this.changes.push({ version: this.version, seqs: changedSeqs });
        if (this.changes.length > MAX_CHANGE_LISTS) {
          const gone = this.changes.splice(0, this.changes.length - MAX_CHANGE_LISTS);
          this.forgotten = (gone.at(-1) as { version: number }).version;
        }
      }
    }
    return changed;
  }

  /** Lowers or raises the bound (setting changed); drops from the front at once if needed. */
  setCapacity(capacity: number): void {
    this.capacity = Math.max(1, Math.floor(capacity));
    const drop = this.entries.length - this.capacity;
    if (drop > 0) {
      this.entries.splice(0, drop);
      this.dropped += drop;
      this.version++;
    }
  }

  /**
   * Seqs updated in place or inserted before the end since `version` (exclusive), or null when
   * that history is no longer kept (the caller rebuilds). Appends are not listed: a view finds
   * them as the entries after the last seq it has seen.
   */
  changesSince(version: number): number[] | null {
    if (version === this.version) return [];
    if (version < this.forgotten) return null;
    const out: number[] = [];
    for (const c of this.changes) if (c.version > version) out.push(...c.seqs);
    return out;
  }
}

/** ~2 s of frames: a view further behind than that rebuilds instead of replaying changes. */
const MAX_CHANGE_LISTS = 120;

function isSorted(a: readonly LogEntryDto[]): boolean {
  for (let i = 1; i < a.length; i++) if ((a[i] as LogEntryDto).seq <= (a[i - 1] as LogEntryDto).seq) return false;
  return true;
}

/** Index of `seq` in `a` (sorted by seq), or -(insertion point) - 1. */
export function binarySearch(a: readonly { seq: number }[], seq: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const s = (a[mid] as { seq: number }).seq;
    if (s < seq) lo = mid + 1;
    else if (s > seq) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}
