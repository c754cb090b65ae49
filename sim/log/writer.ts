// vLLM's log output, reproduced byte for byte in shape (vllm-runtime.md §1, vllm-logs 01–10):
//   (APIServer pid=253022) INFO 01-17 23:04:45 [api_server.py:1278] vLLM API server version 0.14.0
// * vLLM's logger writes to stdout (VLLM_LOGGING_STREAM defaults to ext://sys.stdout); uvicorn's
//   lifecycle lines, tqdm bars, Python warnings and tracebacks go to stderr; uvicorn access lines
//   to stdout.
// * Every process wraps sys.stdout/sys.stderr so that each *line start* gets `(NAME pid=N) `
//   (vllm `_add_prefix`): a write that does not start a new line gets no prefix, which is why a
//   tqdm `\r` update after the prefix has none and why a prefix can appear alone on a line.
// * The prefix is ANSI-cyan `\x1b[0;36m(...)\x1b[0;0m` — the v0.13/0.14 logs captured through a
//   pipe (vllm-logs 01–06) carry the escapes, so colour is on by default even when not a TTY.
// * Multi-line messages repeat the `LEVEL date [file:line] ` header on every line
//   (NewLineFormatter) — see the `ERROR … [core.py:866]   File …` traceback lines of vllm-logs 08.

export interface TextSink {
  write(chunk: string): unknown;
}

export type Level = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

const CYAN = '\x1b[0;36m';
const RESET = '\x1b[0;0m';

/** `MM-DD HH:MM:SS` in local time, as vLLM's `_DATE_FORMAT = "%m-%d %H:%M:%S"`. */
export function formatLogDate(d: Date): string {
  const p = (n: number) => (n < 10 ? `0${n}` : String(n));
  return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Colour decision: VLLM_SIM_COLOR=1/0 forces it; NO_COLOR disables it; otherwise on (real logs are coloured through pipes). */
export function wantColor(env: NodeJS.ProcessEnv): boolean {
  const forced = env.VLLM_SIM_COLOR;
  if (forced !== undefined && forced !== '') return !['0', 'false', 'no', 'off'].includes(forced.toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return true;
}

export interface ProcLogOptions {
  /** Process name in the prefix; undefined = no prefix (the top-level `vllm` before `decorate_logs`). */
  name?: string;
  pid: number;
  color: boolean;
  stdout: TextSink;
  stderr: TextSink;
  now?: () => Date;
}

export class ProcLog {
  readonly prefix: string;
  private readonly out: TextSink;
  private readonly err: TextSink;
  private readonly now: () => Date;
  // `file.start_new_line` of vLLM's prefix wrapper, per stream.
  private outAtLineStart = true;
  private errAtLineStart = true;

  constructor(opts: ProcLogOptions) {
    this.prefix =
      opts.name === undefined ? '' : opts.color ? `${CYAN}(${opts.name} pid=${opts.pid})${RESET} ` : `(${opts.name} pid=${opts.pid}) `;
    this.out = opts.stdout;
    this.err = opts.stderr;
    this.now = opts.now ?? (() => new Date());
  }

  /** Writes `text` to stdout or stderr exactly as a Python `write()` through vLLM's prefix wrapper. */
  raw(stream: 'out' | 'err', text: string): void {
    if (text === '') return;
    const sink = stream === 'out' ? this.out : this.err;
    let atStart = stream === 'out' ? this.outAtLineStart : this.errAtLineStart;
    if (this.prefix === '') {
      sink.write(text);
      atStart = text.endsWith('\n');
    } else {
      let s = atStart ? this.prefix : '';
      let idx = 0;
      for (;;) {
        const nl = text.indexOf('\n', idx);
        if (nl === -1) {
          s += text.slice(idx);
          atStart = false;
          break;
        }
        s += text.slice(idx, nl + 1);
        idx = nl + 1;
        if (idx === text.length) {
          atStart = true;
          break;
        }
        s += this.prefix;
      }
      // One write per call keeps lines of concurrent processes from interleaving mid-line (< PIPE_BUF).
      sink.write(s);
    }
    if (stream === 'out') this.outAtLineStart = atStart;
    else this.errAtLineStart = atStart;
  }

  /** Formats one logger record: every line of `msg` gets the `LEVEL date [file:line] ` header. */
  format(level: Level, site: string, msg: string): string {
    const head = `${level} ${formatLogDate(this.now())} [${site}] `;
    if (!msg.includes('\n')) return `${head}${msg}\n`;
    return `${msg
      .split('\n')
      .map((l) => head + l)
      .join('\n')}\n`;
  }

  log(level: Level, site: string, msg: string): void {
    this.raw('out', this.format(level, site, msg));
  }
  info(site: string, msg: string): void {
    this.log('INFO', site, msg);
  }
  warn(site: string, msg: string): void {
    this.log('WARNING', site, msg);
  }
  error(site: string, msg: string): void {
    this.log('ERROR', site, msg);
  }

  /** uvicorn's default formatter (`%(levelprefix)s %(message)s`, level padded to 9 columns), to stderr. */
  uvicorn(msg: string, level: 'INFO' | 'WARNING' | 'ERROR' = 'INFO'): void {
    this.raw('err', `${`${level}:`.padEnd(9)} ${msg}\n`);
  }

  /** uvicorn's access formatter, to stdout: `INFO:     127.0.0.1:44726 - "POST /v1/chat/completions HTTP/1.1" 200 OK`. */
  access(client: string, method: string, path: string, httpVersion: string, status: number, reason: string): void {
    this.raw('out', `INFO:     ${client} - "${method} ${path} HTTP/${httpVersion}" ${status} ${reason}\n`);
  }
}
