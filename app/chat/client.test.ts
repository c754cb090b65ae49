// Unit tests of the streaming client against a scripted fetch (SSE bodies written here): budget
// logic, request bodies, reasoning fields, usage details, the no-think fallback, error mapping.
import { describe, expect, it } from 'vitest';
import { ChatSettings, type Sampling } from '../contract/index';
import {
  BUDGET_CLOSE,
  budgetPlan,
  chatBody,
  firstCallMaxTokens,
  remainingTokens,
  type StreamReplyOptions,
  samplingFields,
  streamReply,
} from './client';
import { recommendedSampling } from './reasoning';

const defaults = ChatSettings.parse({});
const think: Sampling = defaults.sampling.think;

describe('defaults', () => {
  it('the contract’s default sampling is the model card’s recommendation per mode', () => {
    for (const mode of ['think', 'no_think'] as const) {
      expect(defaults.sampling[mode]).toMatchObject(recommendedSampling(mode));
    }
    // "increase max_new_tokens to 1024 or higher for reasoning True" (nemotron.md §3).
    expect(defaults.sampling.think.max_tokens).toBeGreaterThanOrEqual(1024);
    expect(defaults.mode).toBe('think');
  });
});

describe('budget logic', () => {
  it('caps the first call at the budget, never above the reply limit', () => {
    expect(firstCallMaxTokens(think, null)).toBe(2048);
    expect(firstCallMaxTokens(think, 300)).toBe(300);
    expect(firstCallMaxTokens({ ...think, max_tokens: 100 }, 300)).toBe(100);
    expect(firstCallMaxTokens({ ...think, max_tokens: null }, 300)).toBe(300);
  });

  it('closes an open thought with the card’s ".\\n</think>\\n\\n" and continues', () => {
    const p = budgetPlan({ budget: 10, maxTokens: 100, finishReason: 'length', thoughtClosed: false, raw: 'Okay, let me think   \n' });
    expect(p).toEqual({ action: 'continue', assistantText: `Okay, let me think${BUDGET_CLOSE}`, hit: true });
  });

  it('continues an answer the budget-capped call cut, without touching the text', () => {
    const raw = 'Short thought.\n</think>\n\nThe answer beg';
    expect(budgetPlan({ budget: 10, maxTokens: 100, finishReason: 'length', thoughtClosed: true, raw })).toEqual({
      action: 'continue',
      assistantText: raw,
      hit: false,
    });
  });

  it('does nothing when the reply ended by itself, or the first call already had the whole limit', () => {
    expect(budgetPlan({ budget: 10, maxTokens: 100, finishReason: 'stop', thoughtClosed: true, raw: 'x' })).toEqual({ action: 'none' });
    expect(budgetPlan({ budget: 10, maxTokens: 100, finishReason: null, thoughtClosed: false, raw: 'x' })).toEqual({ action: 'none' });
    expect(budgetPlan({ budget: 100, maxTokens: 100, finishReason: 'length', thoughtClosed: false, raw: 'x' })).toEqual({ action: 'none' });
    expect(budgetPlan({ budget: 100, maxTokens: 50, finishReason: 'length', thoughtClosed: false, raw: 'x' })).toEqual({ action: 'none' });
    // No reply limit: the budget still applies.
    expect(budgetPlan({ budget: 10, maxTokens: null, finishReason: 'length', thoughtClosed: false, raw: 'x' })).toMatchObject({
      action: 'continue',
    });
  });

  it('remaining tokens = reply limit − tokens used so far (null: the server decides)', () => {
    expect(remainingTokens(2048, 300)).toBe(1748);
    expect(remainingTokens(300, 300)).toBe(0);
    expect(remainingTokens(null, 300)).toBeNull();
  });
});

describe('request body', () => {
  it('sends only the sampling fields that are set, in a stable order, with usage on', () => {
    const body = chatBody('m', [{ role: 'user', content: 'hi' }], { ...think, top_k: 20, seed: 7, stop: ['END'] });
    expect(body).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.6,
      top_p: 0.95,
      top_k: 20,
      max_tokens: 2048,
      seed: 7,
      stop: ['END'],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(Object.keys(samplingFields({ temperature: null, top_p: null, top_k: null, max_tokens: null, seed: null, stop: [] }))).toEqual(
      [],
    );
    expect(samplingFields({ ...think, temperature: 0 })).toMatchObject({ temperature: 0 });
  });
});

