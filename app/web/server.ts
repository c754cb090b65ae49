// The web shell: serves the built renderer over HTTP and carries the core's API over one
// authenticated WebSocket (protocol: app/contract/wire.ts). Used by `vllm-panel web` and the e2e
// tests. Security model (DESIGN.md): bind 127.0.0.1 by default, a random token required on every
// request (start URL → HttpOnly cookie), Origin checked on the WebSocket, no token-less
// non-loopback binds.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { ClientMessage, type ServerMessage, TOKEN_QUERY, WS_PATH } from '../contract/wire';
import type { Core } from '../host/core';
import {
  generateToken,
  hostAllowed,
  isLoopbackHost,
  isWildcardHost,
  originAllowed,
  parseCookies,
  securityHeaders,
  TOKEN_PATTERN,
  tokenCookieName,
  tokensEqual,
  urlHost,
} from './security';
import { lookupStatic } from './static-files';

/** WebSocket close codes the web shell uses (4xxx: application codes, mirroring HTTP statuses). */
export const WS_CLOSE = {
  /** Shell stopping (RFC 6455 "going away"). */
  goingAway: 1001,
  /** Too many messages that are not valid JSON / not a ClientMessage (RFC 6455 "unsupported data"). */
  unsupportedData: 1003,
  /** Message larger than maxPayload; sent by `ws` itself (RFC 6455 "message too big"). */
  tooBig: 1009,
  /** The client stopped reading and its queue passed maxBufferedBytes (RFC 6455 "try again later"). */
  tooSlow: 1013,
  /** No valid token (cookie or ?token=). */
  unauthorized: 4401,
  /** Origin missing or not this shell's own. */
  forbiddenOrigin: 4403,
} as const;

/** What the web shell needs from the core (a real `Core` in production, fakes welcome in tests). */
export type WebShellCore = Pick<Core, 'invokeUntrusted' | 'subscribe'> & {
  readonly context: { readonly deps: { readonly version: string } };
};

export interface WebShellOptions {
  core: WebShellCore;
  /** Interface to bind. Default 127.0.0.1 (this machine only). */
  host?: string;
  /** Default 7860. 0 picks a free port (tests). */
  port?: number;
  /**
   * undefined: a fresh random token (the default). A string: that token (TOKEN_PATTERN).
   * null: no token at all — allowed only on a loopback host; anything else throws.
   */
  token?: string | null;
  /** The built renderer (dist/renderer); must contain index.html. */
  staticDir: string;
  /** Largest client message accepted; bigger ones close the socket with 1009. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** A client whose unsent queue exceeds this is dropped (1013) instead of growing memory. Default 8 MiB. */
  maxBufferedBytes?: number;
  /** Malformed messages tolerated per socket before it is closed with 1003. Default 5. */
  maxBadMessages?: number;
  /** Ping interval; a socket that missed the previous pong is terminated. Default 30 s. */
  heartbeatMs?: number;
}

export interface WebShell {
  /** The start URL, with ?token= (print this; it is what the user opens). */
  url: string;
  /** http://host:port without the token. */
  origin: string;
  host: string;
  port: number;
  token: string | null;
  /** Authenticated WebSockets currently connected. */
  clientCount(): number;
  /** Closes every socket and the HTTP server. Does not dispose the core (its owner does). */
  close(): Promise<void>;
}

// 1 MiB: the largest command argument (a chat with long messages, an imported launch script) is far
// smaller; anything bigger is a bug or abuse.
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
// 8 MiB: a few seconds of a busy log stream; a tab that falls this far behind is stuck or gone, and
// on reconnect it reloads state anyway.
const DEFAULT_MAX_BUFFERED = 8 * 1024 * 1024;
const DEFAULT_MAX_BAD = 5;
// 30 s: the usual WebSocket keep-alive; catches tabs whose network vanished without a FIN.
const DEFAULT_HEARTBEAT_MS = 30_000;
// How long close() waits for clients to answer the close frame before cutting them off.
const CLOSE_GRACE_MS = 1000;

const UNAUTHORIZED_TEXT =
  'vLLM Panel needs its access token.\n\n' +
  'Open the URL printed in the terminal where `vllm-panel web` (or `npm start`) is running;\n' +
  'it ends in ?token=… After the first visit this browser remembers it until the panel restarts.\n';

interface Client {
  ws: WebSocket;
  bad: number;
  alive: boolean;
}

function describeListenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  if (err.code === 'EADDRINUSE')
    return new Error(`port ${port} on ${host} is already in use; pick another with --port (0 picks a free one)`);
  if (err.code === 'EACCES')
    return new Error(`not allowed to listen on ${host}:${port}; ports below 1024 need privileges, pick another with --port`);
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
    return new Error(`cannot listen on ${host}: no such address on this machine (check --host)`);
  return new Error(`cannot listen on ${host}:${port}: ${err.message}`);
}

