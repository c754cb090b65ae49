import { beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../api';
import { FakeTransport } from '../api/fake-transport';
import { type Result, Settings, type SettingsPatch } from '../contract';
import { useAppStore } from './app-store';
import { resetSettingsStoreForTests, selectTheme, useSettingsStore } from './settings-store';
import { nextTheme, readCachedTheme, resolveTheme, writeCachedTheme } from './theme';

const defaults = Settings.parse({});
let t: FakeTransport;
let stored: Settings;

beforeEach(() => {
  resetSettingsStoreForTests();
  useAppStore.setState({ notices: [] });
  stored = { ...defaults };
  t = new FakeTransport()
    .handle('settings:get', () => ({ ok: true, value: stored }))
    .handle('settings:update', (patch) => {
      stored = { ...stored, ...(patch as SettingsPatch) };
      return { ok: true, value: stored };
    });
  setTransport(t);
});

/** A settings:update answer the test releases by hand, to control ordering. */
function deferUpdates() {
  const waiting: { patch: SettingsPatch; release: (r?: Result<Settings>) => void }[] = [];
  t.handle(
    'settings:update',
    (patch) =>
      new Promise<Result<Settings>>((resolve) => {
        waiting.push({
          patch: patch as SettingsPatch,
          release: (r) => {
            stored = { ...stored, ...(patch as SettingsPatch) };
            resolve(r ?? { ok: true, value: { ...stored } });
          },
        });
      }),
  );
  return waiting;
}

describe('theme helpers', () => {
  it('cycles system → dark → light → system', () => {
    expect(nextTheme('system')).toBe('dark');
    expect(nextTheme('dark')).toBe('light');
    expect(nextTheme('light')).toBe('system');
  });
  it('resolves system from the OS preference', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
  });
  it('caches the setting for first paint and survives broken storage', () => {
    const m = new Map<string, string>();
    const storage = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
    expect(readCachedTheme(storage)).toBe('system');
    writeCachedTheme(storage, 'light');
    expect(readCachedTheme(storage)).toBe('light');
    m.set('vllm-panel.theme', 'neon');
    expect(readCachedTheme(storage)).toBe('system');
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(readCachedTheme(broken)).toBe('system');
    expect(() => writeCachedTheme(broken, 'dark')).not.toThrow();
  });
});

describe('settings-store', () => {
  it('loads settings from the core', async () => {
    stored = { ...defaults, theme: 'light' };
    await useSettingsStore.getState().load();
    expect(useSettingsStore.getState()).toMatchObject({ status: 'ready', settings: { theme: 'light' } });
  });

  it('records a load failure', async () => {
    t.handle('settings:get', () => ({ ok: false, error: { kind: 'io', message: 'disk gone', remedies: [] } }));
    await useSettingsStore.getState().load();
    expect(useSettingsStore.getState()).toMatchObject({ status: 'error', error: { kind: 'io' }, settings: null });
  });

  it('cycleTheme persists each step through settings:update', async () => {
    await useSettingsStore.getState().load();
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      await useSettingsStore.getState().cycleTheme();
      seen.push(selectTheme(useSettingsStore.getState()));
    }
    expect(seen).toEqual(['dark', 'light', 'system']);
    expect(t.calls.filter((c) => c.channel === 'settings:update').map((c) => c.arg)).toEqual([
      { theme: 'dark' },
      { theme: 'light' },
      { theme: 'system' },
    ]);
    expect(stored.theme).toBe('system');
  });

  it('applies an update at once and reverts it when the core refuses', async () => {
    await useSettingsStore.getState().load();
    const waiting = deferUpdates();
    const p = useSettingsStore.getState().update({ theme: 'light' });
    expect(selectTheme(useSettingsStore.getState())).toBe('light'); // optimistic
    waiting[0]!.release({ ok: false, error: { kind: 'io', message: 'read-only config dir', remedies: [] } });
    const r = await p;
    expect(r.ok).toBe(false);
    expect(selectTheme(useSettingsStore.getState())).toBe('system');
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual(['Could not save settings: read-only config dir']);
  });

  it('does not flash stale values when clicks outrun the answers and their echoes', async () => {
    await useSettingsStore.getState().load();
    const waiting = deferUpdates();
    const themes: string[] = [];
    const off = useSettingsStore.subscribe((s) => themes.push(selectTheme(s)));
    const a = useSettingsStore.getState().cycleTheme(); // → dark
    const b = useSettingsStore.getState().cycleTheme(); // → light
    waiting[0]!.release();
    useSettingsStore.getState().applyRemote({ ...stored, theme: 'dark' }); // echo of the first update
    await a;
    waiting[1]!.release();
    await b;
    off();
    expect(themes.filter((x, i) => x !== themes[i - 1])).toEqual(['dark', 'light']);
    expect(useSettingsStore.getState().settings?.theme).toBe('light');
  });

  it('follows settings changed elsewhere', async () => {
    await useSettingsStore.getState().load();
    useSettingsStore.getState().applyRemote({ ...defaults, theme: 'dark', stopGraceSeconds: 5 });
    expect(useSettingsStore.getState().settings).toMatchObject({ theme: 'dark', stopGraceSeconds: 5 });
  });

  it('before settings arrive, the toggle starts from the cached theme', async () => {
    useSettingsStore.setState({ initialTheme: 'light' });
    expect(selectTheme(useSettingsStore.getState())).toBe('light');
    await useSettingsStore.getState().cycleTheme();
    expect(t.calls.at(-1)).toEqual({ channel: 'settings:update', arg: { theme: 'system' } });
  });
});
