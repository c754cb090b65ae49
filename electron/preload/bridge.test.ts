import { describe, expect, it, vi } from 'vitest';
import { COMMAND_CHANNELS, EVENT_CHANNELS } from '../../app/contract/channels';
import { createBridge, type IpcRendererLike } from './bridge';

type Listener = (event: unknown, ...args: unknown[]) => void;

function fakeIpc() {
  const listeners = new Map<string, Set<Listener>>();
  const ipc = {
    invoke: vi.fn(async (channel: string, ...args: unknown[]) => ({ ok: true, value: { channel, args } })),
    on: vi.fn((channel: string, l: Listener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)?.add(l);
    }),
    removeListener: vi.fn((channel: string, l: Listener) => {
      listeners.get(channel)?.delete(l);
    }),
  } satisfies IpcRendererLike;
  /** What webContents.send(channel, payload) looks like on the renderer side. */
  const emit = (channel: string, payload: unknown) => {
    for (const l of listeners.get(channel) ?? []) l({ sender: ipc, senderId: 0, ports: [] }, payload);
  };
  const count = (channel: string) => listeners.get(channel)?.size ?? 0;
  return { ipc, emit, count };
}

describe('preload bridge', () => {
  it('exposes exactly invoke and on', () => {
    const bridge = createBridge(fakeIpc().ipc);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on']);
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('invoke forwards allow-listed command channels with exactly one argument', async () => {
    const { ipc } = fakeIpc();
    const bridge = createBridge(ipc);
    for (const channel of COMMAND_CHANNELS) {
      await expect(bridge.invoke(channel, { x: 1 })).resolves.toEqual({ ok: true, value: { channel, args: [{ x: 1 }] } });
    }
    const loose = bridge.invoke as (...a: unknown[]) => Promise<unknown>;
    await loose('app:info', 'a', 'b', 'c');
    expect(ipc.invoke).toHaveBeenLastCalledWith('app:info', 'a');
  });

  it('invoke rejects anything off the allow-list without touching IPC', async () => {
    const { ipc } = fakeIpc();
    const bridge = createBridge(ipc);
    for (const channel of ['fs:read', 'settings', 'ELECTRON_BROWSER_REQUIRE', '', 'app:info ', '__proto__']) {
      await expect(bridge.invoke(channel, {})).rejects.toThrow(/unknown command channel/);
    }
    await expect((bridge.invoke as (c: unknown) => Promise<unknown>)(42)).rejects.toThrow(/unknown command channel/);
    expect(ipc.invoke).not.toHaveBeenCalled();
  });

  it('on delivers only the payload (never the IpcRendererEvent) and unsubscribes', () => {
    const { ipc, emit, count } = fakeIpc();
    const bridge = createBridge(ipc);
    const cb = vi.fn();
    const off = bridge.on('notice', cb);
    emit('notice', { level: 'info', message: 'hello', at: 1 });
    expect(cb.mock.calls).toEqual([[{ level: 'info', message: 'hello', at: 1 }]]);
    off();
    off();
    expect(count('notice')).toBe(0);
    expect(ipc.removeListener).toHaveBeenCalledOnce();
    emit('notice', { level: 'info', message: 'after', at: 2 });
    expect(cb).toHaveBeenCalledOnce();
  });

  it('on accepts every event channel and refuses anything else', () => {
    const { ipc } = fakeIpc();
    const bridge = createBridge(ipc);
    for (const channel of EVENT_CHANNELS) bridge.on(channel, () => {})();
    expect(() => bridge.on('app:info', () => {})).toThrow(/unknown event channel/);
    expect(() => bridge.on('ELECTRON_RENDERER_WINDOW', () => {})).toThrow(/unknown event channel/);
    expect(() => bridge.on('notice', 'not a function' as unknown as () => void)).toThrow(/callback must be a function/);
    expect(ipc.on).toHaveBeenCalledTimes(EVENT_CHANNELS.length);
  });
});
