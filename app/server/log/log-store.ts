import { classifyLine, type LogLevel, type ProcKind } from './classify';
import { LineSplitter, type SplitLine, type StreamName } from './line-splitter';
import { RingBuffer } from './ring-buffer';

export interface LogEntry {
  seq: number;
  /** ms since epoch when the line (or its latest progress frame) arrived. */
  ts: number;
  stream: StreamName;
  text: string;
  level: LogLevel;
  proc: ProcKind;
  procName: string;
}

/** What the UI receives: new or updated entries (upsert by seq) and the oldest seq still held. */
export interface LogBatch {
  entries: LogEntry[];
  firstSeq: number;
  cleared: boolean;
}

export interface LogStoreOptions {
  capacity: number;
  now?: () => number;
  /** Receives batches at most every `batchMs` or when `batchBytes` of text is pending. */
  onBatch?: (batch: LogBatch) => void;
  batchMs?: number;
  batchBytes?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (h: unknown) => void;
}

// ~one frame at 60 Hz, and a size cap so one batch never stalls a renderer (issue 5 numbers).
const DEFAULT_BATCH_MS = 16;
const DEFAULT_BATCH_BYTES = 200 * 1024;

/**
 * The log pipeline of one server run: stdout/stderr bytes → lines (partial chunks, `\r`
 * progress, ANSI) → classified entries → bounded ring buffer → batched pushes to the UI.
 * Line listeners (phase tracker, diagnosis) see every completed line synchronously.
 */
export class LogStore {
  private readonly ring: RingBuffer<LogEntry>;
  private readonly splitters: Record<StreamName, LineSplitter>;
  /** seq of the line whose `\r` frames are still arriving, per stream. */
  private readonly progressSeq: Record<StreamName, number | undefined> = { stdout: undefined, stderr: undefined };
  private readonly pending = new Map<number, LogEntry>();
  private pendingBytes = 0;
  private pendingCleared = false;
  private timer: unknown;
  private readonly listeners = new Set<(e: LogEntry, replaced: boolean) => void>();
  private readonly now: () => number;
  private readonly batchMs: number;
  private readonly batchBytes: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (h: unknown) => void;

  constructor(private readonly opts: LogStoreOptions) {
    this.ring = new RingBuffer(opts.capacity);
    this.now = opts.now ?? Date.now;
    this.batchMs = opts.batchMs ?? DEFAULT_BATCH_MS;
    this.batchBytes = opts.batchBytes ?? DEFAULT_BATCH_BYTES;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
    const onLine = (l: SplitLine) => this.addLine(l);
    this.splitters = { stdout: new LineSplitter('stdout', onLine), stderr: new LineSplitter('stderr', onLine) };
  }

  /** Raw bytes (or text) from the child's stdout/stderr. */
  ingest(stream: StreamName, chunk: Uint8Array | string): void {
    this.splitters[stream].push(chunk);
  }

  /** Adds a line the panel itself writes (e.g. "[panel] sent SIGTERM to process group 4242"). */
  note(text: string): void {
    this.addLine({ stream: 'stderr', text, replace: false });
  }

  /** End of the child's streams: emit unterminated lines and push everything pending. */
  end(): void {
    this.splitters.stdout.flush();
    this.splitters.stderr.flush();
    this.flush();
  }

  onLine(fn: (e: LogEntry, replaced: boolean) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get size(): number {
    return this.ring.size;
  }
  get firstSeq(): number {
    return this.ring.firstSeq;
  }
  get endSeq(): number {
    return this.ring.endSeq;
  }

  entries(fromSeq?: number, toSeq?: number): LogEntry[] {
    return this.ring.slice(fromSeq, toSeq);
  }

  clear(): void {
    this.ring.clear();
    this.pending.clear();
    this.pendingBytes = 0;
    this.pendingCleared = true;
    this.progressSeq.stdout = undefined;
    this.progressSeq.stderr = undefined;
    this.schedule();
  }

  /** Pushes the pending batch now. */
  flush(): void {
    if (this.timer !== undefined) {
      this.clearTimer(this.timer);
      this.timer = undefined;
    }
    if (this.pending.size === 0 && !this.pendingCleared) return;
    const batch: LogBatch = { entries: [...this.pending.values()], firstSeq: this.ring.firstSeq, cleared: this.pendingCleared };
    this.pending.clear();
    this.pendingBytes = 0;
    this.pendingCleared = false;
    this.opts.onBatch?.(batch);
  }

  private addLine(l: SplitLine): void {
    const info = classifyLine(l.text);
    const entry: LogEntry = {
      seq: 0,
      ts: this.now(),
      stream: l.stream,
      text: l.text,
      level: info.level,
      proc: info.proc,
      procName: info.procName,
    };
    const prev = this.progressSeq[l.stream];
    let replaced = false;
    if (l.replace && prev !== undefined && this.ring.get(prev) !== undefined) {
      entry.seq = prev;
      this.ring.set(prev, entry);
      replaced = true;
    } else {
      entry.seq = this.ring.push(entry);
    }
    this.progressSeq[l.stream] = entry.seq;
    for (const fn of this.listeners) fn(entry, replaced);
    if (this.opts.onBatch) {
      this.pending.set(entry.seq, entry);
      this.pendingBytes += entry.text.length + 48;
      if (this.pendingBytes >= this.batchBytes) this.flush();
      else this.schedule();
    }
  }

  private schedule(): void {
    if (this.timer === undefined && this.opts.onBatch) {
      this.timer = this.setTimer(() => {
        this.timer = undefined;
        this.flush();
      }, this.batchMs);
    }
  }
}
