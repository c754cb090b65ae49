// The scraper against a real HTTP server that misbehaves ("Bad input" of issue 6), plus its
// schedule (interval, no overlap, exponential back-off) under a fake clock.
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../host/deps';
import { realClock } from '../host/deps';
import { fetchGetter, httpGetText, type TextGetter } from './fetch-text';
import { FakeVllm } from './fixtures/fake-vllm-server';
import { backoffMs, MAX_BACKOFF_MS, type ScrapeOutcome, Scraper, scrapeOnce, scrapeTimeoutMs } from './scraper';

const servers: FakeVllm[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function fake(o?: ConstructorParameters<typeof FakeVllm>[0]) {
  const f = new FakeVllm(o);
  servers.push(f);
  const url = await f.listen();
  return { f, url };
}

const TRANSPORTS: [string, TextGetter][] = [
  ['node:http', httpGetText],
  ['fetch', fetchGetter(fetch)],
];

/** Largest gap between 5 ms ticks while fn runs: a blocked event loop shows up here. */
async function maxLoopStall<T>(fn: () => Promise<T>): Promise<{ value: T; stallMs: number }> {
  let last = performance.now();
  let worst = 0;
  const h = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  try {
    const value = await fn();
    return { value, stallMs: worst };
  } finally {
    clearInterval(h);
  }
}

// Both transports (node:http, the scraper's default; fetch, injectable) behave the same.
describe.each(TRANSPORTS)('scrapeOnce over %s: bad input', (_name, get) => {
  const once = (url: string, o: { timeoutMs?: number; maxBytes?: number } = {}) =>
    scrapeOnce(get, { url }, { timeoutMs: o.timeoutMs ?? 2000, now: Date.now, ...(o.maxBytes ? { maxBytes: o.maxBytes } : {}) });

  it('reads a good body: engines summed, process start time as restart marker', async () => {
    const { f, url } = await fake({ engines: 2 });
    f.finish(0, { prompt: 100, gen: 50, ttft: 0.2, itl: 0.02, e2e: 1.2 });
    f.finish(1, { prompt: 30, gen: 20, ttft: 0.3, itl: 0.02, e2e: 0.7 });
    const r = await once(url);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.snapshot.generationTokens).toBe(70);
    expect(r.snapshot.promptTokens).toBe(130);
    expect(r.snapshot.engines).toEqual(['0', '1']);
    expect(r.startMarker).toBe(f.startTime);
    expect(r.parsed.issues).toEqual([]);
  });

  it('malformed lines are reported as parse issues; the valid samples around them still count', async () => {
    const { f, url } = await fake();
    f.finish(0, { prompt: 10, gen: 40, ttft: 0.1, itl: 0.03, e2e: 1 });
    f.mode = 'garbage';
    const r = await once(url);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.parsed.issues.length).toBeGreaterThan(3);
    expect(r.snapshot.generationTokens).toBe(40);
    expect(r.snapshot.hist.ttft?.count).toBe(1);
  });

  it('a body cut off mid-line is refused as truncated (a missing engine must not look like a restart)', async () => {
    const { url, f } = await fake({ engines: 2 });
    f.mode = 'truncated';
    const r = await once(url);
    expect(r).toMatchObject({ ok: false, kind: 'truncated' });
  });

  it('a connection dropped in the middle of the body is a network error, not a parse', async () => {
    const { url, f } = await fake();
    f.mode = 'drop';
    const r = await once(url);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(['network', 'truncated']).toContain(r.kind);
  });

  it('an HTML page is "not a vLLM server", and HTTP errors carry the status', async () => {
    const { url, f } = await fake();
    f.mode = 'html';
    expect(await once(url)).toMatchObject({ ok: false, kind: 'not_vllm' });
    f.mode = 'error';
    const r = await once(url);
    expect(r).toMatchObject({ ok: false, kind: 'http' });
    if (!r.ok) expect(r.message).toContain('503');
  });

  it('connection refused is classified (nothing listens on the port)', async () => {
    const { url, f } = await fake();
    await f.close();
    servers.splice(servers.indexOf(f), 1);
    const r = await once(url);
    expect(r).toMatchObject({ ok: false, kind: 'refused' });
  });

  it('a server that never answers times out at the timeout', async () => {
    const { url, f } = await fake();
    f.mode = 'hang';
    const t0 = performance.now();
    const r = await once(url, { timeoutMs: 300 });
    const took = performance.now() - t0;
    expect(r).toMatchObject({ ok: false, kind: 'timeout' });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1500);
  });

  it('a 50 MB body with a content-length is refused before reading it', async () => {
    const { url, f } = await fake();
    f.mode = 'huge-declared';
    const { value: r, stallMs } = await maxLoopStall(() => once(url, { maxBytes: 8 * 1024 * 1024 }));
    expect(r).toMatchObject({ ok: false, kind: 'too_large' });
    if (!r.ok) expect(r.message).toMatch(/50 MB.*limit is 8\.0 MB/);
    // Refused on the header: (almost) nothing of the body was sent.
    await new Promise((res) => setTimeout(res, 50));
    expect(f.hugeSent).toBeLessThan(8 * 1024 * 1024);
    expect(stallMs).toBeLessThan(1000);
  });

  it('a 50 MB streamed body is cut off at the cap: no parse, no long event-loop stall', async () => {
    const { url, f } = await fake();
    f.mode = 'huge';
    const t0 = performance.now();
    const { value: r, stallMs } = await maxLoopStall(() => once(url, { maxBytes: 8 * 1024 * 1024, timeoutMs: 10_000 }));
    expect(r).toMatchObject({ ok: false, kind: 'too_large' });
    // The client hung up soon after the cap: the server got to write little more than 8 MB
    // (plus what the socket buffers held), nowhere near 50 MB.
    await new Promise((res) => setTimeout(res, 50));
    expect(f.hugeSent).toBeLessThan(24 * 1024 * 1024);
    // Reading 8 MB over loopback is tens of ms; parsing 50 MB would take seconds and block the
    // loop. The stall bound is loose because the fake server shares this event loop and the
    // machine is shared too.
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(stallMs).toBeLessThan(1000);
  });

  it('sends the API key as a bearer token when one is given', async () => {
    const { url, f } = await fake();
    await scrapeOnce(get, { url, apiKey: 'sk-test' }, { timeoutMs: 2000, now: Date.now });
    await scrapeOnce(get, { url }, { timeoutMs: 2000, now: Date.now });
    expect(f.authHeaders).toEqual(['Bearer sk-test', undefined]);
  });
});

