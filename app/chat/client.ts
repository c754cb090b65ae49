// Streams one reply from an OpenAI-compatible server (vLLM or another) with the official `openai`
// client: reasoning apart from the answer (the server's `reasoning` / `reasoning_content` field
// when it runs a reasoning parser, else split at `</think>` here), per-reply stats from `usage`,
// and the model card's client-side thinking budget (nemotron.md §3): cap the reasoning at N
// tokens, close the thought, and continue the answer through `/v1/completions` with the prompt
// rendered by the server's `/tokenize` (no tokenizer download).
import OpenAI from 'openai';
import { z } from 'zod';
import type { RecordedRequest, ReplyStats, Sampling, ThinkMode, UserError } from '../contract/index';
import { ReasoningSplitter, reasoningField } from './reasoning';
import { computeStats } from './stats';

export interface ChatTarget {
  /** Server root, without `/v1` (e.g. http://127.0.0.1:8000). */
  baseUrl: string;
  apiKey?: string;
  model: string;
}

export interface WireMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** The card's way to close a thought cut by the budget: a period, the end tag, a blank line. */
export const BUDGET_CLOSE = '.\n</think>\n\n';

/** Sampling fields in the order they are sent; null/empty ones are left out (server defaults). */
export function samplingFields(s: Sampling, maxTokens: number | null = s.max_tokens): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.temperature !== null) out.temperature = s.temperature;
  if (s.top_p !== null) out.top_p = s.top_p;
  if (s.top_k !== null) out.top_k = s.top_k;
  if (maxTokens !== null) out.max_tokens = maxTokens;
  if (s.seed !== null) out.seed = s.seed;
  if (s.stop.length > 0) out.stop = s.stop;
  if (s.ignore_eos !== undefined) out.ignore_eos = s.ignore_eos;
  return out;
}

/** The first request's max_tokens: the budget caps it when it is below the reply's own limit. */
export function firstCallMaxTokens(s: Sampling, budget: number | null): number | null {
  if (budget === null) return s.max_tokens;
  return s.max_tokens === null ? budget : Math.min(budget, s.max_tokens);
}

/** The exact body of a streamed chat request (also what "Copy as curl" shows). */
export function chatBody(
  model: string,
  messages: readonly WireMessage[],
  s: Sampling,
  budget: number | null = null,
): Record<string, unknown> {
  return {
    model,
    messages: messages.map((m) => ({ role: m.role, content: m.content })),
    ...samplingFields(s, firstCallMaxTokens(s, budget)),
    stream: true,
    stream_options: { include_usage: true },
  };
}

export const chatUrl = (baseUrl: string) => `${baseUrl}/v1/chat/completions`;
export const completionsUrl = (baseUrl: string) => `${baseUrl}/v1/completions`;

/**
 * What the budget does after the first (capped) stream ended. Pure, so every case is unit-tested:
 * - the reply finished on its own, or was aborted / failed → nothing more;
 * - the first call already used the reply's whole max_tokens → nothing more (finish `length`);
 * - the thought is still open → close it with BUDGET_CLOSE, then continue;
 * - the thought closed but the answer was cut by the budget-capped max_tokens → continue as is.
 */
export function budgetPlan(input: {
  budget: number;
  maxTokens: number | null;
  finishReason: string | null;
  /** `</think>` was seen (client split) or the answer began (server split). */
  thoughtClosed: boolean;
  /** Everything generated so far as one text (reasoning, `</think>`, partial answer). */
  raw: string;
}): { action: 'none' } | { action: 'continue'; assistantText: string; hit: boolean } {
  if (input.finishReason !== 'length') return { action: 'none' };
  if (input.maxTokens !== null && input.maxTokens <= input.budget) return { action: 'none' };
  if (input.thoughtClosed) return { action: 'continue', assistantText: input.raw, hit: false };
  return { action: 'continue', assistantText: `${input.raw.replace(/\s+$/, '')}${BUDGET_CLOSE}`, hit: true };
}

/** Tokens left for the answer after `used` tokens of reasoning: null = no limit (server decides). */
export function remainingTokens(maxTokens: number | null, used: number): number | null {
  return maxTokens === null ? null : maxTokens - used;
}

