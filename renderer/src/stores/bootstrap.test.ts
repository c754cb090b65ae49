import { beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../api';
import { FakeTransport } from '../api/fake-transport';
import { Settings } from '../contract';
import { MAX_NOTICES, useAppStore } from './app-store';
import { bootstrap } from './bootstrap';
import { resetSettingsStoreForTests, useSettingsStore } from './settings-store';

const info = { name: 'vllm-panel', version: '0.1.0', shell: 'web' as const, platform: 'linux', nodeVersion: 'v20.20.2', configDir: '/cfg' };
const defaults = Settings.parse({});
const flush = () => new Promise((r) => setTimeout(r, 0));

let t: FakeTransport;
function makeTransport(status: 'open' | 'connecting', kind: 'electron' | 'websocket' = 'websocket') {
  t = new FakeTransport(kind, status)
    .handle('app:info', () => ({ ok: true, value: info }))
    .handle('settings:get', () => ({ ok: true, value: { ...defaults, theme: 'dark' } }));
  setTransport(t);
  return t;
}

beforeEach(() => {
  resetSettingsStoreForTests();
  useAppStore.setState({ info: null, infoError: null, notices: [], transportKind: null });
});

describe('bootstrap', () => {
  it('loads app info and settings at once over an open transport', async () => {
    const off = bootstrap(makeTransport('open', 'electron'));
    await flush();
    expect(useAppStore.getState()).toMatchObject({ info, transportKind: 'electron', connection: { status: 'open' } });
    expect(useSettingsStore.getState().settings?.theme).toBe('dark');
    off();
  });

  it('waits for the socket to open, and reloads after every reconnect', async () => {
    const off = bootstrap(makeTransport('connecting'));
    await flush();
    expect(t.calls).toEqual([]);
    expect(useAppStore.getState().connection.status).toBe('connecting');

    t.setStatus({ status: 'open' });
    await flush();
    // The frame's own loads (each module's store adds its own; see the test below).
    const frame = () => t.calls.map((c) => c.channel).filter((c) => c === 'app:info' || c === 'settings:get');
    expect(frame().sort()).toEqual(['app:info', 'settings:get']);

    t.setStatus({ status: 'reconnecting', attempt: 1, retryAt: 123 });
    expect(useAppStore.getState().connection).toMatchObject({ status: 'reconnecting', attempt: 1, retryAt: 123 });
    t.setStatus({ status: 'reconnecting', attempt: 2 });
    t.setStatus({ status: 'open', attempt: 0 });
    await flush();
    expect(frame()).toHaveLength(4);
    off();
  });

  it('wires the server and logs stores: their state on every open, their events until dispose', async () => {
    const off = bootstrap(makeTransport('connecting'));
    t.setStatus({ status: 'open' });
    await flush();
    expect(t.calls.map((c) => c.channel)).toEqual(expect.arrayContaining(['server:state', 'server:leftovers', 'logs:get']));
    expect(t.listenerCount('server')).toBe(1);
    expect(t.listenerCount('logs')).toBe(1);
    off();
    expect(t.listenerCount('server')).toBe(0);
    expect(t.listenerCount('logs')).toBe(0);
  });

  it('feeds settings and notice events into the stores, and unwires on dispose', async () => {
    const off = bootstrap(makeTransport('open'));
    await flush();
    t.emit('settings', { ...defaults, theme: 'light' });
    t.emit('notice', { level: 'warning', message: 'settings file was corrupt; kept a backup', at: 5 });
    expect(useSettingsStore.getState().settings?.theme).toBe('light');
    expect(useAppStore.getState().notices).toMatchObject([{ level: 'warning', source: 'core', at: 5 }]);
    off();
    expect(t.listenerCount('settings')).toBe(0);
    expect(t.listenerCount('notice')).toBe(0);
    t.emit('settings', { ...defaults, theme: 'system' });
    expect(useSettingsStore.getState().settings?.theme).toBe('light');
  });

  it('reports a failed app:info as a notice, but not a lost connection', async () => {
    makeTransport('open').handle('app:info', () => ({ ok: false, error: { kind: 'disconnected', message: 'lost', remedies: [] } }));
    await useAppStore.getState().loadInfo();
    expect(useAppStore.getState().notices).toEqual([]);
    t.handle('app:info', () => ({ ok: false, error: { kind: 'internal', message: 'boom', remedies: [] } }));
    await useAppStore.getState().loadInfo();
    expect(useAppStore.getState().notices.map((n) => n.message)).toEqual(['Could not read app info: boom']);
  });
});

describe('app-store notices', () => {
  it('keeps the newest MAX_NOTICES and dismisses by id', () => {
    const s = useAppStore.getState();
    for (let i = 0; i < MAX_NOTICES + 5; i++) s.pushNotice({ level: 'info', message: `n${i}`, source: 'ui' });
    const { notices } = useAppStore.getState();
    expect(notices).toHaveLength(MAX_NOTICES);
    expect(notices[0]!.message).toBe('n5');
    useAppStore.getState().dismissNotice(notices[0]!.id);
    expect(useAppStore.getState().notices[0]!.message).toBe('n6');
    useAppStore.getState().clearNotices();
    expect(useAppStore.getState().notices).toEqual([]);
  });

  it('retryConnection asks the transport to skip the wait', () => {
    makeTransport('open');
    useAppStore.getState().retryConnection();
    expect(t.retries).toBe(1);
  });
});
