import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_PATH } from '../contract/wire';
import type { Core } from '../host/core';
import { makeTestCore } from '../test-support/core';
import { hostAllowed, originAllowed, parseCookies, tokenCookieName, tokensEqual } from './security';
import { startWebShell, type WebShell, type WebShellOptions, WS_CLOSE } from './server';

const INDEX_HTML = '<!doctype html><html><body><div id="root" data-testid="fake-app">APP-MARKER</div></body></html>';
const SECRET = 'TOP-SECRET-OUTSIDE-ROOT';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP GET: the path goes out exactly as given (fetch would normalise `..`). */
function rawGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface WsProbe {
  ws: WebSocket;
  messages: Array<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  opened: Promise<void>;
  next(pred: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

function connect(port: number, opts: { origin?: string; cookie?: string; query?: string; host?: string } = {}): WsProbe {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.Cookie = opts.cookie;
  if (opts.host) headers.Host = opts.host;
  const ws = new WebSocket(`ws://127.0.0.1:${port}${WS_PATH}${opts.query ?? ''}`, {
    headers,
    ...(opts.origin ? { origin: opts.origin } : {}),
  });
  const messages: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
    for (const w of [...waiters]) w();
  });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => reject(new Error('closed before open')));
  });
  opened.catch(() => {});
  return {
    ws,
    messages,
    closed,
    opened,
    next(pred, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = messages.find(pred);
          if (m) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching message; got ${JSON.stringify(messages).slice(0, 300)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

let dir: string;
let staticDir: string;
let core: Core;
let cleanupCore: () => Promise<void>;
const shells: WebShell[] = [];

async function start(opts: Partial<WebShellOptions> = {}): Promise<WebShell> {
  const shell = await startWebShell({ core, staticDir, port: 0, ...opts });
  shells.push(shell);
  return shell;
}

function cookieFor(shell: WebShell, token = shell.token ?? ''): string {
  return `${tokenCookieName(shell.port)}=${token}`;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vllm-panel-web-'));
  staticDir = join(dir, 'renderer');
  await mkdir(join(staticDir, 'assets'), { recursive: true });
  await writeFile(join(staticDir, 'index.html'), INDEX_HTML);
  await writeFile(join(staticDir, 'assets', 'app-1234.js'), 'console.log("app")');
  await writeFile(join(staticDir, 'assets', 'app-1234.css'), 'body{}');
  await writeFile(join(staticDir, '.env'), SECRET);
  await writeFile(join(dir, 'secret.txt'), SECRET);
  await symlink(join(dir, 'secret.txt'), join(staticDir, 'assets', 'link.txt'));
  ({ core, cleanup: cleanupCore } = await makeTestCore());
});

afterEach(async () => {
  for (const s of shells.splice(0)) await s.close();
  await cleanupCore();
  await rm(dir, { recursive: true, force: true });
});

describe('web shell HTTP: token', () => {
  it('answers 401 without a token, with a hint and no app content', async () => {
    const shell = await start();
    const r = await rawGet(shell.port, '/');
    expect(r.status).toBe(401);
    expect(r.body).toContain('URL printed in the terminal');
    expect(r.body).not.toContain('APP-MARKER');
    for (const path of ['/assets/app-1234.js', '/index.html', '/anything']) {
      const a = await rawGet(shell.port, path);
      expect(a.status).toBe(401);
      expect(a.body).not.toContain('console.log');
    }
  });

  it('turns ?token= into an HttpOnly SameSite=Strict cookie and redirects to the clean URL', async () => {
    const shell = await start();
    expect(shell.url).toBe(`http://127.0.0.1:${shell.port}/?token=${shell.token}`);
    expect(shell.token).toMatch(/^[0-9a-f]{64}$/);
    const r = await rawGet(shell.port, `/?token=${shell.token}`);
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('/');
    const setCookie = String(r.headers['set-cookie']);
    expect(setCookie).toContain(`${tokenCookieName(shell.port)}=${shell.token}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(r.body).toBe('');

    const deep = await rawGet(shell.port, `/a/b?x=1&token=${shell.token}&y=2`);
    expect(deep.status).toBe(302);
    expect(deep.headers.location).toBe('/a/b?x=1&y=2');
    // A request target that looks protocol-relative must not redirect off-site.
    const pr = await rawGet(shell.port, `//evil.example/?token=${shell.token}`);
    expect(pr.headers.location).toBe('/evil.example/');
  });

  it('serves the app with the cookie, with content types and security headers', async () => {
    const shell = await start();
    const cookie = cookieFor(shell);
    const r = await rawGet(shell.port, '/', { Cookie: `other=1; ${cookie}` });
    expect(r.status).toBe(200);
    expect(r.body).toBe(INDEX_HTML);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`ws://127.0.0.1:${shell.port}`);
    expect(csp).not.toContain("'unsafe-eval'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');

    const js = await rawGet(shell.port, '/assets/app-1234.js', { Cookie: cookie });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    const css = await rawGet(shell.port, '/assets/app-1234.css', { Cookie: cookie });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await rawGet(shell.port, '/assets/app-1234.js', { Cookie: cookie }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('refuses a wrong token in the query or the cookie, and a cookie for another port', async () => {
    const shell = await start();
    expect((await rawGet(shell.port, '/?token=wrong')).status).toBe(401);
    expect((await rawGet(shell.port, `/?token=${shell.token}x`)).status).toBe(401);
    expect((await rawGet(shell.port, '/', { Cookie: cookieFor(shell, 'x'.repeat(64)) })).status).toBe(401);
    expect((await rawGet(shell.port, '/', { Cookie: `${tokenCookieName(shell.port + 1)}=${shell.token}` })).status).toBe(401);
  });

  it('uses a token it is given, and refuses a weak one', async () => {
    const shell = await start({ token: 'my-own-token-0123456789' });
    expect(shell.url.endsWith('?token=my-own-token-0123456789')).toBe(true);
    expect((await rawGet(shell.port, '/', { Cookie: cookieFor(shell, 'my-own-token-0123456789') })).status).toBe(200);
    await expect(start({ token: 'short' })).rejects.toThrow(/16–256/);
    await expect(start({ token: 'has space in it 0123456789' })).rejects.toThrow(/16–256/);
  });

  it('falls back to index.html for app routes, 404s unknown assets, 405s other methods', async () => {
    const shell = await start();
    const cookie = cookieFor(shell);
    const spa = await rawGet(shell.port, '/launch/gpus', { Cookie: cookie });
    expect(spa.status).toBe(200);
    expect(spa.body).toBe(INDEX_HTML);
    expect((await rawGet(shell.port, '/assets/missing.js', { Cookie: cookie })).status).toBe(404);
    const post = await rawGet(shell.port, '/', { Cookie: cookie }, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('blocks directory traversal, encoded or not, dotfiles and symlinks out of the root', async () => {
    const shell = await start();
    const cookie = cookieFor(shell);
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%5csecret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/%00/../secret.txt',
      '/%E0%A4%A',
      '/.env',
      '/assets/link.txt',
      `/${'..%2f'.repeat(8)}etc/passwd`,
    ];
    for (const path of attempts) {
      const r = await rawGet(shell.port, path, { Cookie: cookie });
      expect([400, 404], `${path} → ${r.status}`).toContain(r.status);
      expect(r.body).not.toContain(SECRET);
      expect(r.body).not.toContain('root:');
    }
  });

  it('refuses a Host that is not loopback when bound to loopback (DNS rebinding)', async () => {
    const shell = await start();
    const r = await rawGet(shell.port, '/', { Host: `evil.example:${shell.port}`, Cookie: cookieFor(shell) });
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('APP-MARKER');
    expect((await rawGet(shell.port, '/', { Host: `localhost:${shell.port}`, Cookie: cookieFor(shell) })).status).toBe(200);
  });
});

describe('web shell: start-up rules', () => {
  it('refuses a non-loopback host without a token', async () => {
    await expect(start({ host: '0.0.0.0', token: null })).rejects.toThrow(/refusing to serve on 0\.0\.0\.0 without a token/);
    await expect(start({ host: '192.0.2.1', token: null })).rejects.toThrow(/without a token/);
  });

  it('allows no token on loopback when asked explicitly', async () => {
    const shell = await start({ token: null });
    expect(shell.token).toBeNull();
    expect(shell.url).toBe(`http://127.0.0.1:${shell.port}/`);
    expect((await rawGet(shell.port, '/')).status).toBe(200);
  });

  it('fails clearly when the UI is not built or the port is taken', async () => {
    await expect(start({ staticDir: join(dir, 'nope') })).rejects.toThrow(/npm run build/);
    const first = await start();
    await expect(start({ port: first.port })).rejects.toThrow(new RegExp(`port ${first.port} .* already in use`));
  });
});

describe('web shell WebSocket', () => {
  it('refuses a foreign Origin even with a valid cookie, before any data', async () => {
    const shell = await start();
    const cookie = cookieFor(shell);
    for (const origin of [`http://evil.example:${shell.port}`, 'http://127.0.0.1:1', 'null', `ftp://127.0.0.1:${shell.port}`]) {
      const p = connect(shell.port, { origin, cookie });
      const { code } = await p.closed;
      expect(code, origin).toBe(WS_CLOSE.forbiddenOrigin);
      expect(p.messages).toEqual([]);
    }
    const noOrigin = connect(shell.port, { cookie });
    expect((await noOrigin.closed).code).toBe(WS_CLOSE.forbiddenOrigin);
    expect(shell.clientCount()).toBe(0);
  });

  it('refuses a socket without a token (4401) and accepts cookie or ?token=', async () => {
    const shell = await start();
    const origin = `http://127.0.0.1:${shell.port}`;
    const anon = connect(shell.port, { origin });
    expect((await anon.closed).code).toBe(WS_CLOSE.unauthorized);
    expect(anon.messages).toEqual([]);
    const wrong = connect(shell.port, { origin, cookie: cookieFor(shell, 'nope-nope-nope-nope') });
    expect((await wrong.closed).code).toBe(WS_CLOSE.unauthorized);

    const viaCookie = connect(shell.port, { origin, cookie: cookieFor(shell) });
    expect(await viaCookie.next((m) => m.t === 'hello')).toEqual({ t: 'hello', version: '0.0.0-test' });
    const viaQuery = connect(shell.port, { origin, query: `?token=${shell.token}` });
    expect((await viaQuery.next((m) => m.t === 'hello')).t).toBe('hello');
    expect(shell.clientCount()).toBe(2);
  });

  it('treats localhost and 127.0.0.1 as the same origin, and accepts a tunnel on another port', async () => {
    const shell = await start();
    const p = connect(shell.port, { origin: `http://localhost:${shell.port}`, host: `localhost:${shell.port}`, cookie: cookieFor(shell) });
    expect((await p.next((m) => m.t === 'hello')).t).toBe('hello');
    // ssh -L 9999:127.0.0.1:PORT: the browser sends Host and Origin for localhost:9999.
    const tunnel = connect(shell.port, { origin: 'http://localhost:9999', host: 'localhost:9999', cookie: cookieFor(shell) });
    expect((await tunnel.next((m) => m.t === 'hello')).t).toBe('hello');
  });

  it('round-trips commands through the real core and forwards its events to every socket', async () => {
    const shell = await start();
    const opts = { origin: `http://127.0.0.1:${shell.port}`, cookie: cookieFor(shell) };
    const a = connect(shell.port, opts);
    const b = connect(shell.port, opts);
    await Promise.all([a.next((m) => m.t === 'hello'), b.next((m) => m.t === 'hello')]);

    a.ws.send(JSON.stringify({ t: 'invoke', id: 1, channel: 'app:info' }));
    const info = await a.next((m) => m.t === 'result' && m.id === 1);
    expect(info).toMatchObject({ ok: true, value: { name: 'vLLM Panel', version: '0.0.0-test', shell: 'test' } });

    a.ws.send(JSON.stringify({ t: 'invoke', id: 2, channel: 'settings:update', arg: { theme: 'light' } }));
    expect(await a.next((m) => m.t === 'result' && m.id === 2)).toMatchObject({ ok: true, value: { theme: 'light' } });
    // The other tab learns about it through the pushed event.
    expect(await b.next((m) => m.t === 'event' && m.channel === 'settings')).toMatchObject({ payload: { theme: 'light' } });
    // Results go only to the socket that asked.
    expect(b.messages.some((m) => m.t === 'result')).toBe(false);

    a.ws.send(JSON.stringify({ t: 'invoke', id: 3, channel: 'settings:update', arg: { theme: 'purple' } }));
    expect(await a.next((m) => m.id === 3)).toMatchObject({ ok: false, error: { kind: 'invalid_argument', field: 'theme' } });
    a.ws.send(JSON.stringify({ t: 'invoke', id: 4, channel: 'fs:readFile', arg: '/etc/passwd' }));
    expect(await a.next((m) => m.id === 4)).toMatchObject({ ok: false, error: { kind: 'unknown_channel' } });

    core.context.emit('notice', { level: 'info', message: 'hi from core', at: 1 });
    expect(await b.next((m) => m.t === 'event' && m.channel === 'notice')).toMatchObject({ payload: { message: 'hi from core' } });
  });

  it('ignores a few malformed messages, then closes with 1003', async () => {
    const shell = await start({ maxBadMessages: 3 });
    const p = connect(shell.port, { origin: `http://127.0.0.1:${shell.port}`, cookie: cookieFor(shell) });
    await p.next((m) => m.t === 'hello');
    p.ws.send('not json');
    p.ws.send(JSON.stringify({ t: 'invoke', id: -1, channel: 'app:info' }));
    // Still serving after two bad messages.
    p.ws.send(JSON.stringify({ t: 'invoke', id: 7, channel: 'app:info' }));
    expect(await p.next((m) => m.id === 7)).toMatchObject({ ok: true });
    p.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await p.closed).code).toBe(WS_CLOSE.unsupportedData);
  });

  it('closes a socket that sends a message over maxPayload with 1009', async () => {
    const shell = await start({ maxPayloadBytes: 64 * 1024 });
    const p = connect(shell.port, { origin: `http://127.0.0.1:${shell.port}`, cookie: cookieFor(shell) });
    await p.next((m) => m.t === 'hello');
    p.ws.send(JSON.stringify({ t: 'invoke', id: 1, channel: 'app:info', arg: 'x'.repeat(100 * 1024) }));
    expect((await p.closed).code).toBe(WS_CLOSE.tooBig);
    expect(p.messages.some((m) => m.t === 'result')).toBe(false);
  });

  it('drops a client that stops reading instead of buffering without bound, and keeps the others', async () => {
    const shell = await start({ maxBufferedBytes: 1024 * 1024 });
    const opts = { origin: `http://127.0.0.1:${shell.port}`, cookie: cookieFor(shell) };
    const slow = connect(shell.port, opts);
    const fast = connect(shell.port, opts);
    await Promise.all([slow.next((m) => m.t === 'hello'), fast.next((m) => m.t === 'hello')]);
    // Stop reading on the slow client: the kernel buffers fill, then the server's queue grows.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'x'.repeat(64 * 1024);
    const total = 600; // ~38 MiB: far past the kernel buffers and the 1 MiB limit
    for (let i = 0; i < total && shell.clientCount() === 2; i++) {
      core.context.emit('notice', { level: 'info', message: big, at: i });
      await tick();
    }
    expect(shell.clientCount()).toBe(1);
    core.context.emit('notice', { level: 'info', message: 'after the drop', at: -1 });
    expect(await fast.next((m) => m.t === 'event' && (m.payload as { message: string }).message === 'after the drop')).toBeTruthy();
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const { code } = await slow.closed;
    // The close frame sits behind the backlog; the server cuts the socket a moment later (1006).
    expect([WS_CLOSE.tooSlow, 1006]).toContain(code);
  });

  it('rejects upgrades on other paths and from non-loopback Host names', async () => {
    const shell = await start();
    const other = new WebSocket(`ws://127.0.0.1:${shell.port}/elsewhere`, { origin: `http://127.0.0.1:${shell.port}` });
    const status = await new Promise<number>((resolve) => other.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(404);
    other.on('error', () => {});
    const rebind = connect(shell.port, {
      origin: `http://evil.example:${shell.port}`,
      host: `evil.example:${shell.port}`,
      cookie: cookieFor(shell),
    });
    await rebind.closed;
    expect(rebind.messages).toEqual([]);
  });

  it('close() closes open sockets (1001) and stops listening', async () => {
    const shell = await start();
    const p = connect(shell.port, { origin: `http://127.0.0.1:${shell.port}`, cookie: cookieFor(shell) });
    await p.next((m) => m.t === 'hello');
    await shell.close();
    expect((await p.closed).code).toBe(WS_CLOSE.goingAway);
    await expect(rawGet(shell.port, '/')).rejects.toThrow(/ECONNREFUSED/);
    // Events after close go nowhere (the subscription is gone) and do not throw.
    core.context.emit('notice', { level: 'info', message: 'late', at: 0 });
  });
});

describe('web shell security helpers', () => {
  it('compares tokens in constant time without length tricks', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('', 'abc')).toBe(false);
    expect(tokensEqual('abcabc', 'abc')).toBe(false);
  });

  it('parses cookies', () => {
    const c = parseCookies('a=1; b="two";  c = 3 ; bad; a=again');
    expect(c.get('a')).toBe('1');
    expect(c.get('b')).toBe('two');
    expect(c.get('c')).toBe('3');
    expect(c.has('bad')).toBe(false);
  });

  it('decides Host and Origin like a same-origin check, loopback-only on a loopback bind', () => {
    expect(hostAllowed('127.0.0.1', '127.0.0.1:7860')).toBe(true);
    expect(hostAllowed('127.0.0.1', '[::1]:7860')).toBe(true);
    expect(hostAllowed('127.0.0.1', 'gpu-box.lan:7860')).toBe(false);
    expect(hostAllowed('0.0.0.0', 'gpu-box.lan:7860')).toBe(true);
    expect(hostAllowed('0.0.0.0', undefined)).toBe(false);
    expect(hostAllowed('0.0.0.0', 'a b')).toBe(false);
    expect(originAllowed('127.0.0.1', 'http://localhost:7860', 'localhost:7860')).toBe(true);
    expect(originAllowed('127.0.0.1', 'http://127.0.0.1:7860', '127.0.0.1:7860')).toBe(true);
    expect(originAllowed('127.0.0.1', 'http://127.0.0.1:3000', '127.0.0.1:7860')).toBe(false);
    expect(originAllowed('0.0.0.0', 'http://gpu-box.lan:7860', 'gpu-box.lan:7860')).toBe(true);
    expect(originAllowed('0.0.0.0', 'http://evil.example', 'gpu-box.lan:7860')).toBe(false);
    expect(originAllowed('127.0.0.1', undefined, '127.0.0.1:7860')).toBe(false);
  });
});
