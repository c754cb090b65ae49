import {
  type CommandChannel,
  type CommandResult,
  type EventChannel,
  type EventPayload,
  isCommandChannel,
  type Result,
  UserError,
} from '../contract';
import { type ArgOf, type ConnectionState, type PanelBridge, type Transport, transportError, type Unsubscribe } from './transport';

const OPEN: ConnectionState = { status: 'open', attempt: 0, retryAt: null, serverVersion: null, lastError: null };

/**
 * Transport over the Electron preload bridge. The main process validates arguments and the
 * payloads it sends, and IPC cannot drop like a socket, so the state is always `open`.
 * Results are still shape-checked: a bridge that returns something else must not crash a store.
 */
export function createElectronTransport(bridge: PanelBridge): Transport {
  return {
    kind: 'electron',
    status: OPEN,
    async invoke<C extends CommandChannel>(channel: C, ...args: ArgOf<C>): Promise<Result<CommandResult<C>>> {
      if (!isCommandChannel(channel)) return transportError('unknown_channel', `Unknown command channel "${String(channel)}".`);
      let raw: unknown;
      try {
        raw = await bridge.invoke(channel, args[0]);
      } catch (err) {
        return transportError('ipc', `The desktop app did not answer ${channel}: ${err instanceof Error ? err.message : String(err)}`);
      }
      return asResult<CommandResult<C>>(raw, channel);
    },
    on<E extends EventChannel>(channel: E, cb: (payload: EventPayload<E>) => void): Unsubscribe {
      return bridge.on(channel, (payload) => cb(payload as EventPayload<E>));
    },
    onStatus(): Unsubscribe {
      return () => {};
    },
    retryNow() {},
    close() {},
  };
}

function asResult<T>(raw: unknown, channel: string): Result<T> {
  if (typeof raw === 'object' && raw !== null && 'ok' in raw) {
    const r = raw as { ok: unknown; value?: unknown; error?: unknown };
    if (r.ok === true) return { ok: true, value: r.value as T };
    if (r.ok === false) {
      const error = UserError.safeParse(r.error);
      if (error.success) return { ok: false, error: error.data };
    }
  }
  return transportError('protocol', `The desktop app sent a malformed answer to ${channel}.`);
}
