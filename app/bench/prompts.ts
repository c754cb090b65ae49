// Prompts for the load generator: generated text of a chosen token length (with an optional
// prefix shared by every request, to exercise vLLM's prefix cache), or prompts from a JSONL file.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { LengthDistDto, PromptSourceDto, WorkloadDto } from '../contract/bench';
import { PanelError } from '../host/context';
import { rng, sampleLength } from './stats';

/**
 * Common English words that are one token each (with their leading space) in the BPE
 * vocabularies of current open models (Llama 3, Mistral/Nemotron, Qwen) and in the simulator's
 * lexicon (sim/text/lexicon.ts), so a prompt of N words costs about N tokens. The server's
 * usage.prompt_tokens is what the results report, not this estimate.
 */
const WORDS = `the of to in and for with on at by from as is are was be it this that we you they can will not so if when
which what how all more also only just very some into about over after before model time way data test plan text word
list table number system memory server result value problem idea example part process method point fact user state block
rate output input check make take give show find build start stop run read write send return use keep need want try add
count simple clear short long small large fast slow good better best first next last main new same high low free full`
  .split(/\s+/)
  .map((w) => ` ${w}`);

export interface PreparedRequest {
  /** JSON body without the per-run fields (model, stream options) already filled in. */
  body: string;
  maxTokens: number;
  /** Prompt tokens we aimed for (synthetic), null for file prompts. */
  promptTokensEstimate: number | null;
}

export interface PromptSet {
  /** The i-th request of the run (deterministic for a seed; cycles through file prompts). */
  request(i: number): PreparedRequest;
  /** JSONL lines that could not be used ("line 7: …"), at most 50. */
  issues: string[];
  size: number | null;
}

function words(n: number, random: () => number): string {
  // Chunked concatenation: V8 ropes make += cheap, and a flat string is made once by JSON.stringify.
  let s = '';
  for (let i = 0; i < n; i++) s += WORDS[(random() * WORDS.length) | 0];
  return s;
}

/** A per-request random stream: request i always gets the same words for a seed. */
const requestRng = (seed: number, i: number) => rng((Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0);

export const JsonlPromptSchema = z
  .object({
    prompt: z.string().min(1).optional(),
    messages: z
      .array(z.object({ role: z.string().min(1), content: z.string() }).passthrough())
      .min(1)
      .optional(),
    max_tokens: z.number().int().min(1).max(1_048_576).optional(),
  })
  .passthrough()
  .refine((p) => p.prompt !== undefined || p.messages !== undefined, { message: 'needs "prompt" (text) or "messages" (chat)' });

export interface JsonlPrompts {
  prompts: z.infer<typeof JsonlPromptSchema>[];
  issues: string[];
  lines: number;
}

const MAX_ISSUES = 50;

/** Parses and validates a JSONL prompt file; every bad line is reported with its number. */
export function parseJsonlPrompts(text: string): JsonlPrompts {
  const prompts: JsonlPrompts['prompts'] = [];
  const issues: string[] = [];
  let bad = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, idx) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('//')) return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (err) {
      bad++;
      if (issues.length < MAX_ISSUES) issues.push(`line ${idx + 1}: not JSON (${(err as Error).message.slice(0, 80)})`);
      return;
    }
    const r = JsonlPromptSchema.safeParse(value);
    if (!r.success) {
      bad++;
      if (issues.length < MAX_ISSUES)
        issues.push(
          `line ${idx + 1}: ${r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`,
        );
      return;
    }
    prompts.push(r.data);
  });
  if (bad > issues.length) issues[issues.length - 1] = `${issues.at(-1)} (and ${bad - issues.length} more bad lines)`;
  return { prompts, issues, lines: lines.length };
}

export async function loadJsonlPrompts(path: string): Promise<JsonlPrompts> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new PanelError(
      'prompts_unreadable',
      `Cannot read the prompt file ${path}: ${(err as Error).message}`,
      [],
      'workload.prompt.path',
    );
  }
  const parsed = parseJsonlPrompts(text);
  if (parsed.prompts.length === 0) {
    throw new PanelError(
      'prompts_empty',
      `The prompt file ${path} has no usable prompt${parsed.issues.length ? `: ${parsed.issues.slice(0, 3).join('; ')}` : ''}.`,
      [{ label: 'Write one JSON object per line, e.g. {"prompt": "Explain KV caching", "max_tokens": 256}' }],
      'workload.prompt.path',
    );
  }
  return parsed;
}

/** Builds the request bodies of a run. `model` null leaves the field out (the server's default model). */
export async function preparePrompts(w: WorkloadDto, model: string | null): Promise<PromptSet> {
  const src: PromptSourceDto = w.prompt;
  const common: Record<string, unknown> = { stream: true, stream_options: { include_usage: true } };
  if (model !== null) common.model = model;
  if (w.ignoreEos) common.ignore_eos = true;
  if (w.temperature !== undefined) common.temperature = w.temperature;
  const out = (i: number) => sampleLength(w.outputTokens, requestRng(w.seed ^ 0x5bd1e995, i));
  const chat = w.api === 'chat';

  if (src.kind === 'synthetic') {
    const shared = sharedPrefixTokens(src.tokens, src.sharedPrefixRatio);
    const prefix = shared > 0 ? words(shared, rng(w.seed ^ 0x27d4eb2d)) : '';
    return {
      issues: [],
      size: null,
      request(i) {
        const random = requestRng(w.seed, i);
        const n = sampleLength(src.tokens, random);
        const text = prefix + words(Math.max(0, n - shared), random);
        const maxTokens = out(i);
        const body = chat
          ? { ...common, messages: [{ role: 'user', content: text }], max_tokens: maxTokens }
          : { ...common, prompt: text, max_tokens: maxTokens };
        return { body: JSON.stringify(body), maxTokens, promptTokensEstimate: Math.max(n, shared) };
      },
    };
  }
  const file = await loadJsonlPrompts(src.path);
  return {
    issues: file.issues,
    size: file.prompts.length,
    request(i) {
      const p = file.prompts[i % file.prompts.length]!;
      const maxTokens = p.max_tokens ?? out(i);
      let body: Record<string, unknown>;
      if (chat) body = { ...common, messages: p.messages ?? [{ role: 'user', content: p.prompt! }], max_tokens: maxTokens };
      else {
        // A chat-only line on the completions API: its messages joined as plain text.
        const text = p.prompt ?? p.messages!.map((m) => m.content).join('\n');
        body = { ...common, prompt: text, max_tokens: maxTokens };
      }
      return { body: JSON.stringify(body), maxTokens, promptTokensEstimate: null };
    },
  };
}

/** Tokens of the shared prefix: the ratio of the shortest prompt the distribution can draw. */
export function sharedPrefixTokens(d: LengthDistDto, ratio: number): number {
  const shortest = d.kind === 'fixed' ? d.value : d.min;
  return Math.floor(shortest * Math.min(1, Math.max(0, ratio)));
}

export const PROMPT_WORDS: readonly string[] = WORDS;
