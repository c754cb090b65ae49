import { stripAnsi } from './ansi';

export type StreamName = 'stdout' | 'stderr';

export interface SplitLine {
  stream: StreamName;
  /** Text without ANSI sequences and without the line terminator. */
  text: string;
  /**
   * A carriage-return update (tqdm progress): it replaces the previous frame of the same line of
   * this stream instead of adding a line, so a 10-minute weight load is one line, not thousands.
   */
  replace: boolean;
}

/**
 * Splits a child's byte stream into lines. Handles chunks that end mid-line (and mid-UTF-8
 * character), `\r\n`, and bare `\r` progress updates. One instance per stream.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private partial = '';
  /** A `\r` frame of the current line was already emitted: later frames replace it. */
  private frameEmitted = false;

  constructor(
    private readonly stream: StreamName,
    private readonly emit: (line: SplitLine) => void,
    /** A line longer than this is cut (a binary blob on stdout must not grow memory forever). */
    private readonly maxLine = 64 * 1024,
  ) {}

  push(chunk: Uint8Array | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    let buf = this.partial + text;
    let start = 0;
    for (let i = 0; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c === 10 /* \n */) {
        const end = i > start && buf.charCodeAt(i - 1) === 13 ? i - 1 : i;
        this.out(buf.slice(start, end), this.frameEmitted);
        this.frameEmitted = false;
        start = i + 1;
      } else if (c === 13 /* \r */) {
        if (i + 1 >= buf.length) break; // could be the first half of \r\n: wait for more
        if (buf.charCodeAt(i + 1) === 10) continue;
        // A bare \r: what came before is a finished progress frame (skip empty frames).
        if (i > start) {
          this.out(buf.slice(start, i), this.frameEmitted);
          this.frameEmitted = true;
        }
        start = i + 1;
      }
    }
    buf = buf.slice(start);
    if (buf.length > this.maxLine) {
      this.out(buf.slice(0, this.maxLine), this.frameEmitted);
      this.frameEmitted = false;
      buf = '';
    }
    this.partial = buf;
  }

  /** Emits what is left (the child exited without a final newline). */
  flush(): void {
    const rest = this.partial + this.decoder.decode();
    this.partial = '';
    const trimmed = rest.endsWith('\r') ? rest.slice(0, -1) : rest;
    if (trimmed.length > 0) this.out(trimmed, this.frameEmitted);
    this.frameEmitted = false;
  }

  private out(raw: string, replace: boolean): void {
    this.emit({ stream: this.stream, text: stripAnsi(raw), replace });
  }
}
