// Chat streaming benchmark (issue 7): the same request to the same simulator, three ways, in one
// run, interleaved round by round:
//   direct   the `openai` client streaming from the simulator (the baseline)
//   core     through the panel's core (chat:send → batched `chat` events to an in-process listener)
//   web      through the web shell as the browser sees it (the same events over its WebSocket)
// Targets: added time to first token ≤ 5 ms (median of the per-round differences) and streamed
// tokens/s ≥ 95 % of direct. Run: npm run bench:chat   (BENCH_ROUNDS, BENCH_TOKENS to change)
// Bounded: a global deadline kills everything it started (the simulator's process group, the
// web shell, the core) and exits non-zero.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import WebSocket from 'ws';
import { chatBody, type WireMessage } from '../app/chat/client';
import { type ChatEvent, ChatSettings, WS_PATH } from '../app/contract/index';
import { createCore } from '../app/host/core';
import { defaultDeps } from '../app/host/deps';
import { startWebShell } from '../app/web/server';
import { type SimRun, startSim } from '../sim/testing/harness';

/** Time to first token: many short replies (the first token is all that is measured). */
const TTFT_ROUNDS = Number(process.env.BENCH_TTFT_ROUNDS ?? 40);
const TTFT_TOKENS = 4;
/** Streaming rate: fewer, long replies (~2 s each at the real model's pace). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 160);
const DEADLINE_MS = 240_000;
const MODEL = 'nvidia/NVIDIA-Nemotron-Nano-12B-v2';
const PROMPT = 'Explain how the KV cache of a hybrid Mamba model is sized';

interface Sample {
  ttftMs: number;
  tokensPerSecond: number;
  tokens: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const tps = (tokens: number, first: number, last: number) => (tokens - 1) / ((last - first) / 1000);

const cleanups: (() => Promise<void> | void)[] = [];
/** Stops everything this run started, newest first (also on errors and the deadline). */
async function cleanup(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c();
    } catch {
      // keep going: nothing may be left running
    }
  }
}

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error(`chat-bench: gave up after ${DEADLINE_MS / 1000} s`);
    void cleanup().then(() => process.exit(2));
  }, DEADLINE_MS);
  deadline.unref();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void cleanup().then(() => process.exit(130)));

  // Real-time decoding (VLLM_SIM_SPEED 1) on a simulated H100: about the pace of the real model.
  const sim: SimRun = await startSim(['serve', MODEL, '--max-model-len', '8192'], {
    env: { VLLM_SIM_SPEED: '1', VLLM_SIM_GPUS: 'H100-80GB', VLLM_LOG_STATS_INTERVAL: '60' },
  });
  cleanups.push(() => sim.killGroup('SIGKILL'));
  if (!(await sim.waitReady(60_000))) throw new Error(`simulator did not start:\n${sim.output().slice(-2000)}`);

  const home = mkdtempSync(join(tmpdir(), 'vllm-panel-chat-bench-'));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const core = await createCore(
    defaultDeps({
      shell: 'cli',
      version: 'bench',
      paths: { configDir: join(home, 'config'), dataDir: join(home, 'data'), cacheDir: join(home, 'cache'), cwd: home },
    }),
  );
  cleanups.push(() => core.dispose());
  const cfg = await core.invoke('chat:configure', { kind: 'custom', customUrl: sim.baseUrl });
  if (!cfg.ok) throw new Error(cfg.error.message);

  const staticDir = join(home, 'static');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>bench</title>');
  const shell = await startWebShell({ core, port: 0, token: null, staticDir });
  cleanups.push(() => shell.close());
  const ws = new WebSocket(`ws://127.0.0.1:${shell.port}${WS_PATH}`, { headers: { Origin: shell.origin } });
  cleanups.push(() => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });

  const base = ChatSettings.parse({});
  const settingsFor = (maxTokens: number) =>
    ChatSettings.parse({
      ...base,
      sampling: { ...base.sampling, think: { ...base.sampling.think, max_tokens: maxTokens, seed: 1234, ignore_eos: true } },
    });
  let settings = settingsFor(TOKENS);
  const messages: WireMessage[] = [
    { role: 'system', content: '/think' },
    { role: 'user', content: PROMPT },
  ];
  let body = chatBody(MODEL, messages, settings.sampling.think);
  const client = new OpenAI({ baseURL: `${sim.baseUrl}/v1`, apiKey: 'EMPTY', maxRetries: 0 });

  async function direct(): Promise<Sample> {
    const t0 = performance.now();
    let first = 0;
    let last = 0;
    let tokens = 0;
    const stream = await client.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsStreaming);
    for await (const chunk of stream) {
      if (chunk.usage) tokens = chunk.usage.completion_tokens;
      const d = chunk.choices[0]?.delta as { content?: string | null; reasoning?: string; reasoning_content?: string } | undefined;
      if (d && (d.content || d.reasoning || d.reasoning_content)) {
        const t = performance.now();
        if (!first) first = t;
        last = t;
      }
    }
    return { ttftMs: first - t0, tokensPerSecond: tps(tokens, first, last), tokens };
  }

  /** Waits for one reply's events; `send` starts it and resolves with its message id. */
  function measure(
    subscribe: (fn: (e: ChatEvent) => void) => () => void,
    send: () => Promise<string>,
  ): Promise<Sample & { requestBody: unknown }> {
    return new Promise((resolve, reject) => {
      let id: string | null = null;
      const early: ChatEvent[] = [];
      let first = 0;
      let last = 0;
      const t0 = performance.now();
      const onEvent = (e: ChatEvent) => {
        if (id === null) {
          early.push(e);
          return;
        }
        if (e.type === 'delta' && e.messageId === id) {
          const t = performance.now();
          if (!first) first = t;
          last = t;
        } else if (e.type === 'done' && e.message.id === id) {
          off();
          const s = e.message.stats;
          if (!s?.completionTokens || e.message.status !== 'done')
            return reject(new Error(`reply ${e.message.status}: ${e.message.error?.message ?? ''}`));
          resolve({
            ttftMs: first - t0,
            tokensPerSecond: tps(s.completionTokens, first, last),
            tokens: s.completionTokens,
            requestBody: e.message.request?.body,
          });
        }
      };
      const off = subscribe((e) => {
        // Timestamp on arrival, before any bookkeeping.
        if (e.type === 'delta' && id === null) {
          const t = performance.now();
          early.push(e);
          if (!first) first = t;
          last = t;
          return;
        }
        onEvent(e);
      });
      send().then((mid) => {
        id = mid;
        // Deltas that arrived before the send answered belong to this reply (one reply at a time).
        const pending = early.splice(0).filter((e) => e.type !== 'delta');
        for (const e of pending) onEvent(e);
      }, reject);
    });
  }

  const viaCore = () =>
    measure(
      (fn) =>
        core.subscribe((m) => {
          if (m.channel === 'chat') fn(m.payload);
        }),
      async () => {
        const r = await core.invoke('chat:send', { content: PROMPT, settings });
        if (!r.ok) throw new Error(r.error.message);
        return r.value.assistantMessageIds[0]!;
      },
    );

  let nextId = 1;
  const viaWeb = () =>
    measure(
      (fn) => {
        const on = (data: WebSocket.RawData) => {
          const m = JSON.parse(String(data)) as { t: string; channel?: string; payload?: ChatEvent };
          if (m.t === 'event' && m.channel === 'chat' && m.payload) fn(m.payload);
        };
        ws.on('message', on);
        return () => ws.off('message', on);
      },
      () =>
        new Promise<string>((resolve, reject) => {
          const id = nextId++;
          const on = (data: WebSocket.RawData) => {
            const m = JSON.parse(String(data)) as {
              t: string;
              id?: number;
              ok?: boolean;
              value?: { assistantMessageIds: string[] };
              error?: { message: string };
            };
            if (m.t !== 'result' || m.id !== id) return;
            ws.off('message', on);
            if (m.ok && m.value) resolve(m.value.assistantMessageIds[0]!);
            else reject(new Error(m.error?.message ?? 'chat:send failed'));
          };
          ws.on('message', on);
          ws.send(JSON.stringify({ t: 'invoke', id, channel: 'chat:send', arg: { content: PROMPT, settings } }));
        }),
    );

  // Warm-up (JIT, connection pools, the model-name lookup), and a check that all three send the same request.
  await direct();
  const warm = await viaCore();
  await viaWeb();
  if (JSON.stringify(warm.requestBody) !== JSON.stringify(body)) {
    throw new Error(`the panel sent a different request:\n${JSON.stringify(warm.requestBody)}\nvs\n${JSON.stringify(body)}`);
  }

  const paths = { direct, core: viaCore, web: viaWeb } as const;
  type PathName = keyof typeof paths;
  const names: PathName[] = ['direct', 'core', 'web'];
  async function rounds(n: number): Promise<Record<PathName, Sample[]>> {
    const out: Record<PathName, Sample[]> = { direct: [], core: [], web: [] };
    for (let r = 0; r < n; r++) {
      // Rotate the order so no path always runs first (or after a given other one).
      const order = names.map((_, k) => names[(k + r) % names.length]!);
      for (const p of order) out[p].push(await paths[p]());
    }
    return out;
  }
  const long = await rounds(ROUNDS);
  settings = settingsFor(TTFT_TOKENS);
  body = chatBody(MODEL, messages, settings.sampling.think);
  const short = await rounds(TTFT_ROUNDS);
  const samples = long;

  const d = long.direct;
  console.log(
    `chat streaming benchmark: one simulator (${MODEL}, real-time H100 pace), the same request body on 3 paths, rounds interleaved;\n` +
      `  TTFT from ${TTFT_ROUNDS} rounds of ${TTFT_TOKENS}-token replies, tokens/s from ${ROUNDS} rounds of ${TOKENS}-token replies (ignore_eos)`,
  );
  console.log('  path     TTFT median   added TTFT (median of per-round differences)   tokens/s median   vs direct');
  const results: Record<string, { ttft: number; added: number; tps: number; ratio: number }> = {};
  for (const p of names) {
    const s = long[p];
    const t = short[p];
    const added = median(t.map((x, i) => x.ttftMs - short.direct[i]!.ttftMs));
    const ratio = median(s.map((x) => x.tokensPerSecond)) / median(d.map((x) => x.tokensPerSecond));
    results[p] = { ttft: median(t.map((x) => x.ttftMs)), added, tps: median(s.map((x) => x.tokensPerSecond)), ratio };
    console.log(
      `  ${p.padEnd(7)}  ${results[p]!.ttft.toFixed(1).padStart(8)} ms   ${p === 'direct' ? '       —' : `${added >= 0 ? '+' : ''}${added.toFixed(2)} ms`.padStart(8)}${' '.repeat(39)}${results[p]!.tps.toFixed(1).padStart(8)}        ${(ratio * 100).toFixed(1).padStart(5)} %`,
    );
  }
  const ok = (p: 'core' | 'web') => results[p]!.added <= 5 && results[p]!.ratio >= 0.95;
  for (const p of ['core', 'web'] as const) {
    console.log(
      `  RESULT ${p}: added TTFT ${results[p]!.added.toFixed(2)} ms (target ≤ 5), tokens/s ${(results[p]!.ratio * 100).toFixed(1)} % of direct (target ≥ 95 %) → ${ok(p) ? 'meets' : 'MISSES'} the targets on this run`,
    );
  }
  if (process.env.BENCH_VERBOSE) {
    for (const p of names) console.log(`  ${p} TTFT per round: ${short[p].map((x) => x.ttftMs.toFixed(1)).join(' ')}`);
    for (const p of names) console.log(`  ${p} tokens/s per round: ${samples[p].map((x) => x.tokensPerSecond.toFixed(1)).join(' ')}`);
  }
  console.log(`  JSON ${JSON.stringify({ ttftRounds: TTFT_ROUNDS, rounds: ROUNDS, tokens: TOKENS, results })}`);
  clearTimeout(deadline);
  await cleanup();
  process.exit(ok('core') && ok('web') ? 0 : 1);
}

main().catch(async (err: unknown) => {
  console.error(`chat-bench: ${(err as Error)?.stack ?? String(err)}`);
  await cleanup();
  process.exit(2);
});
