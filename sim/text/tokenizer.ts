// The simulator's tokenizer: small, deterministic, reversible, and used for everything that counts
// tokens (/tokenize, /detokenize, `usage`, the max-model-len check, the engine's prefill lengths,
// prefix-cache block hashes and the /metrics counters), so all of them agree with each other.
//
// It is "word-piece-ish", close enough to a real BPE in tokens-per-character for load tests:
//  1. Pre-tokenise with GPT-2's pattern (simplified to ASCII classes): special tokens,
//     ` ?letters`, ` ?digit`, ` ?punctuation-run`, whitespace runs (a run before a word leaves its
//     last space to the word).
//  2. A pre-token that is a lexicon word (sim/text/lexicon.ts; plain, capitalised, with or without
//     the leading space) is one token.
//  3. Anything else is cut greedily into 2-character printable-ASCII pieces (one token each), a
//     lone printable char is one token, and every other character is its UTF-8 bytes (one token
//     per byte, like byte-fallback BPE).
//
// Id layout (vocabulary 131072 like Nemotron-Nano-12B-v2, nemotron.md §1):
//   0..15     special tokens (<unk>, <s>, </s>, template markers, <think>, </think>)
//   16..271   bytes 0x00..0xFF
//   272..366  single printable ASCII chars 0x20..0x7E
//   367..9391 printable ASCII pairs
//   9392..    lexicon words × {plain, capitalised} × {no space, leading space}
import { allLexiconWords } from './lexicon';

export const VOCAB_SIZE = 131072;

export const SPECIAL_TOKENS = [
  '<unk>',
  '<s>',
  '</s>',
  '<SPECIAL_10>',
  '<SPECIAL_11>',
  '<SPECIAL_12>',
  '<think>',
  '</think>',
  '<|im_start|>',
  '<|im_end|>',
  '<TOOLCALL>',
  '</TOOLCALL>',
  '<AVAILABLE_TOOLS>',
  '</AVAILABLE_TOOLS>',
  '<SPECIAL_14>',
  '<SPECIAL_15>',
] as const;

const BYTE_BASE = 16;
const CHAR_BASE = 272;
const PAIR_BASE = 367;
const WORD_BASE = PAIR_BASE + 95 * 95;

export const EOS_ID = 2;

const PRETOKEN_RE = new RegExp(
  `${SPECIAL_TOKENS.map((t) => t.replace(/[|\\[\]()]/g, '\\$&')).join('|')}| ?[A-Za-z]+| ?[0-9]| ?[^\\sA-Za-z0-9]+|\\s+(?!\\S)|\\s+`,
  'g',
);

const isPrintable = (c: number) => c >= 0x20 && c <= 0x7e;

export class SimTokenizer {
  private readonly wordToId = new Map<string, number>();
  private readonly idToWord = new Map<number, string>();
  private readonly specialToId = new Map<string, number>();
  private readonly utf8 = new TextEncoder();
  private readonly utf8Decoder = new TextDecoder();

  constructor() {
    for (const [i, t] of SPECIAL_TOKENS.entries()) this.specialToId.set(t, i);
    let id = WORD_BASE;
    for (const w of allLexiconWords()) {
      const cap = w[0]!.toUpperCase() + w.slice(1);
      for (const form of new Set([w, cap, ` ${w}`, ` ${cap}`])) {
        if (form.length <= 2 && [...form].every((ch) => isPrintable(ch.charCodeAt(0)))) continue; // already a char/pair token
        this.wordToId.set(form, id);
        this.idToWord.set(id, form);
        id++;
      }
    }
    if (id > VOCAB_SIZE) throw new Error('simulated vocabulary overflow');
  }

  /** Id of a single-token string (a special token or a lexicon word form), if it is one. */
  tokenId(piece: string): number | undefined {
    return this.specialToId.get(piece) ?? this.wordToId.get(piece);
  }

  encode(text: string, out: number[] = []): number[] {
    PRETOKEN_RE.lastIndex = 0;
    for (let m = PRETOKEN_RE.exec(text); m !== null; m = PRETOKEN_RE.exec(text)) this.encodePiece(m[0], out);
    return out;
  }

  /** Encodes one pre-token (callers that build text from pre-tokens use this to stay consistent). */
  encodePiece(piece: string, out: number[]): void {
    const whole = this.specialToId.get(piece) ?? this.wordToId.get(piece);
    if (whole !== undefined) {
      out.push(whole);
      return;
    }
    let i = 0;
    while (i < piece.length) {
      const a = piece.charCodeAt(i);
      if (isPrintable(a)) {
        const b = i + 1 < piece.length ? piece.charCodeAt(i + 1) : -1;
        if (b !== -1 && isPrintable(b)) {
          out.push(PAIR_BASE + (a - 0x20) * 95 + (b - 0x20));
          i += 2;
        } else {
          out.push(CHAR_BASE + (a - 0x20));
          i += 1;
        }
        continue;
      }
      const cp = piece.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      for (const byte of this.utf8.encode(ch)) out.push(BYTE_BASE + byte);
      i += ch.length;
    }
  }

  /** Text of one token id; byte tokens decode only in sequence (use `decode`). */
  pieceOf(id: number): string {
    if (id < BYTE_BASE) return SPECIAL_TOKENS[id] ?? '';
    if (id < CHAR_BASE) return String.fromCharCode(id - BYTE_BASE); // lone byte (latin-1 view)
    if (id < PAIR_BASE) return String.fromCharCode(0x20 + id - CHAR_BASE);
    if (id < WORD_BASE) {
      const k = id - PAIR_BASE;
      return String.fromCharCode(0x20 + Math.floor(k / 95), 0x20 + (k % 95));
    }
    return this.idToWord.get(id) ?? '';
  }

  decode(ids: readonly number[], skipSpecial = false): string {
    let s = '';
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length) {
        s += this.utf8Decoder.decode(new Uint8Array(bytes));
        bytes = [];
      }
    };
    for (const id of ids) {
      if (id >= BYTE_BASE && id < CHAR_BASE) {
        bytes.push(id - BYTE_BASE);
        continue;
      }
      flush();
      if (id < BYTE_BASE && skipSpecial) continue;
      s += this.pieceOf(id);
    }
    flush();
    return s;
  }

  count(text: string): number {
    return this.encode(text).length;
  }
}

let shared: SimTokenizer | undefined;
export function tokenizer(): SimTokenizer {
  shared ??= new SimTokenizer();
  return shared;
}

/** 32-bit FNV-1a over token ids, chained per full block: vLLM's prefix-cache block hash, simplified. */
export function blockHashes(ids: readonly number[], blockSize: number): number[] {
  const out: number[] = [];
  let h = 0x811c9dc5;
  const full = Math.floor(ids.length / blockSize);
  for (let b = 0; b < full; b++) {
    for (let i = b * blockSize; i < (b + 1) * blockSize; i++) {
      let v = ids[i]!;
      for (let k = 0; k < 3; k++) {
        h ^= v & 0xff;
        h = Math.imul(h, 0x01000193) >>> 0;
        v >>>= 8;
      }
    }
    out.push(h);
  }
  return out;
}
