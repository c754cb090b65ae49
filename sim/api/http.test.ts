// The simulator's HTTP API against real clients: the official `openai` npm client, raw fetch for
// vLLM-specific shapes, /metrics consistency with what was served, access log, stats line.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimRun, startSim, stripAnsi, waitUntil } from '../testing/harness';
import { buckets125, ITL_BUCKETS, TTFT_BUCKETS } from './vllm-metrics';

const MODEL = 'nvidia/NVIDIA-Nemotron-Nano-12B-v2';
let plain: SimRun; // v0.14, no reasoning parser
let parsed: SimRun; // v0.19.1, reasoning parser, API key, quiet /health and /metrics
const KEY = 'sk-sim-test';

beforeAll(async () => {
  [plain, parsed] = await Promise.all([
    startSim(['serve', MODEL, '--max-model-len', '8192', '--served-model-name', 'nemo', 'nemo-alias'], { env: { VLLM_SIM_SPEED: '50' } }),
    startSim(
      [
        'serve',
        MODEL,
        '--max-model-len',
        '8192',
        '--reasoning-parser',
        'deepseek_r1',
        '--api-key',
        KEY,
        '--disable-access-log-for-endpoints',
        '/health,/metrics',
      ],
      { env: { VLLM_SIM_VERSION: '0.19.1', VLLM_SIM_SPEED: '50' } },
    ),
  ]);
  const ok = await Promise.all([plain.waitReady(), parsed.waitReady()]);
  if (!ok.every(Boolean)) throw new Error(`sim not ready:\n${plain.output().slice(-2000)}\n${parsed.output().slice(-2000)}`);
}, 40_000);
afterAll(() => {
  plain?.killGroup('SIGKILL');
  parsed?.killGroup('SIGKILL');
});

