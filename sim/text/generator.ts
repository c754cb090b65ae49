// Deterministic model output: the same seed gives the same tokens, token by token, so tests can
// predict content and streams are reproducible. Text is pseudo-English built from the lexicon
// (one token per word) plus up to three topic words taken from the prompt.
//
// Nemotron-style thinking (nemotron.md §3): with reasoning on, the prompt already ends in
// `<think>\n`, so the generated text starts *inside* the think block: reasoning sentences, then
// `\n</think>\n\n`, then the answer — no opening `<think>` in the output.
import { ADJECTIVES, FUNCTION_WORDS, NOUNS, OPENERS, VERBS } from './lexicon';
import { type SimTokenizer, tokenizer } from './tokenizer';

/** mulberry32: tiny, fast, good enough for picking words. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string or id list, for seeds derived from the prompt. */
export function hashSeed(input: string | readonly number[]): number {
  let h = 0x811c9dc5;
  if (typeof input === 'string') {
    for (let i = 0; i < input.length; i++) {
      h ^= input.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  } else {
    for (const v of input) {
      h ^= v;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h >>> 0;
}

/** Filler words never used as topics. */
const NOT_TOPICS = new Set(
  'think system user assistant what which when where there their this that these those with from about would could should please into your have does will been were they them then than just also some more most very much many tell give explain describe write'.split(
    ' ',
  ),
);

/** Up to `max` distinct ASCII words of ≥ 4 letters from the prompt, longest first (stable). */
export function topicWords(text: string, max = 3): string[] {
  const seen = new Set<string>();
  const words: string[] = [];
  for (const m of text.matchAll(/[A-Za-z]{4,24}/g)) {
    const w = m[0].toLowerCase();
    if (seen.has(w) || NOT_TOPICS.has(w)) continue;
    seen.add(w);
    words.push(w);
  }
  return words.sort((a, b) => b.length - a.length).slice(0, max);
}

export interface OutputOptions {
  seed: number;
  /** Start inside a think block (reasoning, `</think>`, answer). */
  think: boolean;
  topics: string[];
  /** `ignore_eos`: keep generating until max_tokens. */
  ignoreEos?: boolean;
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);

/**
 * A lazily extended token stream. `ids[i]`/`pieces[i]` are token i and its text; `naturalLength`
 * is where the model would emit EOS (Infinity with ignoreEos); `thinkEnd` is the index of the
 * `</think>` token (-1 when not thinking).
 */
export class OutputStream {
  readonly ids: number[] = [];
  readonly pieces: string[] = [];
  readonly naturalLength: number;
  thinkEnd = -1;
  private readonly r: () => number;
  private readonly tok: SimTokenizer;
  private readonly topics: string[];
  private reasoningLeft: number;
  private answerLeft: number;
  private inAnswer: boolean;
  private sentenceInParagraph = 0;
  private answerStarted = false;

  constructor(opts: OutputOptions) {
    this.tok = tokenizer();
    this.r = prng(opts.seed ^ 0x5bd1e995);
    this.topics = opts.topics;
    this.reasoningLeft = opts.think ? 3 + Math.floor(this.r() * 8) : 0;
    this.answerLeft = opts.ignoreEos ? Number.POSITIVE_INFINITY : 2 + Math.floor(this.r() * 7);
    this.inAnswer = !opts.think;
    if (opts.ignoreEos) {
      this.naturalLength = Number.POSITIVE_INFINITY;
    } else {
      while (this.extend()) {
        /* generate everything up front: the natural length must be known */
      }
      this.naturalLength = this.ids.length;
    }
  }

  /** Makes sure tokens [0, n) exist (bounded by the natural length). */
  ensure(n: number): void {
    while (this.ids.length < n && this.extend()) {
      /* extend */
    }
  }

  /** Text of tokens [from, to). */
  text(from: number, to: number): string {
    this.ensure(to);
    let s = '';
    for (let i = from; i < to && i < this.pieces.length; i++) s += this.pieces[i];
    return s;
  }

  private push(chunk: string): void {
    const ids = this.tok.encode(chunk);
    for (const id of ids) {
      if (id === this.tok.tokenId('</think>')) this.thinkEnd = this.ids.length;
      this.ids.push(id);
      this.pieces.push(this.tok.pieceOf(id));
    }
  }

  /** Appends one sentence; false when the output is complete. */
  private extend(): boolean {
    const r = this.r;
    if (!this.inAnswer) {
      if (this.reasoningLeft <= 0) {
        this.inAnswer = true;
        this.sentenceInParagraph = 0;
        this.push(`\n</think>\n\n${this.answerSentence(true)}`);
        this.answerStarted = true;
        this.answerLeft--;
        return true;
      }
      const first = this.ids.length === 0;
      const lead = first ? '' : this.sentenceInParagraph >= 3 && r() < 0.5 ? '\n\n' : ' ';
      if (lead === '\n\n') this.sentenceInParagraph = 0;
      this.push(lead + this.reasoningSentence(first));
      this.sentenceInParagraph++;
      this.reasoningLeft--;
      return true;
    }
    if (this.answerLeft <= 0) return false;
    const lead = !this.answerStarted && this.ids.length === 0 ? '' : this.sentenceInParagraph >= 3 && r() < 0.4 ? '\n\n' : ' ';
    if (lead === '\n\n') this.sentenceInParagraph = 0;
    this.push(lead + this.answerSentence(!this.answerStarted));
    this.answerStarted = true;
    this.sentenceInParagraph++;
    this.answerLeft--;
    return true;
  }

  private topic(): string {
    return this.topics.length ? pick(this.r, this.topics) : `${pick(this.r, ADJECTIVES)} ${pick(this.r, NOUNS)}`;
  }

  private reasoningSentence(first: boolean): string {
    const r = this.r;
    if (first) return `Okay, the user asks about the ${this.topic()}.`;
    switch (Math.floor(r() * 4)) {
      case 0:
        return `${pick(r, OPENERS)}, we should ${pick(r, VERBS)} the ${pick(r, ADJECTIVES)} ${pick(r, NOUNS)} ${pick(r, FUNCTION_WORDS)} the ${pick(r, NOUNS)}.`;
      case 1:
        return `Let me ${pick(r, VERBS)} the ${pick(r, NOUNS)} first, then ${pick(r, VERBS)} the ${this.topic()}.`;
      case 2:
        return `The ${pick(r, NOUNS)} is ${pick(r, ADJECTIVES)}, so the ${pick(r, NOUNS)} will be ${pick(r, ADJECTIVES)}.`;
      default:
        return `${pick(r, OPENERS)}, I need to ${pick(r, VERBS)} ${pick(r, FUNCTION_WORDS)} ${pick(r, NOUNS)} and ${pick(r, VERBS)} it.`;
    }
  }

  private answerSentence(first: boolean): string {
    const r = this.r;
    if (first) return `Here is a ${pick(r, ADJECTIVES)} answer about the ${this.topic()}.`;
    switch (Math.floor(r() * 4)) {
      case 0:
        return `${cap(pick(r, NOUNS))} ${pick(r, FUNCTION_WORDS)} the ${pick(r, NOUNS)} is ${pick(r, ADJECTIVES)} and ${pick(r, ADJECTIVES)}.`;
      case 1:
        return `You can ${pick(r, VERBS)} the ${pick(r, ADJECTIVES)} ${pick(r, NOUNS)} to ${pick(r, VERBS)} the ${this.topic()}.`;
      case 2:
        return `${pick(r, OPENERS)}, the ${pick(r, NOUNS)} should ${pick(r, VERBS)} the ${pick(r, NOUNS)}.`;
      default:
        return `This ${pick(r, NOUNS)} will ${pick(r, VERBS)} ${pick(r, FUNCTION_WORDS)} ${pick(r, ADJECTIVES)} ${pick(r, NOUNS)}.`;
    }
  }
}
