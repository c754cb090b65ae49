// `vllm-panel status` against a tiny fake vLLM server started by the test.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeVllm } from '../../metrics/fixtures/fake-vllm-server';
import { runCli } from '../main';

function io(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env, interrupted: new Promise<never>(() => {}) },
  };
}

const servers: FakeVllm[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function fake(o?: ConstructorParameters<typeof FakeVllm>[0]) {
  const f = new FakeVllm(o);
  servers.push(f);
  return { f, url: await f.listen() };
}

describe('vllm-panel status', () => {
  it('prints health, version, models with max_model_len, rates from two scrapes and latency percentiles', async () => {
    const { f, url } = await fake({ engines: 2, version: '0.14.0', maxModelLen: 32768 });
    // Since the server started: 4 requests with TTFT 0.2 s (bucket 0.1–0.25).
    for (let i = 0; i < 4; i++) f.finish(i % 2, { prompt: 100, gen: 20, ttft: 0.2, itl: 0.02, e2e: 1.2 });
    // Between the two scrapes: 300 generated tokens.
    f.onMetricsServed = (n) => {
      if (n === 1) f.finish(0, { prompt: 50, gen: 300, ttft: 0.05, itl: 0.01, e2e: 3 });
    };
    f.engines[0]!.running = 3;
    f.engines[1]!.waiting = 2;
    f.engines[0]!.kv = 0.5;
    f.engines[1]!.kv = 0.25;
    const t = io();
    const code = await runCli(['status', '--url', url, '--gap-ms', '500'], t.io);
    expect(t.err).toEqual([]);
    expect(code).toBe(0);
    const text = t.out.join('\n');
    expect(text).toContain(`vLLM 0.14.0 at ${url}: healthy`);
    expect(text).toMatch(/nvidia\/NVIDIA-Nemotron-Nano-12B-v2 +max_model_len 32768/);
    expect(text).toContain('Engines: 2 (data parallel)');
    // 300 tokens between the scrapes: rate × the measured gap (printed to 0.1 s, so ±10 % here).
    const gen = Number(/generation +([\d.]+) tokens\/s/.exec(text)?.[1]);
    const gap = Number(/two scrapes ([\d.]+) s apart/.exec(text)?.[1]);
    expect(gen * gap).toBeGreaterThan(270);
    expect(gen * gap).toBeLessThan(330);
    expect(text).toContain('running 3 · waiting 2');
    expect(text).toContain('37.5 % (max 50.0 % of 2 engines)');
    // One request in the window: TTFT 0.05 s → bucket (0.04, 0.06], rank 0.5 → 0.05 s.
    expect(text).toContain('Latency (requests in those');
    expect(text).toMatch(/TTFT +p50 50 ms/);
    expect(text).toContain('interpolated inside the Prometheus histogram buckets');
    // v0.14 has no per-endpoint access-log filter: suggest the flag it has.
    expect(text).toContain('--disable-uvicorn-access-log');
  });

  it('with no request in the window, the latency comes from everything since the start', async () => {
    const { f, url } = await fake({ version: '0.17.1' });
    for (let i = 0; i < 4; i++) f.finish(0, { prompt: 100, gen: 20, ttft: 0.2, itl: 0.02, e2e: 1.2 });
    const t = io();
    expect(await runCli(['status', `--url=${url}/metrics`, '--gap-ms', '100'], t.io)).toBe(0);
    const text = t.out.join('\n');
    expect(text).toContain('Latency (all 4 requests since the server started)');
    // 4 observations in (0.1, 0.25]: p50 rank 2 → 0.1 + 0.15 × 2/4 = 0.175 s.
    expect(text).toMatch(/TTFT +p50 175 ms/);
    expect(text).toContain('--disable-access-log-for-endpoints /health,/metrics');
  });

  it('--json prints one document with the same facts', async () => {
    const { url } = await fake({ apiKey: 'sk-1' });
    const t = io();
    expect(await runCli(['status', '--url', url, '--api-key', 'sk-1', '--gap-ms', '100', '--json'], t.io)).toBe(0);
    const r = JSON.parse(t.out.join(''));
    expect(r.health).toEqual({ ok: true, status: 200, error: null });
    expect(r.models[0]).toEqual({
      id: 'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
      root: 'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
      maxModelLen: 32768,
    });
    expect(r.metrics.ok).toBe(true);
    expect(r.metrics.window.generationTokensPerS).toBe(0);
  });

  it('without the API key, the models list says so and the rest still works', async () => {
    const { url } = await fake({ apiKey: 'sk-1' });
    const t = io();
    expect(await runCli(['status', '--url', url, '--gap-ms', '100'], t.io)).toBe(0);
    expect(t.out.join('\n')).toMatch(/Models: .*401.*API key.*\(pass --api-key\)/);
  });

  it('connection refused: a clear message, exit 1', async () => {
    const { f, url } = await fake();
    await f.close();
    servers.length = 0;
    const t = io();
    expect(await runCli(['status', '--url', url], t.io)).toBe(1);
    expect(t.err.join('\n')).toContain(`no server at ${url} (connection refused): is vLLM running?`);
    expect(t.err.join('\n')).toContain('vllm-panel run');
    const j = io();
    expect(await runCli(['status', '--url', url, '--json'], j.io)).toBe(1);
    expect(JSON.parse(j.out.join('')).health.error.kind).toBe('refused');
  });

  it('an unhealthy server (503) exits 1 and says so; a non-vLLM /metrics is named', async () => {
    const { f, url } = await fake();
    f.mode = 'error';
    const t = io();
    expect(await runCli(['status', '--url', url, '--gap-ms', '100'], t.io)).toBe(1);
    expect(t.out.join('\n')).toContain('UNHEALTHY');
    f.mode = 'html';
    const u = io();
    expect(await runCli(['status', '--url', url, '--gap-ms', '100'], u.io)).toBe(1);
    expect(u.out.join('\n')).toContain('has no vllm: metrics');
  });

  it('usage errors exit 2', async () => {
    for (const argv of [
      ['status', '--url'],
      ['status', '--bogus'],
      ['status', '--gap-ms', '5'],
      ['status', '--url', 'ftp://x'],
    ]) {
      const t = io();
      expect(await runCli(argv, t.io)).toBe(2);
    }
  });
});
