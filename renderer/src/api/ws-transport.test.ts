import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState } from './transport';
import { backoffDelay, createWsTransport, type WebSocketLike, wsUrlFromOrigin } from './ws-transport';

/** A scriptable stand-in for the browser WebSocket: tests drive open/message/close by hand. */
class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data));
  }
  close(code?: number, reason?: string) {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }
  // --- test helpers ---
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(msg: unknown) {
    this.onmessage?.({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) });
  }
  drop(code = 1006, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  lastSent() {
    return this.sent.at(-1) as { t: string; id: number; channel: string; arg?: unknown };
  }
}

const settings = {
  theme: 'dark',
  disableHardwareAcceleration: true,
  logBufferLines: 50000,
  stopGraceSeconds: 20,
  metricsIntervalMs: 1000,
  gpuPollMs: 2000,
  keepServerRunningOnQuit: false,
};
const info = { name: 'vllm-panel', version: '0.1.0', shell: 'web', platform: 'linux', nodeVersion: 'v20', configDir: '/c' };

let warnings: string[];
function make(extra: Partial<Parameters<typeof createWsTransport>[0]> = {}) {
  warnings = [];
  return createWsTransport({
    url: 'ws://127.0.0.1:7860/api/ws',
    WebSocket: FakeSocket,
    random: () => 0.5, // no jitter: delays are exactly the exponential base
    onWarning: (m) => warnings.push(m),
    ...extra,
  });
}
const sock = (i = -1) => FakeSocket.instances.at(i)!;

beforeEach(() => {
  FakeSocket.instances = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('url and backoff', () => {
  it('derives ws/wss URLs from the page origin', () => {
    expect(wsUrlFromOrigin('http://127.0.0.1:7860')).toBe('ws://127.0.0.1:7860/api/ws');
    expect(wsUrlFromOrigin('https://box.lan')).toBe('wss://box.lan/api/ws');
  });
  it('doubles the delay per attempt, caps it, and jitters ±25 %', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(a, 500, 10_000, mid))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(backoffDelay(1, 1000, 10_000, () => 0)).toBe(750);
    expect(backoffDelay(1, 1000, 10_000, () => 0.999999)).toBe(1250);
  });
});

describe('ws-transport commands', () => {
  it('connects to the URL, sends numbered invokes and resolves validated results', async () => {
    const t = make();
    expect(sock().url).toBe('ws://127.0.0.1:7860/api/ws');
    expect(t.status.status).toBe('connecting');
    sock().open();
    expect(t.status.status).toBe('open');

    const a = t.invoke('app:info');
    const b = t.invoke('settings:update', { theme: 'light' });
    const [first, second] = sock().sent as { id: number; channel: string; arg?: unknown; t: string }[];
    expect(first).toMatchObject({ t: 'invoke', channel: 'app:info' });
    expect(second).toMatchObject({ t: 'invoke', channel: 'settings:update', arg: { theme: 'light' } });
    expect(second!.id).not.toBe(first!.id);

    // Answers may come out of order; ids route them.
    sock().receive({ t: 'result', id: second!.id, ok: true, value: { ...settings, theme: 'light' } });
    sock().receive({ t: 'result', id: first!.id, ok: true, value: info });
    await expect(a).resolves.toEqual({ ok: true, value: info });
    await expect(b).resolves.toMatchObject({ ok: true, value: { theme: 'light' } });
  });

  it('passes user errors through with their kind, field and remedies', async () => {
    const t = make();
    sock().open();
    const p = t.invoke('settings:update', { stopGraceSeconds: 0 });
    sock().receive({
      t: 'result',
      id: sock().lastSent().id,
      ok: false,
      error: { kind: 'invalid_argument', message: 'too small', field: 'stopGraceSeconds' },
    });
    await expect(p).resolves.toEqual({
      ok: false,
      error: { kind: 'invalid_argument', message: 'too small', field: 'stopGraceSeconds', remedies: [] },
    });
  });

  it('turns an answer that breaks the contract into a protocol error', async () => {
    const t = make();
    sock().open();
    const p = t.invoke('app:info');
    sock().receive({ t: 'result', id: sock().lastSent().id, ok: true, value: { name: 42 } });
    await expect(p).resolves.toMatchObject({ ok: false, error: { kind: 'protocol' } });
    expect(warnings.join()).toMatch(/app:info/);
  });

  it('times out a command nobody answers, and ignores the late answer', async () => {
    const t = make({ requestTimeoutMs: 1000 });
    sock().open();
    const p = t.invoke('app:info');
    const { id } = sock().lastSent();
    vi.advanceTimersByTime(999);
    let settled = false;
    void p.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    vi.advanceTimersByTime(1);
    await expect(p).resolves.toMatchObject({ ok: false, error: { kind: 'timeout' } });
    sock().receive({ t: 'result', id, ok: true, value: info });
    expect(warnings).toEqual([]);
  });

  it('queues commands issued before the socket opens and sends them on open', async () => {
    const t = make();
    const p = t.invoke('app:info');
    expect(sock().sent).toEqual([]);
    sock().open();
    expect(sock().sent).toHaveLength(1);
    sock().receive({ t: 'result', id: sock().lastSent().id, ok: true, value: info });
    await expect(p).resolves.toMatchObject({ ok: true });
  });

  it('refuses a channel the contract does not know without touching the socket', async () => {
    const t = make();
    sock().open();
    // @ts-expect-error: not a command channel
    await expect(t.invoke('nope:never')).resolves.toMatchObject({ ok: false, error: { kind: 'unknown_channel' } });
    expect(sock().sent).toEqual([]);
  });
});

