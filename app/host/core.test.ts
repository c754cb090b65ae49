import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventMessage } from '../contract/index';
import { makeTestCore } from '../test-support/core';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function core() {
  const t = await makeTestCore();
  cleanups.push(t.cleanup);
  return t;
}

describe('createCore', () => {
  it('answers app:info with the injected shell and version', async () => {
    const { core: c } = await core();
    const r = await c.invoke('app:info', undefined);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toMatchObject({ name: 'vLLM Panel', shell: 'test', version: '0.0.0-test' });
  });

  it('validates arguments and names the field', async () => {
    const { core: c } = await core();
    const r = await c.invokeUntrusted('settings:update', { stopGraceSeconds: 'soon' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('invalid_argument');
      expect(r.error.field).toBe('stopGraceSeconds');
    }
  });

  it('refuses unknown channels from a transport', async () => {
    const { core: c } = await core();
    const r = await c.invokeUntrusted('fs:delete-everything', {});
    expect(r).toMatchObject({ ok: false, error: { kind: 'unknown_channel' } });
  });

  it('persists settings atomically and pushes a settings event', async () => {
    const { core: c, dir } = await core();
    const seen: EventMessage[] = [];
    c.subscribe((e) => seen.push(e));
    const r = await c.invoke('settings:update', { theme: 'dark', stopGraceSeconds: 5 });
    expect(r.ok).toBe(true);
    const onDisk = JSON.parse(await readFile(join(dir, 'config', 'settings.json'), 'utf8'));
    expect(onDisk).toMatchObject({ theme: 'dark', stopGraceSeconds: 5 });
    expect(seen.find((e) => e.channel === 'settings')?.payload).toMatchObject({ theme: 'dark' });
    // no temp files left behind
    expect((await readdir(join(dir, 'config'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps a corrupt settings file aside, reports it, and starts with defaults', async () => {
    const t = await makeTestCore();
    const configDir = join(t.dir, 'config');
    await t.core.dispose();
    await mkdir(configDir, { recursive: true });
    await writeFile(join(configDir, 'settings.json'), '{"theme": "dark",,,');
    const again = await makeTestCore({
      paths: { configDir, dataDir: join(t.dir, 'data'), cacheDir: join(t.dir, 'cache'), cwd: t.dir },
    });
    cleanups.push(again.cleanup, t.cleanup);
    const notices: EventMessage[] = [];
    again.core.subscribe((e) => notices.push(e));
    await new Promise((r) => setTimeout(r, 10));
    const r = await again.core.invoke('settings:get', undefined);
    expect(r.ok && r.value.theme).toBe('system');
    const files = await readdir(configDir);
    const backup = files.find((f) => f.startsWith('settings.json.corrupt-'));
    expect(backup).toBeDefined();
    expect(await readFile(join(configDir, backup!), 'utf8')).toBe('{"theme": "dark",,,');
    expect(notices.some((n) => n.channel === 'notice' && n.payload.message.includes('kept as'))).toBe(true);
  });

  it('runs dispose hooks once even when one fails', async () => {
    const { core: c } = await core();
    const calls: string[] = [];
    c.context.onDispose(() => {
      calls.push('a');
    });
    c.context.onDispose(() => {
      throw new Error('boom');
    });
    await Promise.all([c.dispose(), c.dispose()]);
    expect(calls).toEqual(['a']);
  });
});
