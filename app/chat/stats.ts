// Per-reply stats from the stream's timestamps and the server's `usage` (issue 7): time to first
// token, time to first ANSWER token (after the reasoning), streamed tokens/s, token counts.
import type { ReplyStats } from '../contract/index';

export interface StatsInput {
  model: string;
  /** Request sent (ms, any monotonic clock). */
  t0: number;
  /** First streamed text (reasoning or answer). */
  tFirst: number | null;
  /** First answer text. */
  tFirstAnswer: number | null;
  /** Last streamed text. */
  tLast: number | null;
  /** Stream ended. */
  tEnd: number;
  promptTokens: number | null;
  completionTokens: number | null;
  reasoningTokens: number | null;
  reasoningTokensSource: ReplyStats['reasoningTokensSource'];
  finishReason: string | null;
  split: ReplyStats['split'];
  budget: ReplyStats['budget'];
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Tokens/s is the decode rate the user watched: the first token's latency is TTFT, so the rate
 * counts the tokens after it over the time between the first and the last one. It needs the
 * server's completion count (the text alone cannot be turned into tokens without its tokenizer).
 */
export function tokensPerSecond(completionTokens: number | null, tFirst: number | null, tLast: number | null): number | null {
  if (completionTokens === null || tFirst === null || tLast === null) return null;
  if (completionTokens < 2 || tLast <= tFirst) return null;
  return round1((completionTokens - 1) / ((tLast - tFirst) / 1000));
}

export function computeStats(i: StatsInput): ReplyStats {
  const reasoning = i.reasoningTokens;
  const answer = i.completionTokens !== null && reasoning !== null ? Math.max(0, i.completionTokens - reasoning) : null;
  return {
    model: i.model,
    ttftMs: i.tFirst === null ? null : round1(i.tFirst - i.t0),
    ttfaMs: i.tFirstAnswer === null ? null : round1(i.tFirstAnswer - i.t0),
    totalMs: round1(i.tEnd - i.t0),
    tokensPerSecond: tokensPerSecond(i.completionTokens, i.tFirst, i.tLast),
    promptTokens: i.promptTokens,
    completionTokens: i.completionTokens,
    reasoningTokens: reasoning,
    answerTokens: answer,
    reasoningTokensSource: i.reasoningTokensSource,
    finishReason: i.finishReason,
    split: i.split,
    budget: i.budget,
  };
}

/** One line for the UI and the Markdown export: "TTFT 120 ms · answer after 900 ms · 48.2 tok/s · …". */
export function formatStats(s: ReplyStats): string {
  const parts: string[] = [];
  const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
  if (s.ttftMs !== null) parts.push(`TTFT ${ms(s.ttftMs)}`);
  if (s.ttfaMs !== null && s.ttfaMs !== s.ttftMs) parts.push(`answer after ${ms(s.ttfaMs)}`);
  parts.push(`total ${ms(s.totalMs)}`);
  if (s.tokensPerSecond !== null) parts.push(`${s.tokensPerSecond} tok/s`);
  if (s.promptTokens !== null) parts.push(`prompt ${s.promptTokens}`);
  if (s.reasoningTokens !== null) parts.push(`reasoning ${s.reasoningTokens}`);
  if (s.answerTokens !== null) parts.push(`answer ${s.answerTokens}`);
  else if (s.completionTokens !== null) parts.push(`completion ${s.completionTokens}`);
  if (s.finishReason) parts.push(`finish ${s.finishReason}`);
  if (s.budget) parts.push(`budget ${s.budget.limit}${s.budget.hit ? ' (reached)' : ''}`);
  return parts.join(' · ');
}
