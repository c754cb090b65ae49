// IPC between the window and the core. Every command channel of the contract is registered with
// ipcMain.handle; each call checks who sent it, then hands the argument to core.invokeUntrusted,
// which checks the channel again and validates the argument with the contract's zod schema.
// Pure: takes the electron objects as parameters (structural types) so tests can pass fakes.
import { COMMAND_CHANNELS, isEventChannel } from '../../app/contract/channels';
import type { Core } from '../../app/host/core';
import { isAppUrl } from './security';

/** The parts of an IpcMainInvokeEvent the sender check reads. */
export interface InvokeEventLike {
  readonly sender: unknown;
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

/** The parts of a BrowserWindow the IPC layer uses. */
export interface WindowLike {
  readonly webContents: { send(channel: string, payload: unknown): void; isDestroyed(): boolean };
  isDestroyed(): boolean;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export class UntrustedSenderError extends Error {
  constructor(channel: string) {
    super(`Refused ${channel}: the request did not come from the vLLM Panel window.`);
    this.name = 'UntrustedSenderError';
  }
}

/**
 * Trusted = sent by our window's webContents, from its top-level frame, while that frame shows our
 * index.html. A frame that navigated elsewhere (or an embedded frame) gets nothing.
 */
export function isTrustedSender(event: InvokeEventLike, win: WindowLike | undefined, indexUrl: string): boolean {
  if (!win || win.isDestroyed() || win.webContents.isDestroyed()) return false;
  if (event.sender !== win.webContents) return false;
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return isAppUrl(frame.url, indexUrl);
}

/**
 * Registers one ipcMain.handle per command channel. The preload sends exactly one argument;
 * anything else is refused before the core sees it. Returns a function that unregisters them.
 */
export function registerCommandHandlers(
  ipcMain: IpcMainLike,
  core: Pick<Core, 'invokeUntrusted'>,
  getWindow: () => WindowLike | undefined,
  indexUrl: string,
): () => void {
  for (const channel of COMMAND_CHANNELS) {
    ipcMain.handle(channel, async (event, ...args) => {
      // A rejection reaches the renderer as an error of ipcRenderer.invoke; an untrusted sender
      // learns nothing beyond that.
      if (!isTrustedSender(event, getWindow(), indexUrl)) throw new UntrustedSenderError(channel);
      if (args.length > 1) {
        return {
          ok: false,
          error: { kind: 'invalid_argument', message: `${channel} takes one argument (got ${args.length}).`, remedies: [] },
        };
      }
      return core.invokeUntrusted(channel, args[0]);
    });
  }
  return () => {
    for (const channel of COMMAND_CHANNELS) ipcMain.removeHandler(channel);
  };
}

/** Pushes the core's events to the window, only for allow-listed event channels. */
export function forwardEvents(core: Pick<Core, 'subscribe'>, getWindow: () => WindowLike | undefined): () => void {
  return core.subscribe((msg) => {
    if (!isEventChannel(msg.channel)) return;
    const win = getWindow();
    if (!win || win.isDestroyed() || win.webContents.isDestroyed()) return;
    win.webContents.send(msg.channel, msg.payload);
  });
}
