// Classifies one vLLM log line: level, emitting process, and the message after the source tag.
// Shapes from ../shared/reference/vllm-runtime.md §1: `(NAME pid=N) LEVEL MM-DD HH:MM:SS [file.py:N] msg`,
// uvicorn's `INFO:     msg`, tracebacks and third-party prints with no level. Lines may carry
// a wrapper's own prefix before the process tag (other launchers' logs), so nothing is anchored
// to the start except where it must be.

export type LogLevel = 'debug' | 'info' | 'warning' | 'error' | 'critical' | 'none';
/** Which vLLM process wrote the line (from the `(NAME pid=N)` tag). */
export type ProcKind = 'api' | 'engine' | 'worker' | 'other';

export interface LineInfo {
  level: LogLevel;
  proc: ProcKind;
  /** "APIServer", "EngineCore_DP0", "Worker_TP1", … or "" when untagged. */
  procName: string;
  pid: number | null;
  /** Text after `[file.py:N] ` (or after the uvicorn level), else the line without its tags. */
  message: string;
}

const PROC_TAG = /\((APIServer|EngineCore(?:_DP\d+)?|Worker(?:_TP\d+)?(?:_PP\d+)?(?:_EP\d+)?|VllmWorkerProcess)(?:_\d+)? pid=(\d+)\)\s?/;
const VLLM_LEVEL = /\b(DEBUG|INFO|WARNING|ERROR|CRITICAL) \d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? (?:\[[^\]\s]+\] |[\w.]+:\d+\] )?/;
const UVICORN_LEVEL = /^(DEBUG|INFO|WARNING|ERROR|CRITICAL):\s+/;
const TRACEBACK_ERROR = /^(?:[\w.]+(?:Error|Exception)|Traceback \(most recent call last\)|[\w.]+Error:)/;

const LEVELS: Record<string, LogLevel> = { DEBUG: 'debug', INFO: 'info', WARNING: 'warning', ERROR: 'error', CRITICAL: 'critical' };

function procKind(name: string): ProcKind {
  if (name === 'APIServer') return 'api';
  if (name.startsWith('EngineCore')) return 'engine';
  if (name.startsWith('Worker') || name === 'VllmWorkerProcess') return 'worker';
  return 'other';
}

export function classifyLine(text: string): LineInfo {
  let rest = text;
  let procName = '';
  let pid: number | null = null;
  // A line can carry two tags when processes interleave; the last one wrote the text.
  for (;;) {
    const m = PROC_TAG.exec(rest);
    if (!m) break;
    procName = m[1]!;
    pid = Number(m[2]);
    rest = rest.slice(m.index + m[0].length);
  }
  const proc: ProcKind = procName ? procKind(procName) : 'other';
  const v = VLLM_LEVEL.exec(rest);
  if (v) return { level: LEVELS[v[1]!]!, proc, procName, pid, message: rest.slice(v.index + v[0].length) };
  const u = UVICORN_LEVEL.exec(rest);
  if (u) return { level: LEVELS[u[1]!]!, proc, procName, pid, message: rest.slice(u[0].length) };
  const trimmed = rest.trimStart();
  // Untagged Python exception lines are errors for highlighting purposes.
  const level: LogLevel = TRACEBACK_ERROR.test(trimmed) ? 'error' : 'none';
  return { level, proc, procName, pid, message: rest };
}
