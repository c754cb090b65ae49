// Splits a streamed Nemotron reply into reasoning and answer (../shared/reference/nemotron.md §3).
// With thinking on, the chat template already opened `<think>\n` in the prompt, so the generated
// text starts INSIDE the think block: reasoning, then `</think>`, then the answer — no opening
// tag. With `/no_think` the prompt holds `<think></think>` and the output is all answer. When the
// server runs a reasoning parser, reasoning arrives in `delta.reasoning` (new vLLM) or
// `delta.reasoning_content` (old) and content is the answer; then no splitting is needed.

const CLOSE = '</think>';
const OPEN = '<think>';

export type SplitMode = 'server' | 'client';

export interface SplitDelta {
  reasoning: string;
  answer: string;
}

/**
 * Incremental splitter. Feed content deltas as they stream (any chunk boundaries, even inside
 * `</think>`); it returns what became certain in each call and holds back at most a tag's length.
 */
export class ReasoningSplitter {
  private inThink: boolean;
  private held = '';
  private sawClose = false;
  private leadingChecked = false;

  /** `startsInThink`: true when thinking is on (output begins inside the block). */
  constructor(startsInThink: boolean) {
    this.inThink = startsInThink;
  }

  /** Whether `</think>` was seen (false at the end of a thinking reply = the budget or max_tokens cut it). */
  get closed(): boolean {
    return this.sawClose;
  }
  get thinking(): boolean {
    return this.inThink;
  }

  push(text: string): SplitDelta {
    let s = this.held + text;
    this.held = '';
    const out: SplitDelta = { reasoning: '', answer: '' };
    if (!this.leadingChecked) {
      // Some templates/models do emit an explicit `<think>` first; accept and drop it.
      const trimmed = s.replace(/^\s+/, '');
      if (trimmed.length < OPEN.length && OPEN.startsWith(trimmed)) {
        this.held = s;
        return out;
      }
      this.leadingChecked = true;
      if (trimmed.startsWith(OPEN)) {
        s = trimmed.slice(OPEN.length);
        this.inThink = true;
      }
    }
    while (s.length > 0) {
      if (this.inThink) {
        const i = s.indexOf(CLOSE);
        if (i !== -1) {
          out.reasoning += s.slice(0, i);
          s = s.slice(i + CLOSE.length);
          this.inThink = false;
          this.sawClose = true;
          continue;
        }
        const keep = partialSuffix(s, CLOSE);
        out.reasoning += s.slice(0, s.length - keep);
        this.held = s.slice(s.length - keep);
        break;
      }
      out.answer += s;
      break;
    }
    return out;
  }

  /** End of stream: whatever was held back belongs to the current part. */
  end(): SplitDelta {
    const rest = this.held;
    this.held = '';
    if (!this.leadingChecked) this.leadingChecked = true;
    return this.inThink ? { reasoning: rest, answer: '' } : { reasoning: '', answer: rest };
  }
}

/** Length of the longest suffix of `s` that is a proper prefix of `tag` (a tag cut by a chunk). */
function partialSuffix(s: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, s.length); n > 0; n--) {
    if (s.endsWith(tag.slice(0, n))) return n;
  }
  return 0;
}

/** The reasoning field of a streamed delta or a message, whatever the vLLM version calls it. */
export function reasoningField(d: unknown): string | undefined {
  if (!d || typeof d !== 'object') return undefined;
  const o = d as Record<string, unknown>;
  const v = o.reasoning ?? o.reasoning_content;
  return typeof v === 'string' ? v : undefined;
}

export type ThinkMode = 'think' | 'no_think';

/**
 * The effective thinking mode of a conversation: `/think` or `/no_think` in system or user
 * messages, the LAST one wins; none → on (the model's default).
 */
export function effectiveThinkMode(messages: readonly { role: string; content: string }[]): ThinkMode {
  let mode: ThinkMode = 'think';
  for (const m of messages) {
    if (m.role !== 'system' && m.role !== 'user') continue;
    const re = /\/(no_think|think)\b/g;
    for (let r = re.exec(m.content); r; r = re.exec(m.content)) mode = r[1] === 'think' ? 'think' : 'no_think';
  }
  return mode;
}

/** The system message for a mode plus the user's own system prompt (keyword first, as the card shows). */
export function systemPrompt(mode: ThinkMode, userSystem: string): string {
  const own = userSystem.replace(/\/(no_think|think)\b/g, '').trim();
  return own ? `/${mode}\n${own}` : `/${mode}`;
}

/** Recommended sampling (nemotron.md §3): 0.6 / 0.95 with thinking, greedy without. */
export function recommendedSampling(mode: ThinkMode): { temperature: number; top_p: number } {
  return mode === 'think' ? { temperature: 0.6, top_p: 0.95 } : { temperature: 0, top_p: 1 };
}
