// The load generator against a tiny fake OpenAI-compatible SSE server (fixtures/fake-openai-server.ts): what is sent,
// what is measured, errors by kind, goodput, cancellation, timeouts, and the /metrics delta.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WorkloadInput, WorkloadSchema } from '../contract/bench';
import { type FakeOpenAi, startFakeOpenAi } from './fixtures/fake-openai-server';
import { runLoad } from './loadgen';

let fake: FakeOpenAi;
let url: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadgen-'));
  fake = await startFakeOpenAi();
  url = fake.url;
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

const wl = (w: Partial<WorkloadInput>) => WorkloadSchema.parse({ requests: 8, ...w });
async function jsonl(name: string, lines: string[]): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, lines.join('\n'));
  return p;
}

describe('runLoad against a fake SSE server', () => {
  it('measures TTFT, ITL, E2E and tokens from usage; sends streaming requests with usage and ignore_eos', async () => {
    fake.bodies.length = 0;
    const before = fake.counters.generated;
    const r = await runLoad({
      url,
      workload: wl({
        requests: 12,
        outputTokens: { kind: 'fixed', value: 5 },
        prompt: { kind: 'synthetic', tokens: { kind: 'fixed', value: 20 } },
      }),
      load: { mode: 'concurrency', value: 4 },
    });
    const a = r.aggregate;
    expect(a).toMatchObject({ requests: 12, succeeded: 12, cancelled: 0, errorsByKind: {} });
    expect(a.outputTokens).toMatchObject({ min: 5, max: 5 });
    expect(a.promptTokens).toMatchObject({ min: 7, max: 7 }); // usage wins over the estimate
    expect(a.itlMs.n).toBe(12 * 4);
    expect(a.itlMs.p50!).toBeGreaterThanOrEqual(5);
    expect(a.itlMs.p50!).toBeLessThan(80);
    expect(a.ttftMs.min!).toBeGreaterThanOrEqual(5);
    expect(a.e2eMs.min!).toBeGreaterThanOrEqual(a.ttftMs.min! + 30);
    expect(a.tpotMs.n).toBe(12);
    expect(a.stallMs.n).toBe(12);
    expect(a.outputTokensPerS).toBeCloseTo((12 * 5) / a.durationS, 6);
    expect(r.client.peakInFlight).toBe(4);
    expect(r.client.overheadUsPerToken).toBeGreaterThan(0);
    expect(r.stopped).toBe(false);
    const b = fake.bodies[0]!;
    expect(b.path).toBe('/v1/completions');
    expect(b.body).toMatchObject({
      model: 'fake-model',
      stream: true,
      stream_options: { include_usage: true },
      ignore_eos: true,
      max_tokens: 5,
    });
    expect((b.body.prompt as string).trim().split(/\s+/)).toHaveLength(20);
    // The server's own counters over the window.
    expect(r.server?.generationTokens).toBe(fake.counters.generated - before);
    expect(r.server?.requestsFinished).toBe(12);
  });

  it('talks to /v1/chat/completions with messages, not counting the role header as a token', async () => {
    fake.bodies.length = 0;
    const r = await runLoad({
      url,
      workload: wl({ api: 'chat', requests: 3, outputTokens: { kind: 'fixed', value: 3 } }),
      load: { mode: 'concurrency', value: 1 },
    });
    expect(r.aggregate.succeeded).toBe(3);
    expect(r.aggregate.itlMs.n).toBe(3 * 2);
    expect(fake.bodies[0]!.path).toBe('/v1/chat/completions');
    expect(fake.bodies[0]!.body.messages).toEqual([{ role: 'user', content: expect.any(String) }]);
  });

  it('counts errors by kind with a sample message each, and reports bad JSONL lines', async () => {
    const path = await jsonl('mixed.jsonl', [
      '{"prompt": "fine one", "max_tokens": 4}',
      '{"prompt": "ERR500 please"}',
      '{"prompt": "STREAMERR now", "max_tokens": 6}',
      '{"prompt": "HANGUP here", "max_tokens": 6}',
      '{"max_tokens": 3}',
      '{"prompt": "unterminated',
    ]);
    const r = await runLoad({
      url,
      workload: wl({ requests: 8, prompt: { kind: 'jsonl', path } }),
      load: { mode: 'concurrency', value: 2 },
    });
    expect(r.aggregate.errorsByKind).toEqual({ http_500: 2, stream_error: 2, connection_reset: 2 });
    expect(r.aggregate.succeeded).toBe(2);
    expect(r.errorSamples).toContainEqual({ kind: 'http_500', message: 'EngineCore encountered an issue' });
    expect(r.errorSamples).toContainEqual({ kind: 'stream_error', message: 'boom mid-stream' });
    expect(r.promptIssues).toEqual([expect.stringMatching(/^line 5: needs "prompt"/), expect.stringMatching(/^line 6: not JSON/)]);
  });

  it('goodput counts only requests within every SLO', async () => {
    const path = await jsonl('slo.jsonl', ['{"prompt": "quick"}', '{"prompt": "SLOWFIRST"}']);
    const r = await runLoad({
      url,
      workload: wl({ requests: 6, prompt: { kind: 'jsonl', path }, outputTokens: { kind: 'fixed', value: 3 }, slo: { ttftMs: 100 } }),
      load: { mode: 'concurrency', value: 2 },
    });
    expect(r.aggregate.succeeded).toBe(6);
    expect(r.aggregate.goodputPct).toBe(50);
    expect(r.aggregate.goodputPerS).toBeCloseTo(3 / r.aggregate.durationS, 6);
  });

  it('stops on abort: requests in flight are cut and counted as cancelled, finished ones kept', async () => {
    const path = await jsonl('slow.jsonl', ['{"prompt": "quick", "max_tokens": 2}', '{"prompt": "SLOWTOKENS", "max_tokens": 50}']);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 400);
    const t0 = Date.now();
    const r = await runLoad({
      url,
      workload: wl({ requests: 1000, prompt: { kind: 'jsonl', path } }),
      load: { mode: 'concurrency', value: 2 },
      signal: ac.signal,
    });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.stopped).toBe(true);
    expect(r.aggregate.cancelled).toBeGreaterThanOrEqual(1);
    expect(r.aggregate.succeeded).toBeGreaterThan(0);
    expect(r.aggregate.errorsByKind).toEqual({});
  });

  it('cuts a request that exceeds the timeout and counts it as timeout', async () => {
    const path = await jsonl('timeout.jsonl', ['{"prompt": "SLOWTOKENS", "max_tokens": 50}']);
    const r = await runLoad({
      url,
      workload: wl({ requests: 2, requestTimeoutS: 0.3, prompt: { kind: 'jsonl', path } }),
      load: { mode: 'concurrency', value: 2 },
    });
    expect(r.aggregate.errorsByKind).toEqual({ timeout: 2 });
  });

  it('open loop at a rate; a refused connection is its own error kind; no /metrics is a note, not a failure', async () => {
    const r = await runLoad({
      url,
      workload: wl({ requests: 10, outputTokens: { kind: 'fixed', value: 2 } }),
      load: { mode: 'rate', value: 50 },
    });
    expect(r.aggregate.succeeded).toBe(10);
    const dead = await runLoad({
      url: 'http://127.0.0.1:9',
      workload: wl({ requests: 2, model: 'm' }),
      load: { mode: 'concurrency', value: 1 },
    });
    expect(dead.aggregate.errorsByKind).toEqual({ connection_refused: 2 });
    expect(dead.server).toBeNull();
    expect(dead.serverNote).toMatch(/127\.0\.0\.1:9\/metrics/);
  });
});