const TokenizeResponse = z.object({ count: z.number().int().nonnegative(), tokens: z.array(z.number().int()) });

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function authHeaders(target: ChatTarget): Record<string, string> {
  return target.apiKey ? { Authorization: `Bearer ${target.apiKey}` } : {};
}

/** vLLM's `POST /tokenize` (not under /v1; vllm-runtime.md §4). */
export async function tokenize(
  fetchFn: typeof fetch,
  target: ChatTarget,
  body: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<{ count: number; tokens: number[] }> {
  const r = await fetchFn(`${target.baseUrl}/tokenize`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...authHeaders(target) },
    body: JSON.stringify({ model: target.model, ...body }),
    ...(signal ? { signal } : {}),
  });
  const text = await r.text();
  if (!r.ok) throw new HttpError(r.status, `/tokenize answered ${r.status}: ${errorText(text)}`);
  const parsed = TokenizeResponse.safeParse(safeJson(text));
  if (!parsed.success) throw new HttpError(r.status, '/tokenize answered with an unexpected body');
  return parsed.data;
}

/** Counts the tokens of a text with the server's tokenizer (no BOS: it is a piece of a reply). */
export async function countTokens(fetchFn: typeof fetch, target: ChatTarget, text: string, signal?: AbortSignal): Promise<number> {
  return (await tokenize(fetchFn, target, { prompt: text, add_special_tokens: false }, signal)).count;
}

const ModelsResponse = z.object({
  data: z.array(z.object({ id: z.string(), max_model_len: z.number().nullish() }).passthrough()),
});

/** `GET /v1/models`: served model names (vLLM adds max_model_len). */
export async function listModels(
  fetchFn: typeof fetch,
  target: Omit<ChatTarget, 'model'>,
  signal?: AbortSignal,
): Promise<{ id: string; maxModelLen: number | null }[]> {
  const r = await fetchFn(`${target.baseUrl}/v1/models`, {
    headers: target.apiKey ? { Authorization: `Bearer ${target.apiKey}` } : {},
    signal: signal ?? AbortSignal.timeout(5000),
  });
  const text = await r.text();
  if (!r.ok) throw new HttpError(r.status, `/v1/models answered ${r.status}: ${errorText(text)}`);
  const parsed = ModelsResponse.safeParse(safeJson(text));
  if (!parsed.success) throw new HttpError(r.status, '/v1/models answered with an unexpected body');
  return parsed.data.data.map((m) => ({ id: m.id, maxModelLen: m.max_model_len ?? null }));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The message of vLLM's error bodies (nested `{"error": {...}}` or flat), else the text. */
function errorText(text: string): string {
  const j = safeJson(text) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown } | undefined;
  const m = typeof j?.error === 'object' ? j.error?.message : (j?.message ?? j?.error ?? j?.detail);
  return (typeof m === 'string' ? m : text).slice(0, 500);
}

/** Turns what the client threw into an error the user can act on. */
export function describeError(err: unknown, target: ChatTarget): UserError {
  if (err instanceof OpenAI.APIConnectionError || (err instanceof TypeError && /fetch failed/i.test(err.message))) {
    return {
      kind: 'unreachable',
      message: `Could not reach ${target.baseUrl}: is the server running?`,
      remedies: [{ label: 'Start the server on the Launch page, or check the custom URL' }],
    };
  }
  const status = err instanceof OpenAI.APIError ? err.status : err instanceof HttpError ? err.status : undefined;
  const raw = err instanceof OpenAI.APIError ? apiErrorMessage(err) : ((err as Error)?.message ?? String(err));
  if (status === 401 || status === 403) {
    return {
      kind: 'unauthorized',
      message: `The server refused the request (${status}): ${raw}`,
      remedies: [{ label: 'Enter the server’s API key' }],
    };
  }
  if (status === 404) {
    return { kind: 'not_found', message: `${raw}`, remedies: [{ label: 'Pick a model the server lists (/v1/models)' }] };
  }
  if (status === 400) {
    const remedies = /max_tokens|context length/i.test(raw) ? [{ label: 'Lower max_tokens or shorten the conversation' }] : [];
    return { kind: 'bad_request', message: raw, remedies };
  }
  return { kind: status ? `http_${status}` : 'stream_failed', message: raw, remedies: [] };
}

