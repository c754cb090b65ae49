import {
  type CommandChannel,
  type CommandResult,
  commands,
  type EventChannel,
  type EventPayload,
  events,
  isCommandChannel,
  isEventChannel,
  type Result,
  ServerMessage,
  WS_PATH,
} from '../contract';
import { type ArgOf, type ConnectionState, type Transport, transportError, type Unsubscribe } from './transport';

/** The subset of the browser WebSocket this transport uses (lets tests inject a fake). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
export type WebSocketCtor = new (url: string) => WebSocketLike;

/** WebSocket.OPEN; the constant lives on the constructor, which a fake may not copy. */
const WS_OPEN = 1;

export interface WsTransportOptions {
  url: string;
  /** Defaults to the global WebSocket. */
  WebSocket?: WebSocketCtor;
  /** A command without an answer after this long resolves with a `timeout` error. */
  requestTimeoutMs?: number;
  /** First reconnect delay; doubles per failed attempt up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** [0,1) source for jitter; injectable so tests are deterministic. */
  random?: () => number;
  now?: () => number;
  /** Protocol problems (malformed messages, unknown events) are reported here, never thrown. */
  onWarning?: (message: string) => void;
}

// 30 s: longer than any request/response command should take (long work — starting a server,
// a benchmark — answers at once and reports progress through events).
const DEFAULT_TIMEOUT_MS = 30_000;
// 500 ms → 10 s: quick enough to reattach after a web-shell restart, gentle on a dead host.
const DEFAULT_INITIAL_BACKOFF_MS = 500;
const DEFAULT_MAX_BACKOFF_MS = 10_000;

interface Pending {
  channel: CommandChannel;
  frame: string;
  sent: boolean;
  timer: ReturnType<typeof setTimeout>;
  resolve(r: Result<unknown>): void;
}

/** `http://host:port` → `ws://host:port/api/ws` (https → wss). */
export function wsUrlFromOrigin(origin: string): string {
  return `${origin.replace(/^http/, 'ws')}${WS_PATH}`;
}

/** Backoff before reconnect attempt `attempt` (1-based): exponential, capped, with ±25 % jitter. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * The web shell's transport: one WebSocket (the auth cookie rides on the upgrade request),
 * numbered requests with timeouts, events validated against the contract, and reconnect with
 * backoff. Commands issued while disconnected wait (up to their timeout) and are sent on reconnect;
 * commands already sent when the socket drops resolve with a `disconnected` error, since whether
 * the core ran them is unknown.
 */
