// One bounded HTTP GET: a hard timeout (connect + headers + body), a byte cap checked while the
// body streams in (a 50 MB answer is cut off after the cap instead of being buffered and parsed),
// and errors classified into kinds a user can act on. Used by the scraper and `vllm-panel status`.
// Two transports with the same behaviour: fetch (injectable, used by tests) and node:http (the
// scraper's default: no WHATWG streams and a native HTTP parser, a few times less CPU per scrape).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ScrapeErrorKind } from '../contract/metrics';

export interface FetchTextOptions {
  timeoutMs: number;
  maxBytes: number;
  apiKey?: string;
  /** Extra abort (the scraper's stop). */
  signal?: AbortSignal;
  accept?: string;
}

/** A GET with these semantics: fetchText over an injected fetch, or httpGetText. */
export type TextGetter = (url: string, o: FetchTextOptions) => Promise<FetchTextResult>;

export type FetchTextResult =
  | { ok: true; status: number; text: string; bytes: number; ms: number; contentType: string | null }
  | { ok: false; kind: ScrapeErrorKind; message: string; status?: number; ms: number };

/** 8 MiB: a real vLLM /metrics body is ~40–150 KB per engine (vllm-metrics.md dumps); 8 MiB leaves room for DP=8 with every optional family. */
export const DEFAULT_MAX_METRICS_BYTES = 8 * 1024 * 1024;

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n >= 10 * 1024 * 1024 ? 0 : 1)} MB`;

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Turns what fetch threw into a kind and a sentence (the URL is added by the caller's message). */
export function classifyFetchError(
  err: unknown,
  timedOut: boolean,
  url: string,
  timeoutMs: number,
): { kind: ScrapeErrorKind; message: string } {
  if (timedOut) return { kind: 'timeout', message: `${url} did not answer within ${timeoutMs} ms` };
  const code = causeCode(err);
  switch (code) {
    case 'ECONNREFUSED':
      return { kind: 'refused', message: `connection refused by ${url} (nothing listens there)` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { kind: 'network', message: `cannot resolve the host of ${url}` };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return { kind: 'network', message: `${url} closed the connection` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { kind: 'network', message: `${url} is unreachable (${code})` };
    default: {
      const msg = (err as Error)?.message ?? String(err);
      return { kind: 'network', message: `${url}: ${code ? `${code}: ` : ''}${msg}` };
    }
  }
}

export async function fetchText(fetchImpl: typeof fetch, url: string, o: FetchTextOptions): Promise<FetchTextResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const ctl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, o.timeoutMs);
  const onOuterAbort = () => ctl.abort();
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const headers: Record<string, string> = { accept: o.accept ?? 'text/plain; version=0.0.4, */*;q=0.1' };
  if (o.apiKey) headers.authorization = `Bearer ${o.apiKey}`;
  try {
    const res = await fetchImpl(url, { signal: ctl.signal, headers, redirect: 'follow' });
    const status = res.status;
    if (status === 401 || status === 403) {
      await res.body?.cancel().catch(() => {});
      return {
        ok: false,
        kind: 'unauthorized',
        status,
        ms: ms(),
        message: `${url} answered ${status}: an API key is needed (or the one given is wrong)`,
      };
    }
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > o.maxBytes) {
      ctl.abort();
      await res.body?.cancel().catch(() => {});
      return {
        ok: false,
        kind: 'too_large',
        status,
        ms: ms(),
        message: `${url} sent a ${mib(declared)} response; the limit is ${mib(o.maxBytes)}, so it was not read`,
      };
    }
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        if (bytes > o.maxBytes) {
          ctl.abort();
          await reader.cancel().catch(() => {});
          return {
            ok: false,
            kind: 'too_large',
            status,
            ms: ms(),
            message: `${url} sent more than ${mib(o.maxBytes)}; the response was cut off there and not parsed`,
          };
        }
        chunks.push(value);
      }
    }
    const buf = new Uint8Array(bytes);
    let off = 0;
    for (const c of chunks) {
      buf.set(c, off);
      off += c.byteLength;
    }
    const text = new TextDecoder('utf-8').decode(buf);
    if (status < 200 || status >= 300) {
      return {
        ok: false,
        kind: 'http',
        status,
        ms: ms(),
        message: `${url} answered HTTP ${status}${text ? `: ${text.slice(0, 200).trim()}` : ''}`,
      };
    }
    return { ok: true, status, text, bytes, ms: ms(), contentType: res.headers.get('content-type') };
  } catch (err) {
    if (o.signal?.aborted && !timedOut) return { ok: false, kind: 'network', ms: ms(), message: 'scrape cancelled' };
    return { ok: false, ms: ms(), ...classifyFetchError(err, timedOut, url, o.timeoutMs) };
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** `http://host:8000/` or `host:8000` → `http://host:8000` (no trailing slash, scheme added). */
export function normaliseBaseUrl(input: string): string {
  let s = input.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `http://${s}`;
  const u = new URL(s);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`only http and https URLs can be scraped (got ${u.protocol})`);
  // A user pasting the metrics URL itself means the server.
  let path = u.pathname.replace(/\/+$/, '');
  if (path.endsWith('/metrics')) path = path.slice(0, -'/metrics'.length);
  if (path.endsWith('/v1')) path = path.slice(0, -'/v1'.length);
  return `${u.protocol}//${u.host}${path}`;
}