function apiErrorMessage(err: InstanceType<typeof OpenAI.APIError>): string {
  const e = err.error as { message?: unknown } | undefined;
  if (e && typeof e.message === 'string') return e.message;
  return err.message;
}

/** An `openai` client for a target: `/v1` under the server root, no retries (a chat retry is the user's call). */
export function openaiClient(target: ChatTarget, fetchFn: typeof fetch): OpenAI {
  return new OpenAI({ baseURL: `${target.baseUrl}/v1`, apiKey: target.apiKey || 'EMPTY', maxRetries: 0, fetch: fetchFn });
}

export interface StreamReplyOptions {
  target: ChatTarget;
  fetch: typeof fetch;
  /** A client made by openaiClient() for this target (reused across replies); made here when absent. */
  client?: OpenAI;
  messages: readonly WireMessage[];
  sampling: Sampling;
  /** The conversation's effective mode (decides whether the output starts inside `<think>`). */
  mode: ThinkMode;
  /** Thinking budget in tokens, or null. */
  budget: number | null;
  signal: AbortSignal;
  now?: () => number;
  onDelta(reasoning: string, answer: string): void;
  onStatus?(note: string): void;
  /** The last text has streamed (called before the token counting that follows). */
  onStreamEnd?(): void;
}

export interface ReplyResult {
  reasoning: string;
  answer: string;
  stats: ReplyStats;
  request: RecordedRequest;
  continuation?: RecordedRequest;
  aborted: boolean;
  error?: UserError;
  /** The client had to split reasoning from the answer (the server returned no reasoning field). */
  clientSplit: boolean;
}

interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

