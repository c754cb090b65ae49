import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../main';
import { UsageError } from '../types';
import { browserOpenCommand, parseWebArgs, staticDirCandidates } from './web';

function status(url: string, headers: Record<string, string> = {}): Promise<{ code: number; setCookie: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ code: res.statusCode ?? 0, setCookie: String(res.headers['set-cookie'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vllm-panel-webcli-'));
  await mkdir(join(dir, 'ui'));
  await writeFile(join(dir, 'ui', 'index.html'), '<!doctype html><p>ui</p>');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fakeIo(env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  let stop!: (s: 'SIGINT') => void;
  const interrupted = new Promise<'SIGINT' | 'SIGTERM'>((r) => (stop = r));
  return {
    out,
    err,
    stop: () => stop('SIGINT'),
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env, interrupted },
  };
}

async function waitFor<T>(fn: () => T | undefined, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('vllm-panel web: arguments', () => {
  it('has safe defaults', () => {
    expect(parseWebArgs([], {})).toEqual({ host: '127.0.0.1', port: 7860, open: false, token: undefined });
  });

  it('rejects bad ports, hosts and unknown flags as usage errors', () => {
    for (const args of [
      ['--port', '65536'],
      ['--port', 'abc'],
      ['--port', '-1'],
      ['--port', '80.5'],
      ['--host', ''],
      ['--host', 'a b'],
      ['--frob'],
      ['extra'],
    ]) {
      expect(() => parseWebArgs(args, {}), args.join(' ')).toThrow(UsageError);
    }
    expect(parseWebArgs(['--port', '0'], {}).port).toBe(0);
    expect(parseWebArgs(['--port', '65535', '--host', '::1', '--open'], {})).toMatchObject({ port: 65535, host: '::1', open: true });
  });

  it('takes a token from --token or VLLM_PANEL_TOKEN and refuses weak ones', () => {
    expect(parseWebArgs(['--token', 'abcdefghijklmnop'], {}).token).toBe('abcdefghijklmnop');
    expect(parseWebArgs([], { VLLM_PANEL_TOKEN: 'from-env-0123456789' }).token).toBe('from-env-0123456789');
    expect(() => parseWebArgs(['--token', 'short'], {})).toThrow(/--token/);
    expect(() => parseWebArgs([], { VLLM_PANEL_TOKEN: 'short' })).toThrow(/VLLM_PANEL_TOKEN/);
  });

  it('allows --no-token only on loopback', () => {
    expect(parseWebArgs(['--no-token'], {}).token).toBeNull();
    expect(parseWebArgs(['--no-token', '--host', 'localhost'], {}).token).toBeNull();
    expect(() => parseWebArgs(['--no-token', '--host', '0.0.0.0'], {})).toThrow(/refusing --no-token/);
    expect(() => parseWebArgs(['--no-token', '--token', 'abcdefghijklmnop'], {})).toThrow(UsageError);
  });

  it('opens the browser with an argv per platform (no shell)', () => {
    expect(browserOpenCommand('linux', 'http://x/?token=1')).toEqual({ file: 'xdg-open', args: ['http://x/?token=1'] });
    expect(browserOpenCommand('darwin', 'http://x/')).toEqual({ file: 'open', args: ['http://x/'] });
    expect(browserOpenCommand('win32', 'http://x/')).toEqual({ file: 'rundll32', args: ['url.dll,FileProtocolHandler', 'http://x/'] });
  });

  it('finds the UI beside the bundle or in the repo dist/', () => {
    expect(staticDirCandidates({}, 'file:///pkg/dist/cli.js')[0]).toBe('/pkg/dist/renderer/');
    expect(staticDirCandidates({}, 'file:///repo/app/cli/commands/web.ts')).toContain('/repo/dist/renderer/');
    expect(staticDirCandidates({ VLLM_PANEL_WEB_ROOT: '/x' })).toEqual(['/x']);
  });
});

describe('vllm-panel web: running', () => {
  it('serves until interrupted, prints the URL as JSON, and stops listening afterwards', async () => {
    const t = fakeIo({ VLLM_PANEL_WEB_ROOT: join(dir, 'ui'), VLLM_PANEL_HOME: join(dir, 'home') });
    const done = runCli(['web', '--port', '0', '--json'], t.io);
    const line = await waitFor(() => t.out[0]);
    const info = JSON.parse(line) as { url: string; host: string; port: number };
    expect(info.host).toBe('127.0.0.1');
    expect(info.port).toBeGreaterThan(0);
    expect(info.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${info.port}/\\?token=[0-9a-f]{64}$`));
    expect((await status(`http://127.0.0.1:${info.port}/`)).code).toBe(401);
    const first = await status(info.url);
    expect(first.code).toBe(302);
    const cookie = first.setCookie.split(';')[0]!;
    expect((await status(`http://127.0.0.1:${info.port}/`, { Cookie: cookie })).code).toBe(200);
    t.stop();
    expect(await done).toBe(0);
    await expect(status(`http://127.0.0.1:${info.port}/`)).rejects.toThrow(/ECONNREFUSED/);
    expect(t.err).toEqual([]);
  });

  it('prints the start URL and tunnel hint in text mode, and honours --token', async () => {
    const t = fakeIo({ VLLM_PANEL_WEB_ROOT: join(dir, 'ui'), VLLM_PANEL_HOME: join(dir, 'home') });
    const done = runCli(['web', '--port', '0', '--token', 'given-token-0123456789'], t.io);
    const text = await waitFor(() => t.out[0]);
    expect(text).toMatch(/http:\/\/127\.0\.0\.1:\d+\/\?token=given-token-0123456789/);
    expect(text).toContain('ssh -L');
    expect(text).toContain('Ctrl-C');
    t.stop();
    expect(await done).toBe(0);
  });

  it('says to build first when the UI is missing (exit 1)', async () => {
    const t = fakeIo({ VLLM_PANEL_WEB_ROOT: join(dir, 'missing'), VLLM_PANEL_HOME: join(dir, 'home') });
    expect(await runCli(['web', '--port', '0'], t.io)).toBe(1);
    expect(t.err.join('\n')).toContain('npm run build');
    const j = fakeIo({ VLLM_PANEL_WEB_ROOT: join(dir, 'missing'), VLLM_PANEL_HOME: join(dir, 'home') });
    expect(await runCli(['web', '--port', '0', '--json'], j.io)).toBe(1);
    expect(JSON.parse(j.out[0]!).error.kind).toBe('not_built');
  });

  it('exits 2 with usage for bad arguments, 1 with a clear message for a taken port', async () => {
    const t = fakeIo({ VLLM_PANEL_WEB_ROOT: join(dir, 'ui'), VLLM_PANEL_HOME: join(dir, 'home') });
    expect(await runCli(['web', '--port', '99999'], t.io)).toBe(2);
    expect(t.err.join('\n')).toContain('Usage: vllm-panel web');

    const a = fakeIo({ VLLM_PANEL_WEB_ROOT: join(dir, 'ui'), VLLM_PANEL_HOME: join(dir, 'home') });
    const running = runCli(['web', '--port', '0', '--json'], a.io);
    const { port } = JSON.parse(await waitFor(() => a.out[0])) as { port: number };
    const b = fakeIo({ VLLM_PANEL_WEB_ROOT: join(dir, 'ui'), VLLM_PANEL_HOME: join(dir, 'home2') });
    expect(await runCli(['web', '--port', String(port)], b.io)).toBe(1);
    expect(b.err.join('\n')).toMatch(/already in use/);
    a.stop();
    expect(await running).toBe(0);
  });

  it('reports shell "web" and keeps settings under VLLM_PANEL_HOME', async () => {
    const home = join(dir, 'home');
    const t = fakeIo({ VLLM_PANEL_WEB_ROOT: join(dir, 'ui'), VLLM_PANEL_HOME: home });
    const done = runCli(['web', '--port', '0', '--json'], t.io);
    const { url, port } = JSON.parse(await waitFor(() => t.out[0])) as { url: string; port: number };
    const token = new URL(url).searchParams.get('token')!;
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws?token=${token}`, { origin: `http://127.0.0.1:${port}` });
    const answers: Array<Record<string, unknown>> = [];
    ws.on('message', (d) => answers.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ t: 'invoke', id: 1, channel: 'app:info' }));
    ws.send(JSON.stringify({ t: 'invoke', id: 2, channel: 'settings:update', arg: { theme: 'light' } }));
    const info = await waitFor(() => answers.find((m) => m.id === 1));
    expect(info).toMatchObject({ ok: true, value: { shell: 'web', configDir: home } });
    await waitFor(() => answers.find((m) => m.id === 2));
    ws.close();
    t.stop();
    expect(await done).toBe(0);
    expect(JSON.parse(await readFile(join(home, 'settings.json'), 'utf8')).theme).toBe('light');
  });
});