function splitUrl(raw: string): { pathname: string; query: URLSearchParams } | undefined {
  // Parsed by hand rather than with new URL(raw, base): a request target like `//evil.example/`
  // must stay a path on this server, never become a host.
  if (!raw.startsWith('/')) return undefined;
  const q = raw.indexOf('?');
  return q < 0
    ? { pathname: raw, query: new URLSearchParams() }
    : { pathname: raw.slice(0, q), query: new URLSearchParams(raw.slice(q + 1)) };
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Starts the web shell; resolves once it listens. */
export async function startWebShell(opts: WebShellOptions): Promise<WebShell> {
  const host = opts.host ?? '127.0.0.1';
  const requestedPort = opts.port ?? 7860;
  const maxPayload = opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD;
  const maxBuffered = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
  const maxBad = opts.maxBadMessages ?? DEFAULT_MAX_BAD;
  const heartbeatMs = opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const { core } = opts;

  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) throw new Error(`invalid port ${requestedPort}`);
  let token: string | null;
  if (opts.token === null) {
    if (!isLoopbackHost(host)) {
      throw new Error(
        `refusing to serve on ${host} without a token: anyone who can reach that address could start and stop processes on this machine. Keep the token, or bind 127.0.0.1 and use an SSH tunnel.`,
      );
    }
    token = null;
  } else if (opts.token === undefined) {
    token = generateToken();
  } else {
    if (!TOKEN_PATTERN.test(opts.token)) throw new Error('the token must be 16–256 characters of A–Z, a–z, 0–9, . _ ~ -');
    token = opts.token;
  }

  let root: string;
  try {
    root = await realpath(opts.staticDir);
    if (!(await stat(join(root, 'index.html'))).isFile()) throw new Error('index.html is not a file');
  } catch {
    throw new Error(`the built UI is missing: ${join(opts.staticDir, 'index.html')} not found (run \`npm run build\`)`);
  }

  const clients = new Set<Client>();
  const wss = new WebSocketServer({ noServer: true, maxPayload, clientTracking: true });
  let port = requestedPort;
  let cookieName = tokenCookieName(port);
  let closing = false;

  function authorized(req: IncomingMessage, query: URLSearchParams | undefined): boolean {
    if (token === null) return true;
    const q = query?.get(TOKEN_QUERY);
    if (q != null && tokensEqual(q, token)) return true;
    const c = parseCookies(req.headers.cookie).get(cookieName);
    return c !== undefined && tokensEqual(c, token);
  }

  function sendText(
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    text: string,
    extra: Record<string, string> = {},
  ) {
    res.writeHead(status, {
      ...headers,
      ...extra,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(text)),
      'Cache-Control': 'no-store',
    });
    res.end(res.req.method === 'HEAD' ? undefined : text);
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const hostHeader = req.headers.host;
    const headers = securityHeaders(hostHeader);
    if (!hostAllowed(host, hostHeader)) {
      const text = isLoopbackHost(host)
        ? `This vLLM Panel only answers to local addresses. Open the URL printed in the terminal (http://127.0.0.1:${port}/?token=…).\n`
        : 'Bad Host header\n';
      return sendText(res, 403, headers, text);
    }
    const parts = splitUrl(req.url ?? '');
    if (!parts) return sendText(res, 400, headers, 'Bad request\n');

    if (token !== null) {
      const given = parts.query.get(TOKEN_QUERY);
      if (given !== null) {
        if (!tokensEqual(given, token)) return sendText(res, 401, headers, UNAUTHORIZED_TEXT);
        // Move the token from the URL (history, screenshots, Referer) into an HttpOnly cookie.
        parts.query.delete(TOKEN_QUERY);
        const search = parts.query.toString();
        const location = `/${parts.pathname.replace(/^\/+/, '')}${search ? `?${search}` : ''}`;
        res.writeHead(302, {
          ...headers,
          Location: location,
          'Set-Cookie': `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict`,
          'Cache-Control': 'no-store',
          'Content-Length': '0',
        });
        res.end();
        return;
      }
      if (!authorized(req, undefined)) return sendText(res, 401, headers, UNAUTHORIZED_TEXT);
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, headers, 'Method not allowed\n', { Allow: 'GET, HEAD' });

    const found = await lookupStatic(root, parts.pathname);
    if (found.kind === 'bad_request') return sendText(res, 400, headers, 'Bad request\n');
    if (found.kind === 'not_found') return sendText(res, 404, headers, 'Not found\n');
    const isHtml = found.contentType.startsWith('text/html');
    // Vite puts content-hashed files under assets/: safe to cache for good; everything else
    // (index.html above all) is revalidated so a rebuilt UI shows up on reload.
    const cache = isHtml ? 'no-store' : parts.pathname.startsWith('/assets/') ? 'private, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, { ...headers, 'Content-Type': found.contentType, 'Content-Length': String(found.size), 'Cache-Control': cache });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(found.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  const server = createServer((req, res) => {
    handleRequest(req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, securityHeaders(undefined), 'Internal error\n');
      else res.destroy();
    });
  });

  function dropClient(c: Client, code: number, reason: string): void {
    clients.delete(c);
    c.ws.close(code, reason);
    // A stuck reader never takes the close frame off the queue either: cut it off shortly after.
    setTimeout(() => c.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  function send(c: Client, msg: ServerMessage | string): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    // Checked before queueing, so one big answer to a tab that keeps up still goes through.
    if (c.ws.bufferedAmount > maxBuffered) {
      dropClient(c, WS_CLOSE.tooSlow, 'client too slow; reconnect to resync');
      return;
    }
    c.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  function badMessage(c: Client): void {
    c.bad += 1;
    if (c.bad >= maxBad) dropClient(c, WS_CLOSE.unsupportedData, 'too many malformed messages');
  }

  async function dispatch(c: Client, msg: ClientMessage): Promise<void> {
    let frame: string;
    try {
      const result = await core.invokeUntrusted(msg.channel, msg.arg);
      frame = JSON.stringify({ t: 'result', id: msg.id, ...result });
    } catch (err) {
      // invokeUntrusted never throws by contract; a value JSON cannot encode (BigInt, a cycle) can.
      const message = err instanceof Error ? err.message : String(err);
      frame = JSON.stringify({ t: 'result', id: msg.id, ok: false, error: { kind: 'internal', message, remedies: [] } });
    }
    send(c, frame);
  }

  function onMessage(c: Client, data: RawData, isBinary: boolean): void {
    let json: unknown;
    try {
      json = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      json = undefined;
    }
    const parsed = ClientMessage.safeParse(json);
    if (!parsed.success) {
      badMessage(c);
      return;
    }
    void dispatch(c, parsed.data);
  }

  function onConnection(ws: WebSocket, req: IncomingMessage, query: URLSearchParams): void {
    ws.on('error', () => {
      // ws closes the socket itself after protocol errors (e.g. 1009 for an oversized message).
    });
    // Close codes go out before any data: a refused socket never sees `hello`.
    const refusal = closing
      ? ([WS_CLOSE.goingAway, 'vLLM Panel web shell stopping'] as const)
      : !originAllowed(host, req.headers.origin, req.headers.host)
        ? ([WS_CLOSE.forbiddenOrigin, 'origin not allowed'] as const)
        : !authorized(req, query)
          ? ([WS_CLOSE.unauthorized, 'not signed in: open the URL printed in the terminal'] as const)
          : undefined;
    if (refusal) {
      ws.close(refusal[0], refusal[1]);
      return;
    }
    const c: Client = { ws, bad: 0, alive: true };
    clients.add(c);
    ws.on('pong', () => {
      c.alive = true;
    });
    ws.on('message', (data, isBinary) => onMessage(c, data, isBinary));
    ws.on('close', () => clients.delete(c));
    send(c, { t: 'hello', version: core.context.deps.version });
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const parts = splitUrl(req.url ?? '');
    if (!hostAllowed(host, req.headers.host)) return rejectUpgrade(socket, 403, 'Forbidden');
    if (!parts || parts.pathname !== WS_PATH) return rejectUpgrade(socket, 404, 'Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req, parts.query));
  });

  // One subscription for all sockets: each event is encoded once.
  const unsubscribe = core.subscribe((event) => {
    if (clients.size === 0) return;
    let frame: string;
    try {
      frame = JSON.stringify({ t: 'event', channel: event.channel, payload: event.payload });
    } catch {
      return;
    }
    for (const c of [...clients]) send(c, frame);
  });

  const heartbeat = setInterval(() => {
    for (const c of [...clients]) {
      if (!c.alive) {
        clients.delete(c);
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, heartbeatMs);
  heartbeat.unref();

  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => reject(describeListenError(err, host, requestedPort));
      server.once('error', onError);
      server.listen(requestedPort, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
  } catch (err) {
    clearInterval(heartbeat);
    unsubscribe();
    wss.close();
    throw err;
  }
  const addr = server.address();
  if (addr && typeof addr === 'object') port = addr.port;
  cookieName = tokenCookieName(port);

  // A wildcard bind is reachable locally too; print a URL that works on this machine.
  const shownHost = isWildcardHost(host) ? (host.includes(':') ? '::1' : '127.0.0.1') : host;
  const origin = `http://${urlHost(shownHost)}:${port}`;
  const url = token === null ? `${origin}/` : `${origin}/?${TOKEN_QUERY}=${token}`;

  let closed: Promise<void> | undefined;
  return {
    url,
    origin,
    host,
    port,
    token,
    clientCount: () => clients.size,
    close() {
      closed ??= (async () => {
        closing = true;
        clearInterval(heartbeat);
        unsubscribe();
        const sockets = [...wss.clients];
        const allClosed = Promise.all(
          sockets.map((ws) => (ws.readyState === WebSocket.CLOSED ? undefined : new Promise<void>((r) => ws.once('close', () => r())))),
        );
        for (const ws of sockets) ws.close(WS_CLOSE.goingAway, 'vLLM Panel web shell stopped');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([allClosed, new Promise<void>((r) => (timer = setTimeout(r, CLOSE_GRACE_MS)))]);
        clearTimeout(timer);
        for (const ws of wss.clients) ws.terminate();
        clients.clear();
        wss.close();
        const serverClosed = new Promise<void>((r) => server.close(() => r()));
        server.closeAllConnections();
        await serverClosed;
      })();
      return closed;
    },
  };
}
