// The metrics module through the core: attach/detach, the batched `metrics` event, series and
// raw view, following the launched server (its state transitions become annotations), counter
// resets, GPU telemetry on the same timeline.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventMessage } from '../contract/index';
import type { RunCommand } from '../host/deps';
import { serverService } from '../server/handlers';
import { makeTestCore } from '../test-support/core';
import { FakeVllm } from './fixtures/fake-vllm-server';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/** nvidia-smi answered from the GPU module's fixtures (two busy H100s). */
const gpuRun: RunCommand = async (_file, args) => {
  const f = args[0]?.startsWith('--query-gpu=')
    ? 'query-gpu.csv'
    : args[0]?.startsWith('--query-compute-apps=')
      ? 'query-compute-apps.csv'
      : 'nvidia-smi.txt';
  const p = join(__dirname, '..', 'gpu', 'fixtures', 'h100x2-busy', f);
  return { exitCode: 0, stdout: existsSync(p) ? readFileSync(p, 'utf8') : '', stderr: '', timedOut: false };
};

async function setup(intervalMs = 250) {
  const t = await makeTestCore({ run: gpuRun });
  const f = new FakeVllm({ engines: 2 });
  const url = await f.listen();
  cleanups.push(async () => {
    await t.cleanup();
    await f.close();
  });
  const events: Extract<EventMessage, { channel: 'metrics' }>['payload'][] = [];
  const times: number[] = [];
  t.core.subscribe((e) => {
    if (e.channel === 'metrics') {
      events.push(e.payload);
      times.push(performance.now());
    }
  });
  await t.core.invoke('settings:update', { metricsIntervalMs: intervalMs });
  // Node loads its fetch (undici) on first use: hundreds of ms on a loaded machine, which would
  // eat the first scrape's timeout. A real panel pays that once; the tests pay it here.
  await fetch(`${url}/health`);
  return { ...t, f, url, events, times };
}