// ---- streamReply against a scripted server -------------------------------------------------------

type Chunk = Record<string, unknown>;
const sse = (chunks: Chunk[]) => `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`;
const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}): Chunk => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finish, ...extra }],
});
const usage = (u: Record<string, unknown>): Chunk => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [],
  usage: u,
});

interface Call {
  url: string;
  body: unknown;
  headers: Record<string, string>;
}

function fakeFetch(routes: Record<string, (body: unknown) => Response>, calls: Call[] = []): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    calls.push({ url, body, headers });
    const path = new URL(url).pathname;
    const route = routes[path];
    if (!route) return new Response('{"detail":"Not Found"}', { status: 404 });
    return route(body);
  }) as typeof fetch;
}

const streamOf = (chunks: Chunk[]) => () => new Response(sse(chunks), { headers: { 'content-type': 'text/event-stream' } });
/** A /tokenize that counts whitespace-separated words (enough to check the arithmetic). */
const wordTokenize = (body: unknown) => {
  const b = body as { prompt?: string; messages?: { content: string }[] };
  const text = b.prompt ?? (b.messages ?? []).map((m) => m.content).join(' ');
  const tokens = text
    .split(/\s+/)
    .filter(Boolean)
    .map((_, i) => i + 100);
  return Response.json({ count: tokens.length, max_model_len: 8192, tokens });
};

function opts(fetchFn: typeof fetch, patch: Partial<StreamReplyOptions> = {}): StreamReplyOptions & { deltas: [string, string][] } {
  const deltas: [string, string][] = [];
  let t = 0;
  return {
    target: { baseUrl: 'http://vllm.test', model: 'm' },
    fetch: fetchFn,
    messages: [
      { role: 'system', content: '/think' },
      { role: 'user', content: 'hi' },
    ],
    sampling: think,
    mode: 'think',
    budget: null,
    signal: new AbortController().signal,
    // A clock that advances 10 ms per reading: stats become exact numbers.
    now: () => (t += 10),
    onDelta: (r, a) => deltas.push([r, a]),
    deltas,
    ...patch,
  };
}

