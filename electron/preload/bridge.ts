// The API object the preload exposes as window.vllmPanel. Kept apart from index.ts (which needs
// the electron runtime) so the allow-list logic is unit-tested with a fake ipcRenderer.
// May import only the channel allow-list (DESIGN.md: no zod, no other core code in the preload).
import { isCommandChannel, isEventChannel } from '../../app/contract/channels';

/** The parts of ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface PanelBridge {
  invoke(channel: string, arg?: unknown): Promise<unknown>;
  on(channel: string, cb: (payload: unknown) => void): () => void;
}

export function createBridge(ipc: IpcRendererLike): PanelBridge {
  // contextBridge hands the page a copy of this object: exactly these two functions.
  return Object.freeze({
    invoke(channel: string, arg?: unknown): Promise<unknown> {
      if (!isCommandChannel(channel)) return Promise.reject(new Error(`vllmPanel.invoke: unknown command channel "${String(channel)}"`));
      // Exactly one argument crosses, whatever the caller passed.
      return ipc.invoke(channel, arg);
    },
    on(channel: string, cb: (payload: unknown) => void): () => void {
      if (!isEventChannel(channel)) throw new Error(`vllmPanel.on: unknown event channel "${String(channel)}"`);
      if (typeof cb !== 'function') throw new TypeError('vllmPanel.on: callback must be a function');
      // The IpcRendererEvent (with its `sender` ipcRenderer) never reaches the page.
      const listener = (_event: unknown, payload: unknown) => cb(payload);
      ipc.on(channel, listener);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipc.removeListener(channel, listener);
      };
    },
  });
}