describe('ws-transport events', () => {
  it('delivers validated events to subscribers until they unsubscribe', () => {
    const t = make();
    sock().open();
    const got: unknown[] = [];
    const off = t.on('notice', (n) => got.push(n.message));
    const notice = { level: 'warning', message: 'settings file was corrupt', at: 1 };
    sock().receive({ t: 'event', channel: 'notice', payload: notice });
    off();
    sock().receive({ t: 'event', channel: 'notice', payload: notice });
    expect(got).toEqual(['settings file was corrupt']);
  });

  it('applies schema defaults to event payloads', () => {
    const t = make();
    sock().open();
    const got: unknown[] = [];
    t.on('settings', (s) => got.push(s));
    sock().receive({ t: 'event', channel: 'settings', payload: { theme: 'light' } });
    expect(got).toEqual([{ ...settings, theme: 'light' }]);
  });

  it('drops malformed messages and payloads, warning instead of throwing', () => {
    const t = make();
    sock().open();
    const got: unknown[] = [];
    t.on('notice', (n) => got.push(n));
    sock().receive('not json{');
    sock().receive({ t: 'bogus' });
    sock().receive({ t: 'event', channel: 'notice', payload: { level: 'fatal', message: 'x', at: 1 } });
    sock().receive({ t: 'event', channel: 'made-up', payload: {} });
    sock().receive({ t: 'event', channel: 'made-up', payload: {} });
    sock().onmessage?.({ data: new Uint8Array([1, 2]) });
    expect(got).toEqual([]);
    expect(warnings).toHaveLength(5); // the unknown channel warns once
  });

  it('keeps delivering to other subscribers when one throws', () => {
    const t = make();
    sock().open();
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const got: string[] = [];
    t.on('notice', () => {
      throw new Error('boom');
    });
    t.on('notice', (n) => got.push(n.message));
    sock().receive({ t: 'event', channel: 'notice', payload: { level: 'info', message: 'hi', at: 1 } });
    expect(got).toEqual(['hi']);
    expect(err).toHaveBeenCalledOnce();
    err.mockRestore();
  });

  it('records the version from hello', () => {
    const t = make();
    sock().open();
    sock().receive({ t: 'hello', version: '0.1.0' });
    expect(t.status.serverVersion).toBe('0.1.0');
  });
});

describe('ws-transport reconnect', () => {
  it('shows reconnecting with backoff after a drop, then reopens and resets the attempt count', () => {
    vi.setSystemTime(10_000);
    const t = make();
    const states: ConnectionState[] = [];
    t.onStatus((s) => states.push(s));
    sock().open();
    sock().drop(1006);
    expect(t.status).toMatchObject({ status: 'reconnecting', attempt: 1, retryAt: 10_500 });
    expect(t.status.lastError).toMatch(/1006/);
    expect(FakeSocket.instances).toHaveLength(1);

    vi.advanceTimersByTime(500);
    expect(FakeSocket.instances).toHaveLength(2);
    sock().drop(1006); // the retry fails too: the next wait doubles
    expect(t.status).toMatchObject({ status: 'reconnecting', attempt: 2 });
    vi.advanceTimersByTime(999);
    expect(FakeSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(3);
    sock().open();
    expect(t.status).toMatchObject({ status: 'open', attempt: 0, retryAt: null, lastError: null });
    expect(states.map((s) => s.status)).toEqual(['open', 'reconnecting', 'reconnecting', 'open']);
  });

  it('fails commands in flight when the socket drops, and sends commands issued meanwhile on reconnect', async () => {
    const t = make();
    sock().open();
    const inFlight = t.invoke('app:info');
    sock().drop();
    await expect(inFlight).resolves.toMatchObject({ ok: false, error: { kind: 'disconnected' } });

    const later = t.invoke('settings:get');
    vi.advanceTimersByTime(500);
    sock().open();
    const sent = sock().lastSent();
    expect(sent.channel).toBe('settings:get');
    sock().receive({ t: 'result', id: sent.id, ok: true, value: settings });
    await expect(later).resolves.toMatchObject({ ok: true, value: { theme: 'dark' } });
  });

  it('retryNow skips the wait', () => {
    const t = make({ initialBackoffMs: 60_000 });
    sock().open();
    sock().drop();
    t.retryNow();
    expect(FakeSocket.instances).toHaveLength(2);
    // the cancelled timer must not open a third socket later
    vi.advanceTimersByTime(120_000);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('keeps retrying when the constructor itself throws', () => {
    let fail = true;
    class Flaky extends FakeSocket {
      constructor(url: string) {
        if (fail) throw new Error('blocked');
        super(url);
      }
    }
    const t = make({ WebSocket: Flaky });
    expect(t.status).toMatchObject({ status: 'reconnecting', lastError: 'blocked' });
    fail = false;
    vi.advanceTimersByTime(500);
    sock().open();
    expect(t.status.status).toBe('open');
  });

  it('close() stops reconnecting and fails pending commands', async () => {
    const t = make();
    const queued = t.invoke('app:info');
    sock().open();
    const first = sock();
    t.close();
    expect(first.closedWith?.code).toBe(1000);
    await expect(queued).resolves.toMatchObject({ ok: false, error: { kind: 'closed' } });
    expect(t.status.status).toBe('closed');
    first.drop(1000);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    await expect(t.invoke('app:info')).resolves.toMatchObject({ ok: false, error: { kind: 'closed' } });
  });
});
