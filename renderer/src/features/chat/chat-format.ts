// Display helpers of the chat page (pure, unit-tested).
import type { ChatMessage, ReplyStats, Sampling } from '../../contract';

export const ms = (x: number | null): string => (x === null ? '—' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
export const num = (x: number | null): string => (x === null ? '—' : x.toLocaleString('en-US'));

/** The stats of one reply as label/value pairs (the chips under a reply). */
export function statItems(s: ReplyStats): { label: string; value: string; title: string }[] {
  const items = [
    { label: 'TTFT', value: ms(s.ttftMs), title: 'Time to first token (reasoning or answer)' },
    { label: 'answer after', value: ms(s.ttfaMs), title: 'Time to the first answer token, after the reasoning' },
    { label: 'total', value: ms(s.totalMs), title: 'Request sent → stream ended' },
    {
      label: 'tok/s',
      value: s.tokensPerSecond === null ? '—' : s.tokensPerSecond.toFixed(1),
      title: 'Completion tokens per second while streaming',
    },
    { label: 'prompt', value: num(s.promptTokens), title: 'Prompt tokens (server usage)' },
    {
      label: 'reasoning',
      value: num(s.reasoningTokens),
      title:
        s.reasoningTokensSource === 'usage'
          ? 'Reasoning tokens (server usage)'
          : s.reasoningTokensSource === 'tokenize'
            ? 'Reasoning tokens, counted with the server’s /tokenize'
            : 'Reasoning tokens (unknown: the server has no /tokenize)',
    },
    { label: 'answer', value: num(s.answerTokens), title: 'Completion tokens minus reasoning tokens' },
    { label: 'finish', value: s.finishReason ?? '—', title: 'finish_reason of the stream' },
  ];
  if (s.budget) {
    items.push({
      label: 'budget',
      value: `${s.budget.limit}${s.budget.hit ? ' (reached)' : ''}`,
      title: s.budget.continued ? 'Thinking budget: reasoning closed, answer continued through /v1/completions' : 'Thinking budget',
    });
  }
  return items;
}

/** Rows of the side-by-side comparison table: [label, think, no_think]. */
export function compareRows(think: ChatMessage, noThink: ChatMessage): [string, string, string][] {
  const a = think.stats;
  const b = noThink.stats;
  const row = (label: string, f: (s: ReplyStats) => string): [string, string, string] => [label, a ? f(a) : '…', b ? f(b) : '…'];
  return [
    row('Reasoning tokens', (s) => num(s.reasoningTokens)),
    row('Answer tokens', (s) => num(s.answerTokens)),
    row('Time to first answer token', (s) => ms(s.ttfaMs)),
    row('Total latency', (s) => ms(s.totalMs)),
    row('Tokens/s', (s) => (s.tokensPerSecond === null ? '—' : s.tokensPerSecond.toFixed(1))),
    row('Finish', (s) => s.finishReason ?? '—'),
  ];
}

/** A number field's text → value: '' is "not set" (null), anything unparsable is invalid. */
export function parseField(text: string, kind: 'float' | 'int'): { ok: true; value: number | null } | { ok: false } {
  const t = text.trim();
  if (t === '') return { ok: true, value: null };
  const n = Number(t);
  if (!Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) return { ok: false };
  return { ok: true, value: n };
}

/** Stop strings are edited one per line. */
export const stopToText = (s: Sampling['stop']): string => s.map((x) => x.replace(/\n/g, '\\n')).join('\n');
export const textToStop = (t: string): string[] =>
  t
    .split('\n')
    .map((x) => x.replace(/\\n/g, '\n'))
    .filter((x) => x.length > 0)
    .slice(0, 8);

/** Short relative date for the conversation list. */
export function when(at: number, now: number): string {
  const d = Math.max(0, now - at) / 1000;
  if (d < 60) return 'just now';
  if (d < 3600) return `${Math.floor(d / 60)} min ago`;
  if (d < 86_400) return `${Math.floor(d / 3600)} h ago`;
  return new Date(at).toISOString().slice(0, 10);
}