describe('streamReply', () => {
  it('reads reasoning_content (old vLLM) and reasoning (new vLLM) from the server', async () => {
    for (const field of ['reasoning_content', 'reasoning']) {
      const f = fakeFetch({
        '/v1/chat/completions': streamOf([
          chunk({ role: 'assistant', content: '' }),
          chunk({ [field]: 'Let me think.' }),
          chunk({ [field]: ' Done.\n' }),
          chunk({ content: '\n\nThe answer.' }),
          chunk({ content: '' }, 'stop', { stop_reason: null }),
          usage({ prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 }),
        ]),
        '/tokenize': wordTokenize,
      });
      const o = opts(f);
      const r = await streamReply(o);
      expect(r.reasoning).toBe('Let me think. Done.');
      expect(r.answer).toBe('The answer.');
      expect(r.clientSplit).toBe(false);
      expect(r.stats).toMatchObject({
        split: 'server',
        promptTokens: 12,
        completionTokens: 9,
        reasoningTokens: 4,
        answerTokens: 5,
        reasoningTokensSource: 'tokenize',
        finishReason: 'stop',
      });
      expect(o.deltas.map((d) => d[1]).join('')).toBe('\n\nThe answer.');
    }
  });

  it('prefers the reasoning token count in usage.completion_tokens_details (no /tokenize call)', async () => {
    const calls: Call[] = [];
    const f = fakeFetch(
      {
        '/v1/chat/completions': streamOf([
          chunk({ content: 'Hmm.</think>Yes.' }),
          chunk({}, 'stop'),
          usage({ prompt_tokens: 5, completion_tokens: 30, completion_tokens_details: { reasoning_tokens: 21 } }),
        ]),
      },
      calls,
    );
    const r = await streamReply(opts(f));
    expect(r.stats).toMatchObject({ reasoningTokens: 21, answerTokens: 9, reasoningTokensSource: 'usage', split: 'client' });
    expect(calls.map((c) => new URL(c.url).pathname)).toEqual(['/v1/chat/completions']);
  });

  it('splits at </think> itself when the server has no parser, with exact stats from the clock', async () => {
    const f = fakeFetch({
      '/v1/chat/completions': streamOf([
        chunk({ role: 'assistant', content: '' }),
        chunk({ content: 'I think ' }),
        chunk({ content: 'a lot</th' }),
        chunk({ content: 'ink>\n\n42' }),
        chunk({ content: '.' }, 'stop'),
        usage({ prompt_tokens: 7, completion_tokens: 6 }),
      ]),
      '/tokenize': wordTokenize,
    });
    const o = opts(f);
    const r = await streamReply(o);
    expect(r).toMatchObject({ reasoning: 'I think a lot', answer: '42.', clientSplit: true });
    // Clock: t0=10; first text at 20 (reasoning), "ink>\n\n42" at 40 (first answer), "." at 50.
    expect(r.stats).toMatchObject({
      ttftMs: 10,
      ttfaMs: 30,
      tokensPerSecond: round1(5 / 0.03),
      completionTokens: 6,
      reasoningTokens: 4,
      answerTokens: 2,
    });
  });

  it('a reply that ends by itself without </think> did not think: it is the answer', async () => {
    const f = fakeFetch({
      '/v1/chat/completions': streamOf([
        chunk({ content: 'Plain reply.' }),
        chunk({}, 'stop', { stop_reason: null }),
        usage({ prompt_tokens: 3, completion_tokens: 2 }),
      ]),
    });
    const r = await streamReply(opts(f));
    expect(r).toMatchObject({ reasoning: '', answer: 'Plain reply.', clientSplit: false });
    expect(r.stats).toMatchObject({ split: 'none', reasoningTokens: 0, answerTokens: 2 });
  });

  it('…but a reply cut by max_tokens inside the thought keeps it as (unfinished) reasoning', async () => {
    const f = fakeFetch({
      '/v1/chat/completions': streamOf([
        chunk({ content: 'Still thinking' }),
        chunk({}, 'length'),
        usage({ prompt_tokens: 3, completion_tokens: 2 }),
      ]),
      '/tokenize': wordTokenize,
    });
    const r = await streamReply(opts(f));
    expect(r).toMatchObject({ reasoning: 'Still thinking', answer: '' });
    expect(r.stats.finishReason).toBe('length');
  });

  it('/no_think replies are all answer, even when they mention </think>', async () => {
    const f = fakeFetch({
      '/v1/chat/completions': streamOf([
        chunk({ content: 'Use </think> to end.' }),
        chunk({}, 'stop'),
        usage({ prompt_tokens: 3, completion_tokens: 5 }),
      ]),
    });
    const r = await streamReply(opts(f, { mode: 'no_think' }));
    expect(r).toMatchObject({ reasoning: '', answer: 'Use </think> to end.' });
  });

  it('budget hit: first call capped, thought closed, /tokenize with continue_final_message, /v1/completions with the rest', async () => {
    const calls: Call[] = [];
    const f = fakeFetch(
      {
        '/v1/chat/completions': streamOf([
          chunk({ content: 'one two three' }),
          chunk({ content: ' four' }, 'length'),
          usage({ prompt_tokens: 4, completion_tokens: 4 }),
        ]),
        '/tokenize': wordTokenize,
        '/v1/completions': streamOf([
          { id: 'cmpl-1', object: 'text_completion', created: 1, model: 'm', choices: [{ index: 0, text: 'Final', finish_reason: null }] },
          {
            id: 'cmpl-1',
            object: 'text_completion',
            created: 1,
            model: 'm',
            choices: [{ index: 0, text: ' answer.', finish_reason: 'stop' }],
          },
          {
            id: 'cmpl-1',
            object: 'text_completion',
            created: 1,
            model: 'm',
            choices: [],
            usage: { prompt_tokens: 20, completion_tokens: 3 },
          },
        ]),
      },
      calls,
    );
    const statuses: string[] = [];
    const o = opts(f, {
      budget: 4,
      target: { baseUrl: 'http://vllm.test', model: 'm', apiKey: 'sk-secret' },
      onStatus: (n) => statuses.push(n),
    });
    const r = await streamReply(o);
    expect(r.reasoning).toBe('one two three four');
    expect(r.answer).toBe('Final answer.');
    expect(statuses).toHaveLength(1);
    const paths = calls.map((c) => new URL(c.url).pathname);
    // chat (capped) → count the closed thought → render the continuation → completions → count reasoning.
    expect(paths).toEqual(['/v1/chat/completions', '/tokenize', '/tokenize', '/v1/completions', '/tokenize']);
    expect((calls[0]!.body as { max_tokens: number }).max_tokens).toBe(4);
    expect(calls[1]!.body).toEqual({ model: 'm', prompt: `one two three four${BUDGET_CLOSE}`, add_special_tokens: false });
    expect(calls[2]!.body).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: '/think' },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: `one two three four${BUDGET_CLOSE}` },
      ],
      add_generation_prompt: false,
      continue_final_message: true,
    });
    // "one two three four." + "</think>" = 5 words → 2048 − 5 left; the prompt is the rendered ids
    // (7 words: "/think", "hi" and the 5 of the open assistant turn).
    expect(calls[3]!.body).toMatchObject({
      model: 'm',
      max_tokens: 2043,
      temperature: 0.6,
      top_p: 0.95,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect((calls[3]!.body as { prompt: number[] }).prompt).toEqual([100, 101, 102, 103, 104, 105, 106]);
    for (const c of calls) expect(c.headers.authorization).toBe('Bearer sk-secret');
    expect(r.continuation?.url).toBe('http://vllm.test/v1/completions');
    expect(r.stats).toMatchObject({
      budget: { limit: 4, hit: true, continued: true },
      promptTokens: 4,
      completionTokens: 7,
      reasoningTokens: 4,
      answerTokens: 3,
      finishReason: 'stop',
    });
  });

  it('budget: no continuation when the closed thought already used the whole reply limit', async () => {
    const calls: Call[] = [];
    const f = fakeFetch(
      {
        '/v1/chat/completions': streamOf([chunk({ content: 'a b c d' }, 'length'), usage({ prompt_tokens: 4, completion_tokens: 4 })]),
        '/tokenize': wordTokenize,
      },
      calls,
    );
    const r = await streamReply(opts(f, { budget: 4, sampling: { ...think, max_tokens: 5 } }));
    expect(calls.map((c) => new URL(c.url).pathname)).toEqual(['/v1/chat/completions', '/tokenize', '/tokenize']);
    expect(r.stats).toMatchObject({ finishReason: 'length', budget: { limit: 4, hit: true, continued: false } });
  });

  it('maps errors to something the user can act on', async () => {
    const f401 = fakeFetch({ '/v1/chat/completions': () => Response.json({ error: 'Unauthorized' }, { status: 401 }) });
    expect((await streamReply(opts(f401))).error).toMatchObject({ kind: 'unauthorized' });
    const f400 = fakeFetch({
      '/v1/chat/completions': () =>
        Response.json(
          {
            error: {
              message: "'max_tokens' is too large: 9000. This model's maximum context length is 8192 tokens",
              type: 'BadRequestError',
              code: 400,
            },
          },
          { status: 400 },
        ),
    });
    const e400 = (await streamReply(opts(f400))).error!;
    expect(e400.kind).toBe('bad_request');
    expect(e400.message).toContain('max_tokens');
    expect(e400.remedies[0]?.label).toMatch(/max_tokens/);
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    expect((await streamReply(opts(down))).error).toMatchObject({ kind: 'unreachable' });
  });

  it('abort: status aborted, finish reason abort, the text so far kept', async () => {
    const ctrl = new AbortController();
    const enc = new TextEncoder();
    const f = (async (_u: string | URL | Request, init?: RequestInit) => {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(enc.encode(`data: ${JSON.stringify(chunk({ content: 'partial' }))}\n\n`));
          init?.signal?.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError')));
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    }) as typeof fetch;
    const o = opts(f, { signal: ctrl.signal, mode: 'no_think', onDelta: () => ctrl.abort() });
    const r = await streamReply(o);
    expect(r).toMatchObject({ aborted: true, answer: 'partial' });
    expect(r.error).toBeUndefined();
    expect(r.stats.finishReason).toBe('abort');
  });
});

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
