// Integration: the core launches the simulator (server:start) and the metrics module follows it
// without being asked: scraping while starting/ready, server events as annotations on the same
// timeline, a new counter baseline on restart, stopped when the server stops.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMessage } from '../contract/index';
import type { Core } from '../host/core';
import { makeTestCore } from '../test-support/core';
import { ensureSimBuilt } from '../test-support/sim-build';

type MetricsEvent = Extract<EventMessage, { channel: 'metrics' }>['payload'];
let core: Core;
let cleanup: () => Promise<void>;
const events: MetricsEvent[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last metrics state: ${JSON.stringify(events.at(-1)?.state)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const kinds = () => events.flatMap((e) => e.annotations.map((a) => a.kind));

beforeAll(async () => {
  await ensureSimBuilt();
  const t = await makeTestCore({
    env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent-home', VLLM_SIM_SPEED: '40', VLLM_PANEL_NVIDIA_SMI: '/nonexistent/nvidia-smi' },
  });
  core = t.core;
  cleanup = t.cleanup;
  core.subscribe((e) => {
    if (e.channel === 'metrics') events.push(e.payload);
  });
  await core.invoke('settings:update', { metricsIntervalMs: 500 });
}, 60_000);

afterAll(async () => {
  await core.invoke('server:stop', undefined);
  await cleanup();
});

describe('following the launched server', () => {
  it('start → scraped automatically with a ready annotation; restart → restart annotation, no negative rates; stop → stopped', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const r = await core.invoke('server:start', { build: { profileId: 'low-latency', overrides: { port } } });
    expect(r.ok).toBe(true);
    await until(() => events.some((e) => e.state.status === 'up'), 'the first scrape');
    const st = events.at(-1)!.state;
    expect(st.target).toEqual({ url, source: 'server', hasApiKey: false });
    // The profile's --served-model-name is what vLLM puts in the model_name label.
    expect(st.modelNames).toHaveLength(1);
    const model = st.modelNames[0]!;
    // The launch has no access-log flag: the panel's scrapes would add a log line each.
    expect(st.tips.length).toBe(1);
    await until(() => kinds().includes('ready'), 'the ready annotation');
    expect(kinds()[0]).toBe('starting');

    const chat = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 40 }),
    });
    const tokens = ((await chat.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens;
    await until(() => events.some((e) => e.windows[0]?.stats?.latency.ttft.n === 1), 'the request in the 1-minute stats');
    const gen = () => events.flatMap((e) => e.windows.filter((w) => w.windowS === 900).map((w) => w.stats)).at(-1);
    expect(gen()!.generationTokensPerS * gen()!.windowS).toBeCloseTo(tokens, 0);

    const re = await core.invoke('server:restart', undefined);
    expect(re.ok).toBe(true);
    await until(() => kinds().includes('restart'), 'the restart annotation');
    await until(() => events.at(-1)!.state.status === 'up' && kinds().filter((k) => k === 'ready').length === 2, 'ready again');
    // server:restart is a stop and a start: both show on the timeline.
    // Counters started over in the new process: the timeline's rates never go below zero.
    const rows = events.flatMap((e) => e.points);
    for (const p of rows) for (const v of [p.genTps, p.promptTps, p.reqPs]) if (v !== null) expect(v).toBeGreaterThanOrEqual(0);
    // The windows still count the first run's tokens once (continuous counters across the restart).
    expect(gen()!.generationTokensPerS * gen()!.windowS).toBeCloseTo(tokens, 0);
    expect(kinds()).not.toContain('reset');

    await core.invoke('server:stop', undefined);
    await until(() => events.at(-1)!.state.status === 'stopped', 'stopped');
    expect(kinds()).toContain('stopped');
    const series = await core.invoke('metrics:series', { windowS: 300 });
    const seen = series.ok ? series.value.annotations.map((a) => a.kind) : [];
    // The stop inside the restart shows when the 500 ms look at the supervisor catches it.
    expect(seen.filter((k, i) => k !== 'stopped' || i === seen.length - 1)).toEqual(['starting', 'ready', 'restart', 'ready', 'stopped']);
  }, 120_000);
});

describe('a launched server that crashes', () => {
  it('the crash is annotated on the timeline and scraping stops', async () => {
    // The engine is SIGKILLed 3 s after it is ready (the simulator's OOM-kill stand-in).
    const t = await makeTestCore({
      env: {
        PATH: '/usr/bin:/bin',
        HOME: '/nonexistent-home',
        VLLM_SIM_SPEED: '40',
        VLLM_PANEL_NVIDIA_SMI: '/nonexistent/nvidia-smi',
        VLLM_SIM_CRASH_AFTER_S: '3',
      },
    });
    const seen: MetricsEvent[] = [];
    t.core.subscribe((e) => {
      if (e.channel === 'metrics') seen.push(e.payload);
    });
    try {
      const port = await freePort();
      expect((await t.core.invoke('server:start', { build: { profileId: 'low-latency', overrides: { port } } })).ok).toBe(true);
      const end = Date.now() + 40_000;
      const kindsSeen = () => seen.flatMap((e) => e.annotations.map((a) => a.kind));
      while (!kindsSeen().includes('crash') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(kindsSeen()).toEqual(expect.arrayContaining(['starting', 'ready', 'crash']));
      expect(seen.flatMap((e) => e.annotations).find((a) => a.kind === 'crash')?.text).toMatch(/^server crashed/);
      while (seen.at(-1)?.state.status !== 'stopped' && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(seen.at(-1)?.state.status).toBe('stopped');
    } finally {
      await t.core.invoke('server:stop', undefined);
      await t.cleanup();
    }
  }, 60_000);
});
