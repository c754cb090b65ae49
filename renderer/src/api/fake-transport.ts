import type { CommandArg, CommandChannel, CommandResult, EventChannel, EventPayload, Result } from '../contract';
import { type ArgOf, type ConnectionState, type Transport, transportError, type Unsubscribe } from './transport';

type Answer<C extends CommandChannel> = (arg: CommandArg<C> | undefined) => Result<CommandResult<C>> | Promise<Result<CommandResult<C>>>;

/**
 * An in-memory Transport for store and bootstrap tests (and feature tests): answer commands
 * with `handle`, push events with `emit`, move the connection with `setStatus`. Unanswered
 * channels resolve with an `unknown_channel` error so a test notices a missing handler.
 */
export class FakeTransport implements Transport {
  readonly kind: 'electron' | 'websocket';
  status: ConnectionState;
  readonly calls: { channel: CommandChannel; arg: unknown }[] = [];
  private answers = new Map<string, Answer<CommandChannel>>();
  private subs = new Map<string, Set<(p: unknown) => void>>();
  private statusSubs = new Set<(s: ConnectionState) => void>();
  retries = 0;

  constructor(kind: 'electron' | 'websocket' = 'websocket', status: ConnectionState['status'] = 'open') {
    this.kind = kind;
    this.status = { status, attempt: 0, retryAt: null, serverVersion: null, lastError: null };
  }

  handle<C extends CommandChannel>(channel: C, answer: Answer<C>): this {
    this.answers.set(channel, answer as unknown as Answer<CommandChannel>);
    return this;
  }

  async invoke<C extends CommandChannel>(channel: C, ...args: ArgOf<C>): Promise<Result<CommandResult<C>>> {
    this.calls.push({ channel, arg: args[0] });
    const answer = this.answers.get(channel) as Answer<C> | undefined;
    if (!answer) return transportError('unknown_channel', `FakeTransport has no handler for ${channel}`);
    return answer(args[0]);
  }

  on<E extends EventChannel>(channel: E, cb: (payload: EventPayload<E>) => void): Unsubscribe {
    let s = this.subs.get(channel);
    if (!s) this.subs.set(channel, (s = new Set()));
    const fn = cb as (p: unknown) => void;
    s.add(fn);
    return () => s.delete(fn);
  }

  emit<E extends EventChannel>(channel: E, payload: EventPayload<E>): void {
    for (const cb of this.subs.get(channel) ?? []) cb(payload);
  }

  listenerCount(channel: EventChannel): number {
    return this.subs.get(channel)?.size ?? 0;
  }

  onStatus(cb: (s: ConnectionState) => void): Unsubscribe {
    this.statusSubs.add(cb);
    return () => this.statusSubs.delete(cb);
  }

  setStatus(patch: Partial<ConnectionState>): void {
    this.status = { ...this.status, ...patch };
    for (const cb of this.statusSubs) cb(this.status);
  }

  retryNow(): void {
    this.retries++;
  }

  close(): void {
    this.setStatus({ status: 'closed' });
  }
}
