import { describe, expect, it } from 'vitest';
import { createElectronTransport } from './electron-transport';
import { pickTransport } from './index';
import type { PanelBridge } from './transport';

function fakeBridge(answer: (channel: string, arg: unknown) => Promise<unknown>) {
  const subs = new Map<string, Set<(p: unknown) => void>>();
  const calls: [string, unknown][] = [];
  const bridge: PanelBridge = {
    invoke(channel, arg) {
      calls.push([channel, arg]);
      return answer(channel, arg);
    },
    on(channel, cb) {
      let s = subs.get(channel);
      if (!s) subs.set(channel, (s = new Set()));
      s.add(cb);
      return () => s.delete(cb);
    },
  };
  const emit = (channel: string, p: unknown) => {
    for (const cb of subs.get(channel) ?? []) cb(p);
  };
  return { bridge, calls, emit };
}

describe('electron-transport', () => {
  it('forwards invokes to window.vllmPanel and returns its results', async () => {
    const { bridge, calls } = fakeBridge(async () => ({ ok: true, value: { theme: 'dark' } }));
    const t = createElectronTransport(bridge);
    await expect(t.invoke('settings:update', { theme: 'dark' })).resolves.toEqual({ ok: true, value: { theme: 'dark' } });
    expect(calls).toEqual([['settings:update', { theme: 'dark' }]]);
    expect(t.status.status).toBe('open');
  });

  it('turns a rejected IPC call or a malformed answer into an error result', async () => {
    const rejects = createElectronTransport(fakeBridge(() => Promise.reject(new Error('no handler'))).bridge);
    await expect(rejects.invoke('app:info')).resolves.toMatchObject({ ok: false, error: { kind: 'ipc', message: /no handler/ } });
    const garbage = createElectronTransport(fakeBridge(async () => 'hello').bridge);
    await expect(garbage.invoke('app:info')).resolves.toMatchObject({ ok: false, error: { kind: 'protocol' } });
    const userError = createElectronTransport(fakeBridge(async () => ({ ok: false, error: { kind: 'x', message: 'm' } })).bridge);
    await expect(userError.invoke('app:info')).resolves.toEqual({ ok: false, error: { kind: 'x', message: 'm', remedies: [] } });
  });

  it('subscribes and unsubscribes through the bridge', () => {
    const { bridge, emit } = fakeBridge(async () => ({ ok: true }));
    const t = createElectronTransport(bridge);
    const got: string[] = [];
    const off = t.on('notice', (n) => got.push(n.message));
    emit('notice', { level: 'info', message: 'a', at: 1 });
    off();
    emit('notice', { level: 'info', message: 'b', at: 2 });
    expect(got).toEqual(['a']);
  });
});

describe('pickTransport', () => {
  it('uses the Electron bridge when the preload exposed one', () => {
    const { bridge } = fakeBridge(async () => ({ ok: true }));
    expect(pickTransport({ vllmPanel: bridge, location: { origin: 'file://' } }).kind).toBe('electron');
  });

  it('otherwise connects a WebSocket to this origin', () => {
    const urls: string[] = [];
    class Ws {
      readyState = 0;
      onopen = null;
      onclose = null;
      onerror = null;
      onmessage = null;
      constructor(url: string) {
        urls.push(url);
      }
      send() {}
      close() {}
    }
    const t = pickTransport({ location: { origin: 'https://gpu-box:7860' } }, { WebSocket: Ws });
    expect(t.kind).toBe('websocket');
    expect(urls).toEqual(['wss://gpu-box:7860/api/ws']);
    t.close();
  });

  it('without a bridge or an http(s) origin, reports a closed connection instead of retrying', async () => {
    const t = pickTransport({ location: { origin: 'null' } });
    expect(t.status).toMatchObject({ status: 'closed', lastError: expect.stringMatching(/desktop app or the “vllm-panel web” URL/) });
    await expect(t.invoke('app:info')).resolves.toMatchObject({ ok: false, error: { kind: 'closed' } });
  });
});