const post = (r: SimRun, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${r.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Sample value of `name{labels…}` in Prometheus text (labels matched as substrings). */
function sample(text: string, name: string, ...labels: string[]): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels.every((l) => line.includes(l))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return Number.NaN;
}

describe('OpenAI-compatible API', () => {
  it('streams a chat with the official openai client; reasoning goes to `reasoning` (0.19)', async () => {
    const client = new OpenAI({ baseURL: `${parsed.baseUrl}/v1`, apiKey: KEY });
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'system', content: '/think' },
        { role: 'user', content: 'Explain quantization of transformer kernels' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.6,
      top_p: 0.95,
    });
    let reasoning = '';
    let content = '';
    let chunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      chunks++;
      if (chunk.usage) usage = chunk.usage;
      const c = chunk.choices[0];
      if (!c) continue;
      const delta = c.delta as { content?: string | null; reasoning?: string; reasoning_content?: string };
      expect(delta.reasoning_content).toBeUndefined();
      reasoning += delta.reasoning ?? '';
      content += delta.content ?? '';
      if (c.finish_reason) finish = c.finish_reason;
    }
    expect(reasoning.startsWith('Okay, the user asks about the')).toBe(true);
    expect(content).toMatch(/^\n\nHere is a \w+ answer about the/);
    expect(reasoning + content).not.toContain('<think>');
    expect(reasoning + content).not.toContain('</think>');
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBeGreaterThan(10);
    expect(chunks).toBeGreaterThan(usage!.completion_tokens / 2);
  });

  it('without a reasoning parser, /think output starts inside the think block (content holds </think>)', async () => {
    const r = await post(plain, '/v1/chat/completions', {
      model: 'nemo',
      messages: [
        { role: 'system', content: '/think' },
        { role: 'user', content: 'What is 2+2?' },
      ],
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as {
      choices: { message: Record<string, unknown>; finish_reason: string }[];
      usage: { prompt_tokens: number };
    };
    const content = body.choices[0]!.message.content as string;
    expect(content).not.toContain('<think>');
    expect(content.indexOf('\n</think>\n\n')).toBeGreaterThan(0);
    expect(body.choices[0]!.message).not.toHaveProperty('reasoning');
    // /no_think in the last user message wins over the system /think.
    const off = await post(plain, '/v1/chat/completions', {
      messages: [
        { role: 'system', content: '/think' },
        { role: 'user', content: '/no_think What is 2+2?' },
      ],
    });
    const offBody = (await off.json()) as { choices: { message: { content: string } }[] };
    expect(offBody.choices[0]!.message.content).not.toContain('</think>');
  });

  it('counts prompt tokens like /tokenize and is deterministic per prompt', async () => {
    const messages = [{ role: 'user', content: '/no_think Summarise the scheduler in two sentences.' }];
    const tok = (await (await post(plain, '/tokenize', { messages })).json()) as { count: number; tokens: number[]; max_model_len: number };
    expect(tok.max_model_len).toBe(8192);
    expect(tok.tokens).toHaveLength(tok.count);
    const a = (await (await post(plain, '/v1/chat/completions', { messages })).json()) as {
      choices: { message: { content: string } }[];
      usage: Record<string, number>;
    };
    const b = (await (await post(plain, '/v1/chat/completions', { messages })).json()) as typeof a;
    expect(a.usage.prompt_tokens).toBe(tok.count);
    expect(a.choices[0]!.message.content).toBe(b.choices[0]!.message.content);
    const detok = (await (await post(plain, '/detokenize', { tokens: tok.tokens })).json()) as { prompt: string };
    expect(detok.prompt).toContain('Summarise the scheduler in two sentences.');
    const outTok = (await (await post(plain, '/tokenize', { prompt: a.choices[0]!.message.content })).json()) as { count: number };
    expect(outTok.count).toBe(a.usage.completion_tokens);
  });

  it('honours max_tokens (finish_reason length) and stop strings in stream and non-stream mode', async () => {
    const messages = [{ role: 'user', content: '/no_think Tell me about memory' }];
    const len = (await (await post(plain, '/v1/chat/completions', { messages, max_tokens: 5 })).json()) as {
      choices: { finish_reason: string }[];
      usage: { completion_tokens: number };
    };
    expect(len.choices[0]!.finish_reason).toBe('length');
    expect(len.usage.completion_tokens).toBe(5);

    const full = (await (await post(plain, '/v1/chat/completions', { messages, seed: 7 })).json()) as {
      choices: { message: { content: string } }[];
    };
    const text = full.choices[0]!.message.content;
    const cut = text.indexOf(' the', 10);
    expect(cut).toBeGreaterThan(0);
    const stopped = (await (await post(plain, '/v1/chat/completions', { messages, seed: 7, stop: [' the'] })).json()) as {
      choices: { message: { content: string }; finish_reason: string; stop_reason: string }[];
    };
    expect(stopped.choices[0]!.message.content).toBe(text.slice(0, text.indexOf(' the')));
    expect(stopped.choices[0]!.finish_reason).toBe('stop');
    expect(stopped.choices[0]!.stop_reason).toBe(' the');

    const client = new OpenAI({ baseURL: `${plain.baseUrl}/v1`, apiKey: 'none' });
    const stream = await client.chat.completions.create({
      model: 'nemo',
      messages: messages as OpenAI.ChatCompletionMessageParam[],
      seed: 7,
      stop: [' the'],
      stream: true,
    });
    let streamed = '';
    for await (const c of stream) streamed += c.choices[0]?.delta.content ?? '';
    expect(streamed).toBe(stopped.choices[0]!.message.content);
  });

  it('serves /v1/completions, continuing inside a think block when the prompt ends in <think>', async () => {
    const r = await post(plain, '/v1/completions', {
      model: 'nemo-alias',
      prompt: 'Question: what is a cache?\n<think>\n',
      max_tokens: 400,
    });
    const body = (await r.json()) as { object: string; model: string; choices: { text: string }[] };
    expect(body.object).toBe('text_completion');
    expect(body.model).toBe('nemo-alias');
    expect(body.choices[0]!.text).toContain('</think>');
    const client = new OpenAI({ baseURL: `${plain.baseUrl}/v1`, apiKey: 'none' });
    const stream = await client.completions.create({
      model: 'nemo',
      prompt: 'Say something',
      max_tokens: 12,
      stream: true,
      stream_options: { include_usage: true },
    });
    let n = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) {
      if (c.usage) usage = c.usage;
      if (c.choices[0]?.text) n++;
    }
    expect(n).toBe(12);
    expect(usage?.completion_tokens).toBe(12);
  });

  it("returns vLLM's 400 for too-long requests and logs the error", async () => {
    const long = 'zq '.repeat(9000);
    const r = await post(plain, '/v1/chat/completions', { messages: [{ role: 'user', content: long }] });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { message: string; type: string; code: number } };
    expect(body.error.type).toBe('BadRequestError');
    expect(body.error.code).toBe(400);
    expect(body.error.message).toMatch(
      /^This model's maximum context length is 8192 tokens\. However, your request has \d+ input tokens\./,
    );
    const r2 = await post(plain, '/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8190 });
    const b2 = (await r2.json()) as { error: { message: string } };
    expect(r2.status).toBe(400);
    expect(b2.error.message).toMatch(
      /^'max_tokens' or 'max_completion_tokens' is too large: 8190\. This model's maximum context length is 8192 tokens and your request has \d+ input tokens \(8190 > 8192 - \d+\)\. \(parameter=max_tokens, value=8190\)$/,
    );
    expect(await plain.waitFor(/ERROR .*\[serving_chat\.py:\d+\] Error in preprocessing prompt inputs/)).toBe(true);
  });

  it('answers the small endpoints in vLLM shapes', async () => {
    const models = (await (await fetch(`${plain.baseUrl}/v1/models`)).json()) as {
      data: { id: string; max_model_len: number; owned_by: string; root: string }[];
    };
    expect(models.data.map((m) => m.id)).toEqual(['nemo', 'nemo-alias']);
    expect(models.data[0]).toMatchObject({ max_model_len: 8192, owned_by: 'vllm', root: MODEL });
    expect(await (await fetch(`${plain.baseUrl}/version`)).json()).toEqual({ version: '0.14.0' });
    const health = await fetch(`${plain.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('');
    expect((await fetch(`${plain.baseUrl}/ping`, { method: 'POST' })).status).toBe(200);
    expect(await (await fetch(`${plain.baseUrl}/nope`)).json()).toEqual({ detail: 'Not Found' });
    expect((await fetch(`${plain.baseUrl}/health`, { method: 'POST' })).status).toBe(405);
    const wrong = await post(plain, '/v1/chat/completions', { model: 'other', messages: [{ role: 'user', content: 'x' }] });
    expect(wrong.status).toBe(404);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe('The model `other` does not exist.');
  });

  it('enforces --api-key on /v1 only', async () => {
    expect((await fetch(`${parsed.baseUrl}/v1/models`)).status).toBe(401);
    expect(await (await fetch(`${parsed.baseUrl}/v1/models`)).json()).toEqual({ error: 'Unauthorized' });
    expect((await fetch(`${parsed.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
    expect((await fetch(`${parsed.baseUrl}/health`)).status).toBe(200);
    expect((await fetch(`${parsed.baseUrl}/metrics`)).status).toBe(200);
  });

  it('writes uvicorn access lines, except for --disable-access-log-for-endpoints', async () => {
    await fetch(`${plain.baseUrl}/version`);
    expect(await plain.waitFor(/\(APIServer pid=\d+\) INFO: {5}127\.0\.0\.1:\d+ - "GET \/version HTTP\/1\.1" 200 OK/)).toBe(true);
    await fetch(`${parsed.baseUrl}/health`);
    await fetch(`${parsed.baseUrl}/version`);
    expect(await parsed.waitFor('"GET /version HTTP/1.1" 200 OK')).toBe(true);
    expect(stripAnsi(parsed.output())).not.toContain('GET /health');
  });
});

describe('/metrics', () => {
  it('exports the V1 families with engine/model_name labels and the reference buckets', async () => {
    const text = await (await fetch(`${plain.baseUrl}/metrics`)).text();
    for (const name of [
      'vllm:num_requests_running',
      'vllm:num_requests_waiting',
      'vllm:kv_cache_usage_perc',
      'vllm:prefix_cache_queries_total',
      'vllm:prefix_cache_hits_total',
      'vllm:num_preemptions_total',
      'vllm:prompt_tokens_total',
      'vllm:generation_tokens_total',
      'vllm:request_success_total',
      'vllm:time_to_first_token_seconds_bucket',
      'vllm:inter_token_latency_seconds_bucket',
      'vllm:e2e_request_latency_seconds_bucket',
      'vllm:request_queue_time_seconds_count',
      'vllm:iteration_tokens_total_bucket',
      'vllm:request_prompt_tokens_sum',
      'vllm:prompt_tokens_created',
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name}\\{[^}]*engine="0"[^}]*model_name="nemo"`, 'm'));
    }
    expect(text).toMatch(/^vllm:cache_config_info\{block_size="1312",.*engine="0",.*num_gpu_blocks="\d+".*\} 1\.0$/m);
    expect(text).toContain('# TYPE vllm:prompt_tokens_total counter');
    expect(text).toContain('# TYPE vllm:time_to_first_token_seconds histogram');
    const le = (name: string) => [...text.matchAll(new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"`, 'gm'))].map((m) => m[1]);
    expect(le('vllm:time_to_first_token_seconds')).toEqual([
      ...TTFT_BUCKETS.map((b) => (Number.isInteger(b) ? `${b}.0` : String(b))),
      '+Inf',
    ]);
    expect(le('vllm:inter_token_latency_seconds')).toEqual([
      ...ITL_BUCKETS.map((b) => (Number.isInteger(b) ? `${b}.0` : String(b))),
      '+Inf',
    ]);
    expect(le('vllm:request_prompt_tokens')).toEqual([...buckets125(8192).map((b) => `${b}.0`), '+Inf']);
    expect(text).toMatch(/^vllm:request_success_total\{engine="0",finished_reason="length",model_name="nemo"\} /m);
  });

  it('counts exactly the tokens sent, and aborts on client disconnect', async () => {
    const before = await (await fetch(`${plain.baseUrl}/metrics`)).text();
    let prompt = 0;
    let completion = 0;
    for (let i = 0; i < 3; i++) {
      const r = (await (
        await post(plain, '/v1/chat/completions', {
          messages: [{ role: 'user', content: `/no_think request number ${i}` }],
          max_tokens: 20 + i,
          ignore_eos: true,
        })
      ).json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
      prompt += r.usage.prompt_tokens;
      completion += r.usage.completion_tokens;
    }
    // A stream the client abandons: counted as an abort, the engine frees it.
    const res = await post(plain, '/v1/chat/completions', {
      messages: [{ role: 'user', content: 'go on' }],
      stream: true,
      ignore_eos: true,
      max_tokens: 8000,
    });
    const reader = res.body!.getReader();
    let streamedChunks = 0;
    while (streamedChunks < 5) {
      const { value } = await reader.read();
      streamedChunks += (new TextDecoder().decode(value).match(/^data: /gm) ?? []).length;
    }
    await reader.cancel();
    const d = (after: string, name: string, ...labels: string[]) => sample(after, name, ...labels) - sample(before, name, ...labels);
    expect(
      await waitUntil(async () => {
        const m = await (await fetch(`${plain.baseUrl}/metrics`)).text();
        return d(m, 'vllm:request_success_total', 'finished_reason="abort"') === 1 && sample(m, 'vllm:num_requests_running') === 0;
      }, 5000),
    ).toBe(true);
    const after = await (await fetch(`${plain.baseUrl}/metrics`)).text();
    expect(d(after, 'vllm:request_success_total', 'finished_reason="length"')).toBe(3);
    // The aborted stream's prompt and tokens were processed too: count them from its side.
    const abortedGen = d(after, 'vllm:request_generation_tokens_sum') - completion;
    expect(abortedGen).toBeGreaterThanOrEqual(4);
    expect(d(after, 'vllm:generation_tokens_total')).toBe(completion + abortedGen);
    expect(d(after, 'vllm:prompt_tokens_total')).toBe(d(after, 'vllm:request_prompt_tokens_sum'));
    expect(d(after, 'vllm:prompt_tokens_total')).toBeGreaterThan(prompt);
    expect(d(after, 'vllm:time_to_first_token_seconds_count')).toBe(4);
    expect(d(after, 'vllm:inter_token_latency_seconds_count')).toBe(completion + abortedGen - 4);
    expect(d(after, 'vllm:e2e_request_latency_seconds_count')).toBe(3);
    expect(sample(after, 'vllm:kv_cache_usage_perc')).toBe(0);
  });

  it('logs the periodic "Engine 000" stats line while busy (vllm-metrics.md §5)', async () => {
    expect(
      await plain.waitFor(
        /\(APIServer pid=\d+\) INFO .*\[loggers\.py:\d+\] Engine 000: Avg prompt throughput: [\d.]+ tokens\/s, Avg generation throughput: [\d.]+ tokens\/s, Running: \d+ reqs, Waiting: \d+ reqs, GPU KV cache usage: [\d.]+%, Prefix cache hit rate: [\d.]+%/,
        5000,
      ),
    ).toBe(true);
  });
});