describe('timeouts and back-off', () => {
  it('the timeout is below the interval, and back-off doubles up to the cap', () => {
    for (const i of [250, 1000, 5000, 60_000]) expect(scrapeTimeoutMs(i)).toBeLessThan(i);
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(1000, n))).toEqual([1000, 2000, 4000, 8000, MAX_BACKOFF_MS]);
    expect(backoffMs(1000, 50)).toBe(MAX_BACKOFF_MS);
    expect(backoffMs(1000, 0)).toBe(0);
  });

  it.each([
    ['node:http', undefined],
    ['fetch', fetch],
  ] as const)('against a hanging server (%s): never two scrapes at once, and attempts back off', async (_name, f0) => {
    const { url, f } = await fake();
    f.mode = 'hang';
    const results: ScrapeOutcome[] = [];
    let idle = 0;
    const s = new Scraper({
      ...(f0 ? { fetch: f0 } : {}),
      clock: realClock,
      intervalMs: () => 250,
      onResult: (r) => results.push(r),
      onIdleTick: () => idle++,
    });
    s.start({ url });
    await new Promise((r) => setTimeout(r, 2600));
    s.stop();
    await s.idle();
    // Each attempt takes the whole 200 ms timeout; 2.6 s at 250 ms would be ~10 attempts without
    // back-off; with it (250, 500, 1000 ms waits) it is 4–5.
    expect(results.length).toBeGreaterThanOrEqual(3);
    expect(results.length).toBeLessThanOrEqual(6);
    expect(results.every((r) => !r.ok && r.kind === 'timeout')).toBe(true);
    expect(s.maxInFlight).toBe(1);
    expect(f.maxActive).toBe(1);
    expect(idle).toBeGreaterThan(0);
  });
});

