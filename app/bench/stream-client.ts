// One streaming completion request over node:http with a keep-alive agent (undici's fetch costs
// several times more CPU per chunk through web streams; at 256 streams that would be measured
// instead of the server). Times are performance.now() ms; time spent in our handlers is summed in
// `overheadMs` so a run can report its own cost per token.
import http from 'node:http';
import https from 'node:https';
import { SseTokenReader } from './sse';

export interface StreamOutcome {
  ok: boolean;
  errorKind?: string;
  errorMessage?: string;
  startedAt: number;
  endedAt: number;
  /** null when no text chunk arrived. */
  ttftMs: number | null;
  itlMs: number[];
  /** usage.completion_tokens, else the number of text chunks. */
  outputTokens: number;
  /** usage.prompt_tokens, else the caller's estimate. */
  promptTokens: number | null;
  /** The run was stopped while this request was in flight. */
  cancelled: boolean;
}

export interface StreamClientOptions {
  baseUrl: string;
  apiKey?: string;
  /** Sockets the agent may open (≥ the largest number of requests in flight). */
  maxSockets: number;
  now?: () => number;
}

/** Kinds of failure a user can tell apart in a result (errorsByKind). */
export function networkErrorKind(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection_refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'connection_reset';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    default:
      return 'network';
  }
}

const MAX_ERROR_BODY = 4096;

export class StreamClient {
  /** Milliseconds spent inside our response handlers (parsing, accounting). */
  overheadMs = 0;
  readonly inFlight = new Set<http.ClientRequest>();
  private readonly agent: http.Agent;
  private readonly mod: typeof http | typeof https;
  private readonly url: URL;
  private readonly now: () => number;
  private readonly headers: Record<string, string>;

  constructor(o: StreamClientOptions) {
    this.url = new URL(o.baseUrl);
    this.mod = this.url.protocol === 'https:' ? https : http;
    this.agent = new this.mod.Agent({ keepAlive: true, maxSockets: Math.max(1, o.maxSockets), scheduling: 'lifo' });
    this.now = o.now ?? (() => performance.now());
    this.headers = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (o.apiKey) this.headers.authorization = `Bearer ${o.apiKey}`;
  }

  /** POSTs `body` (already JSON) to `path` and reads the stream to its end. Never rejects. */
  request(path: string, body: string, timeoutMs: number): Promise<StreamOutcome> {
    const t0 = this.now();
    return new Promise<StreamOutcome>((resolve) => {
      const reader = new SseTokenReader();
      let settled = false;
      let cancelled = false;
      let httpError: { kind: string; message: string } | null = null;
      const finish = (kind?: string, message?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(req);
        const h0 = this.now();
        const endedAt = h0;
        let ok = !kind && !httpError && reader.error === null && reader.done;
        let errorKind = kind ?? httpError?.kind;
        let errorMessage = message ?? httpError?.message;
        if (!errorKind && reader.error !== null) {
          errorKind = 'stream_error';
          errorMessage = reader.error;
        }
        if (!errorKind && !reader.done) {
          errorKind = 'incomplete_stream';
          errorMessage = 'the stream ended without [DONE]';
        }
        if (cancelled) ok = false;
        const out: StreamOutcome = {
          ok,
          startedAt: t0,
          endedAt,
          ttftMs: reader.firstAt >= 0 ? reader.firstAt - t0 : null,
          itlMs: reader.gaps,
          outputTokens: reader.usage?.completionTokens ?? reader.chunks,
          promptTokens: reader.usage?.promptTokens ?? null,
          cancelled,
          ...(ok ? {} : { errorKind: cancelled ? 'cancelled' : errorKind, errorMessage }),
        };
        this.overheadMs += this.now() - h0;
        resolve(out);
      };
      const req = this.mod.request(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          path: this.url.pathname.replace(/\/$/, '') + path,
          method: 'POST',
          agent: this.agent,
          headers: { ...this.headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status !== 200) {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => {
              if (text.length < MAX_ERROR_BODY) text += d;
            });
            res.on('end', () => {
              httpError = { kind: `http_${status}`, message: errorMessageOf(text) ?? `HTTP ${status}` };
              finish();
            });
            res.on('error', (e) => finish(networkErrorKind(e), e.message));
            return;
          }
          res.on('data', (chunk: Buffer) => {
            const t = this.now();
            reader.feed(chunk, t);
            this.overheadMs += this.now() - t;
          });
          res.on('end', () => {
            reader.end(this.now());
            finish();
          });
          res.on('aborted', () => finish('connection_reset', 'the server closed the stream'));
          res.on('error', (e) => finish(networkErrorKind(e), e.message));
        },
      );
      const timer = setTimeout(() => {
        finish('timeout', `no complete answer within ${Math.round(timeoutMs / 1000)} s`);
        req.destroy();
      }, timeoutMs);
      req.on('error', (e) => finish(cancelled ? 'cancelled' : networkErrorKind(e), e.message));
      (req as http.ClientRequest & { cancelBench?: () => void }).cancelBench = () => {
        cancelled = true;
        finish('cancelled', 'stopped');
        req.destroy();
      };
      this.inFlight.add(req);
      req.end(body);
      this.overheadMs += this.now() - t0;
    });
  }

  /** Cuts every request in flight (they resolve as cancelled). */
  cancelAll(): void {
    for (const req of [...this.inFlight]) (req as http.ClientRequest & { cancelBench?: () => void }).cancelBench?.();
  }

  close(): void {
    this.cancelAll();
    this.agent.destroy();
  }
}

/** The message of an OpenAI/vLLM error body ({"error": {"message"}} or {"message"}), if there is one. */
export function errorMessageOf(text: string): string | undefined {
  try {
    const o = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    if (o && typeof o.error === 'object' && typeof o.error?.message === 'string') return o.error.message.slice(0, 500);
    if (typeof o?.message === 'string') return o.message.slice(0, 500);
    if (typeof o?.error === 'string') return o.error.slice(0, 500);
    if (typeof o?.detail === 'string') return o.detail.slice(0, 500);
  } catch {
    // not JSON
  }
  return text.trim() ? text.trim().slice(0, 300) : undefined;
}
