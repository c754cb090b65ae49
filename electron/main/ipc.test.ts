import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMAND_CHANNELS } from '../../app/contract/channels';
import type { EventMessage } from '../../app/contract/index';
import type { EventListener } from '../../app/host/core';
import { makeTestCore } from '../../app/test-support/core';
import { forwardEvents, type InvokeEventLike, type IpcMainLike, isTrustedSender, registerCommandHandlers, type WindowLike } from './ipc';
import { appIndexUrl } from './security';

const indexUrl = appIndexUrl('/app/dist/renderer/index.html');

type Listener = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke(channel, ...args) would produce in the main process. */
  call(channel: string, event: InvokeEventLike, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return h(event, ...args);
  }
}

function fakeWindow() {
  const sent: [string, unknown][] = [];
  let destroyed = false;
  const webContents = {
    send: (channel: string, payload: unknown) => void sent.push([channel, payload]),
    isDestroyed: () => destroyed,
    mainFrame: undefined as unknown,
  };
  const mainFrame = { url: `${indexUrl}#/launch`, parent: null };
  webContents.mainFrame = mainFrame;
  const win = {
    webContents,
    isDestroyed: () => destroyed,
    destroy: () => {
      destroyed = true;
    },
  } satisfies WindowLike & { destroy(): void };
  const fromPage: InvokeEventLike = { sender: webContents, senderFrame: mainFrame };
  return { win, sent, fromPage };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('isTrustedSender', () => {
  it('trusts the top frame of our window while it shows our index.html', () => {
    const { win, fromPage } = fakeWindow();
    expect(isTrustedSender(fromPage, win, indexUrl)).toBe(true);
  });

  it('refuses other webContents, sub-frames, foreign pages, missing frames and closed windows', () => {
    const { win, fromPage } = fakeWindow();
    const other = fakeWindow();
    expect(isTrustedSender({ ...fromPage, sender: other.win.webContents }, win, indexUrl)).toBe(false);
    expect(isTrustedSender({ sender: win.webContents, senderFrame: { url: indexUrl, parent: {} } }, win, indexUrl)).toBe(false);
    expect(isTrustedSender({ sender: win.webContents, senderFrame: { url: 'https://evil.example/', parent: null } }, win, indexUrl)).toBe(
      false,
    );
    expect(isTrustedSender({ sender: win.webContents, senderFrame: { url: 'file:///tmp/index.html', parent: null } }, win, indexUrl)).toBe(
      false,
    );
    expect(isTrustedSender({ sender: win.webContents, senderFrame: null }, win, indexUrl)).toBe(false);
    expect(isTrustedSender(fromPage, undefined, indexUrl)).toBe(false);
    win.destroy();
    expect(isTrustedSender(fromPage, win, indexUrl)).toBe(false);
  });
});

describe('registerCommandHandlers', () => {
  it('registers exactly the contract command channels, and unregisters them', () => {
    const ipc = new FakeIpcMain();
    const off = registerCommandHandlers(ipc, { invokeUntrusted: vi.fn() }, () => undefined, indexUrl);
    expect([...ipc.handlers.keys()].sort()).toEqual([...COMMAND_CHANNELS].sort());
    off();
    expect(ipc.handlers.size).toBe(0);
  });

  it('passes the trusted argument to core.invokeUntrusted and returns its Result', async () => {
    const ipc = new FakeIpcMain();
    const { win, fromPage } = fakeWindow();
    const invokeUntrusted = vi.fn(async () => ({ ok: true as const, value: 42 }));
    registerCommandHandlers(ipc, { invokeUntrusted }, () => win, indexUrl);
    await expect(ipc.call('settings:update', fromPage, { theme: 'dark' })).resolves.toEqual({ ok: true, value: 42 });
    await expect(ipc.call('app:info', fromPage, undefined)).resolves.toEqual({ ok: true, value: 42 });
    expect(invokeUntrusted.mock.calls).toEqual([
      ['settings:update', { theme: 'dark' }],
      ['app:info', undefined],
    ]);
  });

  it('rejects untrusted senders before the core sees anything', async () => {
    const ipc = new FakeIpcMain();
    const { win, fromPage } = fakeWindow();
    const invokeUntrusted = vi.fn();
    registerCommandHandlers(ipc, { invokeUntrusted }, () => win, indexUrl);
    const foreign = { sender: win.webContents, senderFrame: { url: 'https://evil.example/', parent: null } };
    await expect(ipc.call('settings:update', foreign, { theme: 'dark' })).rejects.toThrow(/did not come from the vLLM Panel window/);
    const stranger = fakeWindow();
    await expect(ipc.call('app:info', stranger.fromPage)).rejects.toThrow(/Refused app:info/);
    win.destroy();
    await expect(ipc.call('app:info', fromPage)).rejects.toThrow(/Refused/);
    expect(invokeUntrusted).not.toHaveBeenCalled();
  });

  it('refuses extra arguments', async () => {
    const ipc = new FakeIpcMain();
    const { win, fromPage } = fakeWindow();
    const invokeUntrusted = vi.fn();
    registerCommandHandlers(ipc, { invokeUntrusted }, () => win, indexUrl);
    await expect(ipc.call('settings:update', fromPage, { theme: 'dark' }, { sneaky: true })).resolves.toMatchObject({
      ok: false,
      error: { kind: 'invalid_argument' },
    });
    expect(invokeUntrusted).not.toHaveBeenCalled();
  });

  it('with the real core: valid calls work, invalid arguments come back as invalid_argument results', async () => {
    const t = await makeTestCore();
    cleanups.push(t.cleanup);
    const ipc = new FakeIpcMain();
    const { win, fromPage } = fakeWindow();
    registerCommandHandlers(ipc, t.core, () => win, indexUrl);
    await expect(ipc.call('app:info', fromPage, undefined)).resolves.toMatchObject({ ok: true, value: { name: 'vLLM Panel' } });
    await expect(ipc.call('settings:update', fromPage, { stopGraceSeconds: 'soon' })).resolves.toMatchObject({
      ok: false,
      error: { kind: 'invalid_argument', field: 'stopGraceSeconds' },
    });
    await expect(ipc.call('settings:update', fromPage, { theme: 'light' })).resolves.toMatchObject({ ok: true, value: { theme: 'light' } });
    // A channel outside the allow-list has no handler at all.
    await expect(ipc.call('fs:rm', fromPage, {})).rejects.toThrow(/No handler/);
  });
});

describe('forwardEvents', () => {
  function fakeCore() {
    const listeners = new Set<EventListener>();
    return {
      subscribe(l: EventListener) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      emit(msg: unknown) {
        for (const l of listeners) l(msg as EventMessage);
      },
      get count() {
        return listeners.size;
      },
    };
  }

  it('sends allow-listed events to the window and drops anything else', () => {
    const core = fakeCore();
    const { win, sent } = fakeWindow();
    forwardEvents(core, () => win);
    core.emit({ channel: 'notice', payload: { level: 'info', message: 'hi', at: 1 } });
    core.emit({ channel: 'ELECTRON_BROWSER_WINDOW_CLOSE', payload: {} });
    core.emit({ channel: 'app:info', payload: {} });
    expect(sent).toEqual([['notice', { level: 'info', message: 'hi', at: 1 }]]);
  });

  it('does nothing without a live window and unsubscribes on request', () => {
    const core = fakeCore();
    const { win, sent } = fakeWindow();
    let current: WindowLike | undefined;
    const off = forwardEvents(core, () => current);
    core.emit({ channel: 'notice', payload: { level: 'info', message: 'no window yet', at: 1 } });
    current = win;
    win.destroy();
    core.emit({ channel: 'notice', payload: { level: 'info', message: 'closed', at: 2 } });
    expect(sent).toEqual([]);
    expect(core.count).toBe(1);
    off();
    expect(core.count).toBe(0);
  });

  it('carries real core events (settings change) to the window', async () => {
    const t = await makeTestCore();
    cleanups.push(t.cleanup);
    const { win, sent, fromPage } = fakeWindow();
    const ipc = new FakeIpcMain();
    registerCommandHandlers(ipc, t.core, () => win, indexUrl);
    forwardEvents(t.core, () => win);
    await ipc.call('settings:update', fromPage, { theme: 'dark' });
    expect(sent.filter(([c]) => c === 'settings')).toEqual([['settings', expect.objectContaining({ theme: 'dark' })]]);
  });
});