/** Whether a URL points at this machine (then its GPUs are the server's GPUs). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const h = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return h === 'localhost' || h === '::1' || h.startsWith('127.') || h === '0.0.0.0';
  } catch {
    return false;
  }
}

// One connection per server, reused between scrapes (vLLM's uvicorn keeps it open for 5 s; the
// default 1 s interval is well inside that).
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 4 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 4 });

/** fetchText's contract over node:http(s). */
export const httpGetText: TextGetter = (url, o) => {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  return new Promise<FetchTextResult>((resolve) => {
    let settled = false;
    let timedOut = false;
    let res: IncomingMessage | undefined;
    const done = (r: FetchTextResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    let u: URL;
    try {
      u = new URL(url);
    } catch (err) {
      resolve({ ok: false, kind: 'network', ms: 0, message: `${url}: ${(err as Error).message}` });
      return;
    }
    const https = u.protocol === 'https:';
    const headers: Record<string, string> = { accept: o.accept ?? 'text/plain; version=0.0.4, */*;q=0.1' };
    if (o.apiKey) headers.authorization = `Bearer ${o.apiKey}`;
    const req = (https ? httpsRequest : httpRequest)(u, { method: 'GET', headers, agent: https ? httpsAgent : httpAgent });
    const fail = (err: unknown) => {
      if (o.signal?.aborted && !timedOut) done({ ok: false, kind: 'network', ms: ms(), message: 'scrape cancelled' });
      else done({ ok: false, ms: ms(), ...classifyFetchError(err, timedOut, url, o.timeoutMs) });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error('timeout'));
      res?.destroy();
      done({ ok: false, ms: ms(), ...classifyFetchError(undefined, true, url, o.timeoutMs) });
    }, o.timeoutMs);
    const onAbort = () => {
      req.destroy(new Error('aborted'));
      done({ ok: false, kind: 'network', ms: ms(), message: 'scrape cancelled' });
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.on('response', (r) => {
      res = r;
      const status = r.statusCode ?? 0;
      if (status === 401 || status === 403) {
        r.resume();
        done({
          ok: false,
          kind: 'unauthorized',
          status,
          ms: ms(),
          message: `${url} answered ${status}: an API key is needed (or the one given is wrong)`,
        });
        return;
      }
      const declared = Number(r.headers['content-length']);
      if (Number.isFinite(declared) && declared > o.maxBytes) {
        req.destroy();
        done({
          ok: false,
          kind: 'too_large',
          status,
          ms: ms(),
          message: `${url} sent a ${mib(declared)} response; the limit is ${mib(o.maxBytes)}, so it was not read`,
        });
        return;
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      r.on('data', (c: Buffer) => {
        bytes += c.length;
        if (bytes > o.maxBytes) {
          req.destroy();
          done({
            ok: false,
            kind: 'too_large',
            status,
            ms: ms(),
            message: `${url} sent more than ${mib(o.maxBytes)}; the response was cut off there and not parsed`,
          });
          return;
        }
        chunks.push(c);
      });
      r.on('error', fail);
      r.on('aborted', () => fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
      r.on('end', () => {
        if (!r.complete) {
          fail(Object.assign(new Error('incomplete'), { code: 'ECONNRESET' }));
          return;
        }
        const text = Buffer.concat(chunks, bytes).toString('utf8');
        if (status < 200 || status >= 300) {
          done({
            ok: false,
            kind: 'http',
            status,
            ms: ms(),
            message: `${url} answered HTTP ${status}${text ? `: ${text.slice(0, 200).trim()}` : ''}`,
          });
          return;
        }
        const ct = r.headers['content-type'];
        done({ ok: true, status, text, bytes, ms: ms(), contentType: typeof ct === 'string' ? ct : null });
      });
    });
    req.end();
  });
};

/** The fetch-based getter (an injected fetch: tests, or a shell that wants its own). */
export const fetchGetter =
  (fetchImpl: typeof fetch): TextGetter =>
  (url, o) =>
    fetchText(fetchImpl, url, o);