export function createWsTransport(opts: WsTransportOptions): Transport {
  const maybeCtor = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  if (!maybeCtor) throw new Error('No WebSocket implementation available');
  const Ctor: WebSocketCtor = maybeCtor;
  const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const initialBackoff = opts.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
  const maxBackoff = opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const warn = opts.onWarning ?? ((m: string) => console.warn(`[transport] ${m}`));

  let socket: WebSocketLike | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let nextId = 1;
  let closedByUser = false;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const statusListeners = new Set<(s: ConnectionState) => void>();
  const warnedChannels = new Set<string>();
  let state: ConnectionState = { status: 'connecting', attempt: 0, retryAt: null, serverVersion: null, lastError: null };

  function setState(patch: Partial<ConnectionState>) {
    state = { ...state, ...patch };
    for (const cb of statusListeners) {
      try {
        cb(state);
      } catch (err) {
        console.error(err);
      }
    }
  }

  function connect() {
    reconnectTimer = null;
    let ws: WebSocketLike;
    try {
      ws = new Ctor(opts.url);
    } catch (err) {
      scheduleReconnect(err instanceof Error ? err.message : String(err));
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      setState({ status: 'open', attempt: 0, retryAt: null, lastError: null });
      for (const p of [...pending.values()]) {
        if (!p.sent) {
          p.sent = true;
          ws.send(p.frame);
        }
      }
    };
    ws.onmessage = (ev) => {
      if (socket === ws) handleMessage(ev.data);
    };
    ws.onerror = () => {
      // The close event that follows carries the details; nothing to do here.
    };
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = null;
      failSent(closedByUser ? 'closed' : 'disconnected');
      if (closedByUser) return;
      scheduleReconnect(ev.reason || `connection closed (code ${ev.code})`);
    };
  }

  function scheduleReconnect(reason: string) {
    const attempt = state.attempt + 1;
    const delay = backoffDelay(attempt, initialBackoff, maxBackoff, random);
    setState({ status: 'reconnecting', attempt, retryAt: now() + delay, lastError: reason });
    reconnectTimer = setTimeout(connect, delay);
  }

  function failSent(kind: 'closed' | 'disconnected') {
    for (const [id, p] of pending) {
      if (!p.sent) continue;
      pending.delete(id);
      clearTimeout(p.timer);
      p.resolve(
        kind === 'closed'
          ? transportError('closed', 'The panel connection was closed.')
          : transportError('disconnected', `Lost the connection to the panel before it answered ${p.channel}; it may or may not have run.`),
      );
    }
  }

  function handleMessage(data: unknown) {
    if (typeof data !== 'string') return warn('ignored a non-text message');
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return warn('ignored a message that is not JSON');
    }
    const parsed = ServerMessage.safeParse(json);
    if (!parsed.success) return warn(`ignored a malformed message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const msg = parsed.data;
    switch (msg.t) {
      case 'hello':
        setState({ serverVersion: msg.version });
        return;
      case 'result': {
        const p = pending.get(msg.id);
        if (!p) return; // answered after its timeout: the caller already got a `timeout` error
        pending.delete(msg.id);
        clearTimeout(p.timer);
        if (!msg.ok) return p.resolve({ ok: false, error: msg.error });
        const value = commands[p.channel].res.safeParse(msg.value);
        if (!value.success) {
          warn(`the answer to ${p.channel} does not match the contract`);
          return p.resolve(transportError('protocol', `The panel sent an answer to ${p.channel} that this UI does not understand.`));
        }
        return p.resolve({ ok: true, value: value.data });
      }
      case 'event': {
        const { channel } = msg;
        if (!isEventChannel(channel)) {
          if (!warnedChannels.has(channel)) {
            warnedChannels.add(channel);
            warn(`ignored events on unknown channel "${channel.slice(0, 100)}"`);
          }
          return;
        }
        const payload = events[channel].safeParse(msg.payload);
        if (!payload.success) return warn(`ignored a "${channel}" event that does not match the contract`);
        const subs = listeners.get(channel);
        if (!subs) return;
        for (const cb of [...subs]) {
          try {
            cb(payload.data);
          } catch (err) {
            console.error(err);
          }
        }
        return;
      }
    }
  }

  connect();

  return {
    kind: 'websocket',
    get status() {
      return state;
    },
    invoke<C extends CommandChannel>(channel: C, ...args: ArgOf<C>): Promise<Result<CommandResult<C>>> {
      if (closedByUser) return Promise.resolve(transportError('closed', 'The panel connection was closed.'));
      if (!isCommandChannel(channel))
        return Promise.resolve(transportError('unknown_channel', `Unknown command channel "${String(channel)}".`));
      const id = nextId++;
      const frame = JSON.stringify({ t: 'invoke', id, channel, arg: args[0] });
      return new Promise<Result<CommandResult<C>>>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve(transportError('timeout', `No answer to ${channel} after ${Math.round(timeoutMs / 1000)} s.`));
        }, timeoutMs);
        const open = socket !== null && socket.readyState === WS_OPEN;
        pending.set(id, { channel, frame, sent: open, timer, resolve: resolve as (r: Result<unknown>) => void });
        if (open) socket?.send(frame);
      });
    },
    on<E extends EventChannel>(channel: E, cb: (payload: EventPayload<E>) => void): Unsubscribe {
      let subs = listeners.get(channel);
      if (!subs) listeners.set(channel, (subs = new Set()));
      const fn = cb as (payload: unknown) => void;
      subs.add(fn);
      return () => {
        subs.delete(fn);
      };
    },
    onStatus(cb) {
      statusListeners.add(cb);
      return () => {
        statusListeners.delete(cb);
      };
    },
    retryNow() {
      if (closedByUser || state.status !== 'reconnecting' || reconnectTimer === null) return;
      clearTimeout(reconnectTimer);
      connect();
    },
    close() {
      if (closedByUser) return;
      closedByUser = true;
      if (reconnectTimer !== null) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      const ws = socket;
      socket = null;
      ws?.close(1000, 'closed by the UI');
      for (const p of pending.values()) p.sent = true;
      failSent('closed');
      setState({ status: 'closed', retryAt: null });
    },
  };
}
