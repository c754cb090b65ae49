import type { CommandArg, CommandChannel, CommandResult, EventChannel, EventPayload, Result, UserError } from '../contract';

/**
 * How the renderer reaches the core. Two implementations: the Electron preload bridge
 * (electron-transport.ts) and the web shell's WebSocket (ws-transport.ts). Only stores and
 * their actions use a Transport; components never do.
 */
export interface Transport {
  readonly kind: 'electron' | 'websocket';
  invoke<C extends CommandChannel>(channel: C, ...arg: ArgOf<C>): Promise<Result<CommandResult<C>>>;
  on<E extends EventChannel>(channel: E, cb: (payload: EventPayload<E>) => void): Unsubscribe;
  /** Current connection state (Electron IPC is always open). */
  readonly status: ConnectionState;
  onStatus(cb: (state: ConnectionState) => void): Unsubscribe;
  /** Skip the backoff wait and try to reconnect now (no-op where there is nothing to reconnect). */
  retryNow(): void;
  /** Closes the transport for good; pending commands resolve with a `closed` error. */
  close(): void;
}

/** Commands whose argument may be omitted (e.g. `app:info`) can be invoked with no argument. */
export type ArgOf<C extends CommandChannel> = undefined extends CommandArg<C> ? [arg?: CommandArg<C>] : [arg: CommandArg<C>];

export type Unsubscribe = () => void;

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Reconnect attempts since the last successful open (0 when open). */
  attempt: number;
  /** Epoch ms of the next reconnect attempt while `reconnecting`, else null. */
  retryAt: number | null;
  /** Version the core announced in its `hello` (WebSocket only). */
  serverVersion: string | null;
  /** Why the last connection ended, when known. */
  lastError: string | null;
}

/**
 * What the Electron preload exposes as `window.vllmPanel` (electron/preload). Untyped on
 * purpose: the preload only knows the channel allow-list, not the schemas.
 */
export interface PanelBridge {
  invoke(channel: string, arg?: unknown): Promise<unknown>;
  on(channel: string, cb: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    vllmPanel?: PanelBridge;
  }
}

/** Builds the error half of a Result for failures that happen in the transport itself. */
export function transportError(kind: TransportErrorKind, message: string): { ok: false; error: UserError } {
  return { ok: false, error: { kind, message, remedies: [] } };
}

export type TransportErrorKind = 'timeout' | 'disconnected' | 'closed' | 'protocol' | 'ipc' | 'unknown_channel';