describe('metrics service: attach to an existing server', () => {
  it('attach → up, events carry rows; series, stats and the raw view follow; detach clears', async () => {
    // 1 s interval (800 ms timeout) for the first scrape: a cold fetch on a loaded 2-core machine can take > 200 ms.
    const { core, f, url, events } = await setup(1000);
    const r = await core.invoke('metrics:attach', { url: `${url}/metrics/` });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.target).toEqual({ url, source: 'attached', hasApiKey: false });
    expect(r.value.status, JSON.stringify(r.value.error)).toBe('up');
    expect(r.value.gpuTelemetry).toBe(true); // 127.0.0.1: this machine's GPUs
    await core.invoke('settings:update', { metricsIntervalMs: 250 });
    // Load: 10 requests finished per scrape interval on engine 0.
    const load = setInterval(() => {
      for (let i = 0; i < 10; i++) f.finish(i % 2, { prompt: 200, gen: 50, ttft: 0.3, itl: 0.02, e2e: 1.3 });
    }, 250);
    await until(() => events.flatMap((e) => e.points).filter((p) => p.genTps !== null && p.genTps > 0).length >= 4);
    clearInterval(load);
    const rows = events.flatMap((e) => e.points);
    const busy = rows.filter((p) => p.genTps !== null && p.genTps > 0);
    // 500 tokens per 250 ms ≈ 2000 tokens/s (timer jitter on a shared machine: ±40 %).
    expect(busy.at(-1)!.genTps).toBeGreaterThan(1200);
    expect(busy.at(-1)!.genTps).toBeLessThan(2800);
    expect(busy.at(-1)!.ttftP50).toBeGreaterThan(0.25);
    expect(busy.at(-1)!.ttftP50).toBeLessThanOrEqual(0.5);
    expect(rows.at(-1)!.gpus.map((g) => g.index)).toEqual([0, 1]);
    const last = events.at(-1)!;
    expect(last.windows.map((w) => w.windowS)).toEqual([60, 300, 900]);
    expect(last.windows[0]!.stats?.latency.ttft.n).toBeGreaterThan(0);
    expect(last.annotations.length + events.flatMap((e) => e.annotations).length).toBeGreaterThan(0);
    expect(events.flatMap((e) => e.annotations).map((a) => a.kind)).toContain('attached');
    expect(last.gpus.map((g) => g.name)).toEqual(['NVIDIA H100 80GB HBM3', 'NVIDIA H100 80GB HBM3']);

    const s = await core.invoke('metrics:series', { windowS: 60 });
    expect(s.ok && s.value.points.length).toBeGreaterThan(3);
    expect(s.ok && s.value.stats?.generationTokensPerS).toBeGreaterThan(0);
    const raw = await core.invoke('metrics:raw', { filter: 'generation_tokens' });
    expect(raw.ok).toBe(true);
    if (raw.ok) {
      expect(raw.value.families.map((x) => x.name)).toEqual(['vllm:generation_tokens']);
      expect(raw.value.families[0]!.samples.some((x) => x.labels.engine === '1')).toBe(true);
    }
    const all = await core.invoke('metrics:raw', undefined);
    expect(all.ok && all.value.unknownFamilies).toContain('python_gc_objects_collected_total');

    const d = await core.invoke('metrics:detach', undefined);
    expect(d.ok && d.value).toMatchObject({ target: null, status: 'idle' });
    await until(() => events.at(-1)!.reset);
    const after = await core.invoke('metrics:series', { windowS: 60 });
    expect(after.ok && after.value.points).toEqual([]);
    const n = f.metricsRequests;
    await sleep(600);
    expect(f.metricsRequests).toBe(n);
  });

  it('a bad URL is a field error; an unreachable one is accepted and reported as connecting/refused', async () => {
    const { core } = await setup(1000);
    const bad = await core.invoke('metrics:attach', { url: 'ftp://example' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatchObject({ kind: 'invalid_url', field: 'url' });
    // A port that was free a moment ago (no pooled connection to it).
    const g = new FakeVllm();
    const dead = await g.listen();
    await g.close();
    const r = await core.invoke('metrics:attach', { url: dead });
    expect(r.ok && r.value).toMatchObject({ status: 'connecting', error: { kind: 'refused' } });
  });

  it('a restarted server (counters back to 0) gives a reset annotation and no negative rates', async () => {
    const { core, f, url, events } = await setup();
    await core.invoke('metrics:attach', { url });
    const load = setInterval(() => f.finish(0, { prompt: 100, gen: 100, ttft: 0.1, itl: 0.01, e2e: 1 }), 100);
    await sleep(1200);
    f.restart();
    await until(() => events.some((e) => e.annotations.some((a) => a.kind === 'reset')));
    await sleep(800);
    clearInterval(load);
    const rows = events.flatMap((e) => e.points);
    for (const p of rows)
      for (const v of [p.genTps, p.promptTps, p.reqPs, p.preemptPs]) if (v !== null) expect(v).toBeGreaterThanOrEqual(0);
    const w = events.at(-1)!.windows[0]!.stats!;
    expect(w.generationTokensPerS).toBeGreaterThan(0);
  });

  it('events are batched: at most 10 per second even at the fastest interval', async () => {
    const { core, url, times } = await setup(250);
    await core.invoke('metrics:attach', { url });
    const start = times.length;
    await sleep(2000);
    const t = times.slice(start);
    for (let i = 1; i < t.length; i++) expect(t[i]! - t[i - 1]!).toBeGreaterThanOrEqual(95);
    expect(t.length).toBeLessThanOrEqual(21);
  });
});

describe('metrics service: GPU telemetry', () => {
  it('without nvidia-smi it stops polling it and charts no GPUs', async () => {
    let smiCalls = 0;
    const t = await makeTestCore({
      run: async () => {
        smiCalls++;
        return { exitCode: null, stdout: '', stderr: '', timedOut: false, spawnError: 'spawn nvidia-smi ENOENT' };
      },
    });
    const f = new FakeVllm();
    const url = await f.listen();
    cleanups.push(async () => {
      await t.cleanup();
      await f.close();
    });
    await t.core.invoke('settings:update', { metricsIntervalMs: 250, gpuPollMs: 500 });
    await fetch(`${url}/health`);
    await t.core.invoke('metrics:attach', { url });
    await until(() => smiCalls > 0);
    await sleep(1000);
    const st = await t.core.invoke('metrics:state', undefined);
    expect(st.ok && st.value.gpuTelemetry).toBe(false);
    const calls = smiCalls;
    await sleep(1500);
    expect(smiCalls).toBe(calls);
    const s = await t.core.invoke('metrics:series', { windowS: 60 });
    expect(s.ok && s.value.points.every((p) => p.gpus.length === 0)).toBe(true);
  });
});

describe('metrics service: following the launched server', () => {
  it('follows while ready, annotates ready/restart/stopped, suggests quieting the access log', async () => {
    const { core, f, url, events } = await setup();
    const sup = serverService(core.context).supervisor;
    const port = Number(new URL(url).port);
    const pf = {
      pid: process.pid,
      pgid: process.pid,
      host: '127.0.0.1',
      port,
      url,
      startedAt: Date.now(),
      argv: ['vllm', 'serve', 'm'],
      profileId: 'THROUGHPUT',
      logFile: '',
    };
    // Seen once idle first (the panel just started), then the server becomes ready.
    await sleep(300);
    sup.attach(pf);
    await until(() => events.some((e) => e.state.status === 'up'));
    const st = events.at(-1)!.state;
    expect(st.target).toMatchObject({ url, source: 'server' });
    expect(st.tips[0]?.action).toMatchObject({ type: 'set-flag', flag: 'disable-uvicorn-access-log' });
    f.finish(0, { prompt: 10, gen: 10, ttft: 0.1, itl: 0.01, e2e: 1 });
    await sleep(600);
    // A new run with another profile (the server was restarted with a new profile).
    f.restart();
    sup.attach({ ...pf, profileId: 'LOW_LATENCY', argv: ['vllm', 'serve', 'm', '--disable-uvicorn-access-log'] });
    await sleep(800);
    sup.reset();
    await until(() => events.some((e) => e.state.status === 'stopped'));
    const kinds = events.flatMap((e) => e.annotations).map((a) => a.kind);
    expect(kinds).toContain('ready');
    expect(kinds).toContain('restart');
    expect(kinds).toContain('profile');
    expect(events.flatMap((e) => e.annotations).find((a) => a.kind === 'profile')?.text).toBe('profile THROUGHPUT → LOW_LATENCY');
    // The supervisor announced the restart, so the counter reset is not annotated twice.
    expect(kinds).not.toContain('reset');
    expect(events.at(-1)!.state.tips).toEqual([]);
    const n = f.metricsRequests;
    await sleep(600);
    expect(f.metricsRequests).toBe(n);
  });
});