/** A manual clock: timers run only when the test advances time. */
class FakeClock implements Clock {
  t = 1_000_000;
  private timers: { id: number; at: number; fn: () => void; every?: number }[] = [];
  private seq = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.timers.push({ id, at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  setInterval = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.timers.push({ id, at: this.t + ms, fn, every: ms });
    return id;
  };
  clearInterval = (h: unknown) => this.clearTimeout(h);
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flushAsync();
      const next = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.t = next.at;
      if (next.every) next.at += next.every;
      else this.timers = this.timers.filter((x) => x !== next);
      next.fn();
    }
    this.t = end;
    await flushAsync();
  }
}
const flushAsync = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe('Scraper schedule (fake clock)', () => {
  function setup() {
    const clock = new FakeClock();
    let up = false;
    const attemptsAt: number[] = [];
    const fakeFetch = (async () => {
      attemptsAt.push(clock.t);
      if (!up) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      return new Response('vllm:num_requests_running{engine="0"} 1\n', { status: 200 });
    }) as unknown as typeof fetch;
    const results: ScrapeOutcome[] = [];
    const idleTicks: number[] = [];
    const s = new Scraper({
      fetch: fakeFetch,
      clock,
      intervalMs: () => 1000,
      onResult: (r) => results.push(r),
      onIdleTick: (t) => idleTicks.push(t),
    });
    return { clock, s, attemptsAt, results, idleTicks, setUp: (v: boolean) => (up = v) };
  }

  it('backs off 1, 2, 4, 8, 15 s while refused, keeps ticking every interval, and resumes the interval when back', async () => {
    const { clock, s, attemptsAt, results, idleTicks, setUp } = setup();
    const t0 = clock.t;
    s.start({ url: 'http://127.0.0.1:9' });
    await clock.advance(40_000);
    const rel = attemptsAt.map((t) => t - t0);
    expect(rel.slice(0, 6)).toEqual([0, 1000, 3000, 7000, 15_000, 30_000]);
    expect(results.every((r) => !r.ok && r.kind === 'refused')).toBe(true);
    expect(s.consecutiveFailures).toBe(6);
    // Ticks without an attempt keep the timeline going (one per interval).
    expect(idleTicks.length + attemptsAt.length).toBe(41);
    expect(s.backoffUntil).toBe(t0 + 30_000 + MAX_BACKOFF_MS);
    setUp(true);
    await clock.advance(5000);
    const after = attemptsAt.map((t) => t - t0).filter((t) => t > 30_000);
    expect(after[0]).toBe(45_000);
    expect(results.at(-1)?.ok).toBe(true);
    await clock.advance(3000);
    expect(attemptsAt.map((t) => t - t0).filter((t) => t > 45_000)).toEqual([46_000, 47_000, 48_000]);
    expect(s.consecutiveFailures).toBe(0);
    s.stop();
  });

  it('kick() scrapes at once and forgets the back-off (the launched server became ready)', async () => {
    const { clock, s, attemptsAt, setUp } = setup();
    const t0 = clock.t;
    s.start({ url: 'http://127.0.0.1:9' });
    await clock.advance(7500);
    expect(attemptsAt.map((t) => t - t0)).toEqual([0, 1000, 3000, 7000]);
    setUp(true);
    s.kick();
    await clock.advance(0);
    expect(attemptsAt.at(-1)! - t0).toBe(7500);
    await clock.advance(1000);
    expect(attemptsAt.at(-1)! - t0).toBe(8500);
    s.stop();
  });

  it('stop() ends the schedule; a result that arrives after stop is dropped', async () => {
    const clock = new FakeClock();
    let release: (r: Response) => void = () => {};
    const slow = (() => new Promise<Response>((r) => (release = r))) as unknown as typeof fetch;
    const results: ScrapeOutcome[] = [];
    const s = new Scraper({ fetch: slow, clock, intervalMs: () => 1000, onResult: (r) => results.push(r) });
    s.start({ url: 'http://x' });
    await clock.advance(10);
    s.stop();
    release(new Response('vllm:num_requests_running 1\n'));
    await clock.advance(5000);
    expect(results).toEqual([]);
    expect(s.attempts).toBe(1);
  });
});
