// Integration: the chat module through the real core against the simulator (a real `vllm serve`
// stand-in process tree), in both reasoning-parser modes and two emulated vLLM versions —
// 0.10.0 streams reasoning as `reasoning_content`, 0.17.0 as `reasoning` only (nemotron.md §3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimRun, startSim } from '../../sim/testing/harness';
import type { ChatEvent, ChatSettingsInput } from '../contract/index';
import { ChatSettings } from '../contract/index';
import type { Core } from '../host/core';
import { makeTestCore } from '../test-support/core';
import { NO_PARSER_WARNING } from './service';

const MODEL = 'nvidia/NVIDIA-Nemotron-Nano-12B-v2';

interface Case {
  name: string;
  version: string;
  parser: string | null;
}
const CASES: Case[] = [
  { name: 'v0.10.0 (reasoning_content), no reasoning parser', version: '0.10.0', parser: null },
  { name: 'v0.10.0 (reasoning_content), with a reasoning parser', version: '0.10.0', parser: 'deepseek_r1' },
  { name: 'v0.17.0 (reasoning), no reasoning parser', version: '0.17.0', parser: null },
  { name: 'v0.17.0 (reasoning), with a reasoning parser', version: '0.17.0', parser: 'deepseek_r1' },
];

/** Collects `chat` events; waits for the `done` of given message ids. */
function recorder(core: Core) {
  const events: ChatEvent[] = [];
  const waiters: { ids: string[]; resolve: () => void }[] = [];
  core.subscribe((e) => {
    if (e.channel !== 'chat') return;
    events.push(e.payload);
    for (const w of [...waiters]) {
      if (w.ids.every((id) => events.some((x) => x.type === 'done' && x.message.id === id))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  return {
    events,
    done: (id: string) => events.find((x): x is Extract<ChatEvent, { type: 'done' }> => x.type === 'done' && x.message.id === id),
    deltas: (id: string) => events.filter((x): x is Extract<ChatEvent, { type: 'delta' }> => x.type === 'delta' && x.messageId === id),
    waitDone: (ids: string[], timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        if (ids.every((id) => events.some((x) => x.type === 'done' && x.message.id === id))) return resolve();
        const t = setTimeout(() => reject(new Error(`no done for ${ids.join(', ')} in ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          ids,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
      }),
  };
}

const settings = (patch: ChatSettingsInput = {}) => ChatSettings.parse(patch);

/** Sum of a metric's samples whose labels match `labels` (a regex over the label text). */
async function metric(baseUrl: string, name: string, labels = /.*/): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(/^([a-z_:]+)\{([^}]*)\} ([0-9.e+-]+)$/gm)) if (m[1] === name && labels.test(m[2]!)) sum += Number(m[3]);
  return sum;
}
const runningRequests = (baseUrl: string) => metric(baseUrl, 'vllm:num_requests_running');

async function ok<T>(p: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe.each(CASES)('chat against vllm-sim $name', ({ version, parser }) => {
  let sim: SimRun;
  let core: Core;
  let cleanup: () => Promise<void>;
  let rec: ReturnType<typeof recorder>;

  beforeAll(async () => {
    sim = await startSim(['serve', MODEL, '--max-model-len', '8192', ...(parser ? ['--reasoning-parser', parser] : [])], {
      // Speed 5: ~450 tokens/s, so a reply streams long enough to be stopped mid-way.
      env: { VLLM_SIM_VERSION: version, VLLM_SIM_GPUS: 'H100-80GB', VLLM_SIM_SPEED: '5' },
    });
    expect(await sim.waitReady(20_000), sim.output()).toBe(true);
    ({ core, cleanup } = await makeTestCore());
    rec = recorder(core);
    await ok(core.invoke('chat:configure', { kind: 'custom', customUrl: `${sim.baseUrl}/v1/` }));
  }, 40_000);

  afterAll(async () => {
    await cleanup?.();
    sim?.killGroup('SIGKILL');
  });

  it('think: reasoning apart from the answer, stats from usage and /tokenize, the no-parser warning once', async () => {
    const sent = await ok(core.invoke('chat:send', { content: 'Explain the kangaroo migration', settings: settings() }));
    const id = sent.assistantMessageIds[0]!;
    await rec.waitDone([id]);
    const done = rec.done(id)!;
    const m = done.message;
    expect(m.status).toBe('done');
    expect(m.reasoning.length).toBeGreaterThan(10);
    expect(m.content.length).toBeGreaterThan(10);
    expect(m.reasoning).toMatch(/^Okay, the user asks about the/);
    expect(m.content).toMatch(/^Here is a/);
    for (const t of [m.reasoning, m.content]) expect(t).not.toContain('think>');
    // The streamed deltas add up to the same split.
    const streamed = rec.deltas(id);
    expect(streamed.length).toBeGreaterThan(0);
    expect(
      streamed
        .map((d) => d.reasoning)
        .join('')
        .trim(),
    ).toBe(m.reasoning);
    expect(
      streamed
        .map((d) => d.answer)
        .join('')
        .trimStart(),
    ).toBe(m.content);
    const s = m.stats!;
    expect(s.split).toBe(parser ? 'server' : 'client');
    expect(s.model).toBe(MODEL);
    expect(s.finishReason).toBe('stop');
    expect(s.promptTokens).toBeGreaterThan(5);
    expect(s.completionTokens).toBeGreaterThan(10);
    expect(s.reasoningTokensSource).toBe('tokenize');
    expect(s.reasoningTokens).toBeGreaterThan(3);
    expect(s.answerTokens).toBe(s.completionTokens! - s.reasoningTokens!);
    expect(s.ttftMs).toBeGreaterThan(0);
    expect(s.ttfaMs).toBeGreaterThan(s.ttftMs!);
    expect(s.tokensPerSecond).toBeGreaterThan(0);
    // The request recorded for "Copy as curl" is the one sent.
    expect(m.request?.url).toBe(`${sim.baseUrl}/v1/chat/completions`);
    expect(m.request?.body).toMatchObject({
      model: MODEL,
      messages: [
        { role: 'system', content: '/think' },
        { role: 'user', content: 'Explain the kangaroo migration' },
      ],
      temperature: 0.6,
      top_p: 0.95,
      max_tokens: 2048,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(done.warning).toBe(parser ? undefined : NO_PARSER_WARNING);

    // Second turn in the same conversation: history carries the answer only; no second warning.
    const again = await ok(
      core.invoke('chat:send', { conversationId: sent.conversationId, content: 'And the wombat?', settings: settings() }),
    );
    await rec.waitDone(again.assistantMessageIds);
    const second = rec.done(again.assistantMessageIds[0]!)!;
    expect(second.warning).toBeUndefined();
    expect(second.message.request?.body.messages).toEqual([
      { role: 'system', content: '/think' },
      { role: 'user', content: 'Explain the kangaroo migration' },
      { role: 'assistant', content: m.content },
      { role: 'user', content: 'And the wombat?' },
    ]);
    const stored = await ok(core.invoke('chat:get', { id: sent.conversationId }));
    expect(stored.messages.map((x) => x.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(stored.messages[1]).toMatchObject({ content: m.content, reasoning: m.reasoning, status: 'done' });
    expect(stored.warnedNoParser).toBe(!parser);
  });

  it('no_think: everything is answer, greedy sampling by default', async () => {
    const sent = await ok(core.invoke('chat:send', { content: 'Name a marsupial', settings: settings({ mode: 'no_think' }) }));
    const id = sent.assistantMessageIds[0]!;
    await rec.waitDone([id]);
    const m = rec.done(id)!.message;
    expect(m.reasoning).toBe('');
    expect(m.content).toMatch(/^Here is a/);
    expect(m.stats).toMatchObject({ split: 'none', reasoningTokens: 0, finishReason: 'stop' });
    expect(m.stats!.answerTokens).toBe(m.stats!.completionTokens);
    expect(m.stats!.ttfaMs).toBe(m.stats!.ttftMs);
    expect(m.request?.body).toMatchObject({ messages: [{ role: 'system', content: '/no_think' }, {}], temperature: 0, top_p: 1 });
  });

  it('a /no_think typed in the user message wins over the Think switch (last keyword wins)', async () => {
    const sent = await ok(core.invoke('chat:send', { content: 'Name a marsupial /no_think', settings: settings({ mode: 'think' }) }));
    await rec.waitDone(sent.assistantMessageIds);
    const m = rec.done(sent.assistantMessageIds[0]!)!.message;
    expect(m.reasoning).toBe('');
    expect(m.content).toMatch(/^Here is a/);
  });

  it('thinking budget: caps the reasoning, closes the thought, continues through /v1/completions', async () => {
    const budget = 6;
    const sent = await ok(
      core.invoke('chat:send', {
        content: 'Describe the platypus habitat',
        settings: settings({ budget: { enabled: true, tokens: budget } }),
      }),
    );
    const id = sent.assistantMessageIds[0]!;
    await rec.waitDone([id]);
    const m = rec.done(id)!.message;
    expect(m.status).toBe('done');
    expect(m.stats?.budget).toEqual({ limit: budget, hit: true, continued: true });
    expect(rec.events.some((e) => e.type === 'status' && e.messageId === id && /budget of 6 tokens/.test(e.note))).toBe(true);
    // The first request was capped at the budget; the reasoning is what fit in it.
    expect(m.request?.body.max_tokens).toBe(budget);
    expect(m.reasoning).toMatch(/^Okay/);
    expect(m.stats!.reasoningTokens).toBeLessThanOrEqual(budget);
    // The continuation: a token-id prompt that ends in the closed thought, the remaining budget.
    const c = m.continuation!;
    expect(c.url).toBe(`${sim.baseUrl}/v1/completions`);
    const prompt = c.body.prompt as number[];
    expect(Array.isArray(prompt) && prompt.every((t) => Number.isInteger(t))).toBe(true);
    const detok = (await (
      await fetch(`${sim.baseUrl}/detokenize`, { method: 'POST', body: JSON.stringify({ tokens: prompt }) })
    ).json()) as { prompt: string };
    expect(detok.prompt).toMatch(
      /<SPECIAL_11>User\nDescribe the platypus habitat\n<SPECIAL_11>Assistant\n<think>\nOkay[\s\S]*\.\n<\/think>\n\n$/,
    );
    const used = (await (
      await fetch(`${sim.baseUrl}/tokenize`, {
        method: 'POST',
        body: JSON.stringify({ prompt: detok.prompt.slice(detok.prompt.indexOf('<think>\n') + 8), add_special_tokens: false }),
      })
    ).json()) as { count: number };
    expect(c.body.max_tokens).toBe(2048 - used.count);
    // The continuation is all answer.
    expect(m.content).toMatch(/^Here is a/);
    expect(m.content).not.toContain('think>');
    expect(m.stats!.completionTokens).toBeGreaterThan(m.stats!.reasoningTokens!);
  });

  it('a budget larger than the reasoning changes nothing', async () => {
    const sent = await ok(
      core.invoke('chat:send', { content: 'Describe the emu', settings: settings({ budget: { enabled: true, tokens: 1500 } }) }),
    );
    await rec.waitDone(sent.assistantMessageIds);
    const m = rec.done(sent.assistantMessageIds[0]!)!.message;
    expect(m.stats?.budget).toEqual({ limit: 1500, hit: false, continued: false });
    expect(m.continuation).toBeUndefined();
    expect(m.reasoning).toMatch(/^Okay/);
    expect(m.content).toMatch(/^Here is a/);
  });

  it('side by side: /think and /no_think at once', async () => {
    const sent = await ok(core.invoke('chat:compare', { content: 'Compare koalas and sloths', settings: settings() }));
    expect(sent.assistantMessageIds).toHaveLength(2);
    await rec.waitDone(sent.assistantMessageIds);
    const [think, noThink] = sent.assistantMessageIds.map((id) => rec.done(id)!.message);
    expect(think).toMatchObject({ lane: 'think', mode: 'think', status: 'done' });
    expect(noThink).toMatchObject({ lane: 'no_think', mode: 'no_think', status: 'done' });
    expect(think!.reasoning.length).toBeGreaterThan(0);
    expect(think!.stats!.reasoningTokens).toBeGreaterThan(0);
    expect(noThink!.reasoning).toBe('');
    expect(noThink!.stats!.reasoningTokens).toBe(0);
    expect((think!.request!.body.messages as { content: string }[])[0]!.content).toBe('/think');
    expect((noThink!.request!.body.messages as { content: string }[])[0]!.content).toBe('/no_think');
    expect(noThink!.request!.body).toMatchObject({ temperature: 0, top_p: 1 });
  });

  it('Stop aborts the upstream request: the server stops generating (num_requests_running back to 0)', async () => {
    const base = settings();
    // 8000 tokens: far more than the ~ms between the first delta and the abort can generate, so
    // finishing early proves the abort reached the engine (not that the reply simply ended).
    const maxTokens = 8000;
    const long = settings({ sampling: { ...base.sampling, think: { ...base.sampling.think, max_tokens: maxTokens, ignore_eos: true } } });
    const genBefore = await metric(sim.baseUrl, 'vllm:generation_tokens_total');
    const abortsBefore = await metric(sim.baseUrl, 'vllm:request_success_total', /finished_reason="abort"/);
    const sent = await ok(core.invoke('chat:send', { content: 'Write an endless story', settings: long }));
    const id = sent.assistantMessageIds[0]!;
    const started = Date.now();
    while (rec.deltas(id).length === 0 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 10));
    expect(await runningRequests(sim.baseUrl)).toBe(1);
    const r = await ok(core.invoke('chat:abort', { conversationId: sent.conversationId }));
    expect(r.aborted).toBe(1);
    const m = rec.done(id)!.message;
    expect(m.status).toBe('aborted');
    expect(m.stats?.finishReason).toBe('abort');
    let running = 1;
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      running = await runningRequests(sim.baseUrl);
      if (running === 0) break;
      await new Promise((res) => setTimeout(res, 25));
    }
    expect(running).toBe(0);
    expect(await metric(sim.baseUrl, 'vllm:request_success_total', /finished_reason="abort"/)).toBe(abortsBefore + 1);
    await new Promise((res) => setTimeout(res, 200));
    expect((await metric(sim.baseUrl, 'vllm:generation_tokens_total')) - genBefore).toBeLessThan(maxTokens / 2);
  });
});