/** Streams one reply (and its budget continuation). Never throws: errors come back in `error`. */
export async function streamReply(o: StreamReplyOptions): Promise<ReplyResult> {
  const now = o.now ?? (() => performance.now());
  const client = o.client ?? openaiClient(o.target, o.fetch);
  const body = chatBody(o.target.model, o.messages, o.sampling, o.budget);
  const request: RecordedRequest = { url: chatUrl(o.target.baseUrl), body, auth: Boolean(o.target.apiKey) };
  const t0 = now();
  let tFirst: number | null = null;
  let tFirstAnswer: number | null = null;
  let tLast: number | null = null;
  let reasoning = '';
  let answer = '';
  /** Content exactly as streamed (reasoning, `</think>`, answer when the server does not split). */
  let rawContent = '';
  let serverSplit = false;
  const splitter = new ReasoningSplitter(o.mode === 'think');
  let finishReason: string | null = null;
  let stopString = false;
  let usage: Usage | undefined;
  let continuationUsage: Usage | undefined;
  let continuation: RecordedRequest | undefined;
  let budgetInfo: ReplyStats['budget'] = o.budget === null ? null : { limit: o.budget, hit: false, continued: false };
  let aborted = false;
  let error: UserError | undefined;

  const emit = (r: string, a: string) => {
    if (!r && !a) return;
    const t = now();
    tFirst ??= t;
    if (a && tFirstAnswer === null) tFirstAnswer = t;
    tLast = t;
    reasoning += r;
    answer += a;
    o.onDelta(r, a);
  };

  try {
    const stream = await client.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsStreaming, {
      signal: o.signal,
    });
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage as Usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      const r = reasoningField(choice.delta);
      let outR = '';
      let outA = '';
      if (r) {
        serverSplit = true;
        outR = r;
      }
      const c = choice.delta?.content;
      if (c) {
        rawContent += c;
        if (serverSplit) outA = c;
        else {
          const d = splitter.push(c);
          outR += d.reasoning;
          outA += d.answer;
        }
      }
      emit(outR, outA);
      if (choice.finish_reason) {
        finishReason = choice.finish_reason;
        // vLLM's extra field: the stop string that ended it (null for EOS).
        stopString = typeof (choice as { stop_reason?: unknown }).stop_reason === 'string';
      }
    }
    if (!serverSplit) {
      const d = splitter.end();
      emit(d.reasoning, d.answer);
    }

    if (o.budget !== null && !o.signal.aborted) {
      const thoughtClosed = serverSplit ? answer.length > 0 : splitter.closed;
      const raw = serverSplit ? (answer.length > 0 ? `${reasoning}</think>${answer}` : reasoning) : rawContent;
      const plan = budgetPlan({ budget: o.budget, maxTokens: o.sampling.max_tokens, finishReason, thoughtClosed, raw });
      if (plan.action === 'continue') {
        budgetInfo = { limit: o.budget, hit: plan.hit, continued: false };
        if (plan.hit) o.onStatus?.(`Thinking budget of ${o.budget} tokens reached: closing the thought and continuing with the answer.`);
        const used = await countTokens(o.fetch, o.target, plan.assistantText, o.signal);
        const remaining = remainingTokens(o.sampling.max_tokens, used);
        if (remaining !== null && remaining <= 0) {
          finishReason = 'length';
        } else {
          const rendered = await tokenize(
            o.fetch,
            o.target,
            {
              messages: [...o.messages, { role: 'assistant', content: plan.assistantText }],
              add_generation_prompt: false,
              continue_final_message: true,
            },
            o.signal,
          );
          const cBody: Record<string, unknown> = {
            model: o.target.model,
            prompt: rendered.tokens,
            ...samplingFields(o.sampling, remaining),
            stream: true,
            stream_options: { include_usage: true },
          };
          continuation = { url: completionsUrl(o.target.baseUrl), body: cBody, auth: Boolean(o.target.apiKey) };
          budgetInfo = { limit: o.budget, hit: plan.hit, continued: true };
          // The thought is closed: everything the continuation streams is answer.
          const cStream = await client.completions.create(cBody as unknown as OpenAI.CompletionCreateParamsStreaming, { signal: o.signal });
          finishReason = null;
          for await (const chunk of cStream) {
            if (chunk.usage) continuationUsage = chunk.usage as Usage;
            const choice = chunk.choices[0];
            if (!choice) continue;
            if (choice.text) emit('', choice.text);
            if (choice.finish_reason) finishReason = choice.finish_reason;
          }
        }
      }
    }
  } catch (err) {
    if (!o.signal.aborted) error = describeError(err, o.target);
  }
  // The openai client's stream ends quietly (no throw) when its signal aborts.
  if (o.signal.aborted) aborted = true;
  if (!serverSplit && !aborted) {
    const d = splitter.end();
    if (d.reasoning || d.answer) emit(d.reasoning, d.answer);
  }
  if (aborted) finishReason = 'abort';

  o.onStreamEnd?.();

  // A reply that ended by itself (EOS) without ever closing the thought did not think at all:
  // a model without Nemotron's template (or one that ignored it). Show it as the answer.
  if (
    !serverSplit &&
    !splitter.closed &&
    finishReason === 'stop' &&
    !stopString &&
    answer === '' &&
    reasoning !== '' &&
    budgetInfo?.continued !== true
  ) {
    answer = reasoning;
    reasoning = '';
  }

  const completion = usage?.completion_tokens !== undefined ? usage.completion_tokens + (continuationUsage?.completion_tokens ?? 0) : null;
  let reasoningTokens: number | null = null;
  let source: ReplyStats['reasoningTokensSource'] = 'none';
  const fromUsage = usage?.completion_tokens_details?.reasoning_tokens;
  if (typeof fromUsage === 'number') {
    reasoningTokens = fromUsage;
    source = 'usage';
  } else if (reasoning === '') {
    reasoningTokens = 0;
  } else if (!aborted && !error) {
    try {
      reasoningTokens = await countTokens(o.fetch, o.target, reasoning);
      source = 'tokenize';
    } catch {
      // Not every OpenAI-compatible server has vLLM's /tokenize: the count stays unknown.
    }
  }
  const clientSplit = !serverSplit && reasoning !== '';
  const stats = computeStats({
    model: o.target.model,
    t0,
    tFirst,
    tFirstAnswer,
    tLast,
    tEnd: now(),
    promptTokens: usage?.prompt_tokens ?? null,
    completionTokens: completion,
    reasoningTokens,
    reasoningTokensSource: source,
    finishReason,
    split: serverSplit ? 'server' : clientSplit ? 'client' : 'none',
    budget: budgetInfo,
  });
  return {
    reasoning: reasoning.trim(),
    answer: answer.replace(/^\s+/, ''),
    stats,
    request,
    ...(continuation ? { continuation } : {}),
    aborted,
    ...(error ? { error } : {}),
    clientSplit,
  };
}
