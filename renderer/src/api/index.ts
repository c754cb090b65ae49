import { createElectronTransport } from './electron-transport';
import { type ConnectionState, type PanelBridge, type Transport, transportError } from './transport';
import { createWsTransport, type WsTransportOptions, wsUrlFromOrigin } from './ws-transport';

export type { ArgOf, ConnectionState, ConnectionStatus, PanelBridge, Transport, Unsubscribe } from './transport';

let current: Transport | undefined;

/** What `pickTransport` looks at (a Window in the app; a plain object in tests). */
export interface TransportHost {
  vllmPanel?: PanelBridge;
  location?: { origin: string };
}

/** Electron's preload bridge when it exists, else the web shell's WebSocket on this origin. */
export function pickTransport(host: TransportHost, wsOptions: Omit<WsTransportOptions, 'url'> = {}): Transport {
  if (host.vllmPanel) return createElectronTransport(host.vllmPanel);
  const origin = host.location?.origin ?? '';
  // Opened from file:// without the preload's bridge (a preload that failed to load, or the
  // built index.html opened by hand): there is no core to reach, so say so instead of retrying.
  if (!/^https?:\/\//.test(origin)) {
    return createDetachedTransport(
      'This page has no connection to the panel: open it through the desktop app or the “vllm-panel web” URL.',
    );
  }
  return createWsTransport({ ...wsOptions, url: wsUrlFromOrigin(origin) });
}

/** A transport with nothing behind it: closed from the start, every command fails with `reason`. */
export function createDetachedTransport(reason: string): Transport {
  const status: ConnectionState = { status: 'closed', attempt: 0, retryAt: null, serverVersion: null, lastError: reason };
  return {
    kind: 'websocket',
    status,
    invoke: async () => transportError('closed', reason),
    on: () => () => {},
    onStatus: () => () => {},
    retryNow() {},
    close() {},
  };
}

/** The app's transport, created on first use. Only stores and bootstrap call this. */
export function getTransport(): Transport {
  current ??= pickTransport(globalThis as TransportHost);
  return current;
}

/** Replaces the app's transport (tests; bootstrap when it wants options). */
export function setTransport(t: Transport | undefined): void {
  current = t;
}
