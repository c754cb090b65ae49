// Bash quoting (for display / exported scripts) and a small bash-subset reader (for importing a
// pasted `vllm serve …` line or a whole launcher script). Nothing here ever runs a shell: the
// reader only *reads* text, it never executes command substitutions or anything else.

/** Characters that never need quoting in any bash word position (no globbing, expansion or splitting). */
const SAFE_WORD = /^[A-Za-z0-9_@%+:,./-]+$/;

/**
 * Quotes one argument for bash so it reads back as exactly `s`: single quotes, with an embedded
 * `'` written as `'\''`. Inside single quotes bash treats every byte literally ($, `, \, ", ;,
 * newlines), so no hostile string can escape. Plain words stay unquoted for readability.
 */
export function shellQuote(s: string): string {
  if (s !== '' && SAFE_WORD.test(s)) return s;
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** `NAME=value` for a command prefix or an `export` line (the name is validated by the caller). */
export function shellAssign(name: string, value: string): string {
  return `${name}=${shellQuote(value)}`;
}

// ---------------------------------------------------------------------------------------------
// Reader: text → list of commands (words made of literal and expansion parts).

export type WordPart =
  | { t: 'lit'; v: string; quoted: boolean }
  /** $NAME, ${NAME}, ${NAME:-word} …; `op` is the operator, `arg` its word. */
  | { t: 'var'; name: string; op?: string; arg?: Word; quoted: boolean; raw: string }
  /** $(…), `…`, $((…)), or a ${…} form we do not evaluate: never executed, always unresolved. */
  | { t: 'opaque'; raw: string; quoted: boolean };

export interface Word {
  parts: WordPart[];
  /** Source text of the word, as written. */
  raw: string;
}

export type Token = { k: 'word'; w: Word; start: number; end: number } | { k: 'op'; v: string; start: number; end: number };

const OP_CHARS = new Set([';', '&', '|', '(', ')', '<', '>', '\n']);

/** Finds the index just after the `close` that balances an `open` at `i` (quotes respected). */
function matchClose(src: string, i: number, open: string, close: string): number {
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') {
      j++;
      continue;
    }
    if (c === "'") {
      const e = src.indexOf("'", j + 1);
      if (e < 0) return src.length;
      j = e;
      continue;
    }
    if (c === '"') {
      j = skipDouble(src, j + 1) - 1;
      continue;
    }
    if (c === open) depth++;
    else if (c === close) {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return src.length;
}

/** Index just after the closing `"` of a double-quoted string starting at `i` (after the opening quote). */
function skipDouble(src: string, i: number): number {
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
    else if (c === '$' && src[j + 1] === '(') j = matchClose(src, j + 1, '(', ')') - 1;
    else if (c === '$' && src[j + 1] === '{') j = matchClose(src, j + 1, '{', '}') - 1;
    else if (c === '`') {
      const e = src.indexOf('`', j + 1);
      j = e < 0 ? src.length : e;
    }
  }
  return src.length;
}

const ANSI_C_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v' };

/** $'…' (ANSI-C quoting): the common escapes; `i` is just after the opening quote. */
function readAnsiC(src: string, i: number): { v: string; end: number } {
  let v = '';
  let j = i;
  while (j < src.length && src[j] !== "'") {
    const c = src[j] as string;
    if (c === '\\' && j + 1 < src.length) {
      const n = src[j + 1] as string;
      if (n in ANSI_C_ESCAPES) {
        v += ANSI_C_ESCAPES[n];
        j += 2;
      } else if (n === 'x') {
        const m = /^[0-9A-Fa-f]{1,2}/.exec(src.slice(j + 2));
        v += m ? String.fromCharCode(Number.parseInt(m[0], 16)) : 'x';
        j += 2 + (m ? m[0].length : 0);
      } else if (/[0-7]/.test(n)) {
        const m = /^[0-7]{1,3}/.exec(src.slice(j + 1)) as RegExpExecArray;
        v += String.fromCharCode(Number.parseInt(m[0], 8));
        j += 1 + m[0].length;
      } else {
        v += n;
        j += 2;
      }
    } else {
      v += c;
      j++;
    }
  }
  return { v, end: j + 1 };
}

/** Reads a `$…` expansion at `i` (pointing at `$`). */
function readDollar(src: string, i: number, quoted: boolean): { part: WordPart; end: number } {
  const n = src[i + 1];
  if (n === '(') {
    const end = src[i + 2] === '(' ? matchClose(src, i + 1, '(', ')') : matchClose(src, i + 1, '(', ')');
    return { part: { t: 'opaque', raw: src.slice(i, end), quoted }, end };
  }
  if (n === '{') {
    const end = matchClose(src, i + 1, '{', '}');
    const raw = src.slice(i, end);
    const inner = raw.slice(2, -1);
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])(?:(:?[-=+?])([\s\S]*))?$/.exec(inner);
    if (!m) return { part: { t: 'opaque', raw, quoted }, end };
    const name = m[1] as string;
    if (m[2] === undefined) return { part: { t: 'var', name, quoted, raw }, end };
    // The operator's word is read like a word of its own (quotes inside it are honoured).
    const arg = readWordText(m[3] ?? '');
    return { part: { t: 'var', name, op: m[2], arg, quoted, raw }, end };
  }
  const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(src.slice(i + 1));
  if (!m) return { part: { t: 'lit', v: '$', quoted }, end: i + 1 };
  return { part: { t: 'var', name: m[1] as string, quoted, raw: `$${m[1]}` }, end: i + 1 + (m[1] as string).length };
}

/** Reads the whole of `text` as one word (used for the word inside ${NAME:-word}). */
function readWordText(text: string): Word {
  const parts: WordPart[] = [];
  let i = 0;
  while (i < text.length) {
    const r = readWordPart(text, i, true);
    if (!r) {
      pushLit(parts, text[i] as string, false);
      i++;
    } else {
      parts.push(...r.parts);
      i = r.end;
    }
  }
  return { parts, raw: text };
}

function pushLit(parts: WordPart[], v: string, quoted: boolean): void {
  const last = parts[parts.length - 1];
  if (last && last.t === 'lit' && last.quoted === quoted) last.v += v;
  else parts.push({ t: 'lit', v, quoted });
}

/**
 * Reads one part of a word at `i`. Returns null at a word boundary (unquoted blank or operator)
 * unless `inner` (inside ${…:-word}, where blanks are literal).
 */
function readWordPart(src: string, i: number, inner = false): { parts: WordPart[]; end: number } | null {
  const c = src[i] as string;
  if (!inner && (c === ' ' || c === '\t' || OP_CHARS.has(c))) return null;
  if (c === '\\') {
    if (src[i + 1] === '\n') return { parts: [], end: i + 2 }; // line continuation
    if (i + 1 >= src.length) return { parts: [], end: i + 1 };
    return { parts: [{ t: 'lit', v: src[i + 1] as string, quoted: true }], end: i + 2 };
  }
  if (c === "'") {
    const e = src.indexOf("'", i + 1);
    const end = e < 0 ? src.length : e;
    return { parts: [{ t: 'lit', v: src.slice(i + 1, end), quoted: true }], end: end + 1 };
  }
  if (c === '$' && src[i + 1] === "'") {
    const r = readAnsiC(src, i + 2);
    return { parts: [{ t: 'lit', v: r.v, quoted: true }], end: r.end };
  }
  if (c === '"') {
    const parts: WordPart[] = [];
    let j = i + 1;
    // An empty "" still makes a (quoted, empty) word: keep a marker part.
    pushLit(parts, '', true);
    while (j < src.length && src[j] !== '"') {
      const d = src[j] as string;
      if (d === '\\' && j + 1 < src.length) {
        const n = src[j + 1] as string;
        if (n === '\n') j += 2;
        else if ('$`"\\'.includes(n)) {
          pushLit(parts, n, true);
          j += 2;
        } else {
          pushLit(parts, '\\', true);
          j++;
        }
      } else if (d === '$') {
        const r = readDollar(src, j, true);
        if (r.part.t === 'lit') pushLit(parts, r.part.v, true);
        else parts.push(r.part);
        j = r.end;
      } else if (d === '`') {
        const e = src.indexOf('`', j + 1);
        const end = e < 0 ? src.length : e + 1;
        parts.push({ t: 'opaque', raw: src.slice(j, end), quoted: true });
        j = end;
      } else {
        QUOTED_RUN.lastIndex = j;
        const m = QUOTED_RUN.exec(src);
        const e = m && m[0].length > 0 ? j + m[0].length : j + 1;
        pushLit(parts, src.slice(j, e), true);
        j = e;
      }
    }
    return { parts, end: j + 1 };
  }
  if (c === '$') {
    const r = readDollar(src, i, false);
    return { parts: [r.part], end: r.end };
  }
  if (c === '`') {
    const e = src.indexOf('`', i + 1);
    const end = e < 0 ? src.length : e + 1;
    return { parts: [{ t: 'opaque', raw: src.slice(i, end), quoted: false }], end };
  }
  // A run of ordinary characters at once (one part per run, not per character: long scripts stay fast).
  PLAIN_RUN.lastIndex = i;
  const m = PLAIN_RUN.exec(src);
  const end = m && m[0].length > 0 ? i + m[0].length : i + 1;
  return { parts: [{ t: 'lit', v: src.slice(i, end), quoted: false }], end };
}

/** Characters with no special meaning in an unquoted word (whitespace, operators, quotes, $, `, \\ end a run). */
/** Inside double quotes only \\, $, ` and the closing quote are special. */
const QUOTED_RUN = /[^\\$`"]+/y;
const PLAIN_RUN = /[^\s;&|()<>\\'"$`]+/y;

/** Splits bash-like text into words and operators (comments and line continuations removed). */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\r' && src[i + 2] === '\n') {
      i += 3;
      continue;
    }
    if (c === '#') {
      const e = src.indexOf('\n', i);
      i = e < 0 ? src.length : e;
      continue;
    }
    if (OP_CHARS.has(c)) {
      // Redirections with an fd prefix are handled below with words; here the plain operators.
      const two = src.slice(i, i + 2);
      const three = src.slice(i, i + 3);
      let v = c;
      if (three === '<<<' || three === '&>>') v = three;
      else if (['&&', '||', ';;', '>>', '<<', '>&', '<&', '&>', '|&', '<>'].includes(two)) v = two;
      out.push({ k: 'op', v, start: i, end: i + v.length });
      i += v.length;
      continue;
    }
    // fd-prefixed redirection: 2>&1, 2>file, 1>>file
    const redir = /^[0-9]+(>>|>&|<&|>|<)/.exec(src.slice(i, i + 8));
    if (redir) {
      const len = redir[0].length;
      out.push({ k: 'op', v: redir[0], start: i, end: i + len });
      i += len;
      continue;
    }
    const start = i;
    const parts: WordPart[] = [];
    while (i < src.length) {
      const r = readWordPart(src, i);
      if (!r) break;
      for (const p of r.parts) {
        if (p.t === 'lit') pushLit(parts, p.v, p.quoted);
        else parts.push(p);
      }
      i = r.end;
    }
    if (i === start) {
      i++; // defensive: never loop forever on an unexpected character
      continue;
    }
    if (parts.length === 0) continue; // a bare line continuation
    out.push({ k: 'word', w: { parts, raw: src.slice(start, i) }, start, end: i });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parser: tokens → a small AST of the shapes launcher scripts use.

export type Redirect = { op: string; target?: Word };

export type ShNode =
  | { type: 'simple'; words: Word[]; redirects: Redirect[]; raw: string }
  | { type: 'pipeline'; commands: ShNode[]; raw: string }
  | { type: 'if'; clauses: { cond: ShNode[]; body: ShNode[] }[]; elseBody?: ShNode[]; raw: string }
  | { type: 'case'; subject: Word; items: { patterns: Word[]; body: ShNode[] }[]; raw: string }
  | { type: 'group'; body: ShNode[]; raw: string }
  /** for/while/until loops, function definitions, subshells, here-docs: reported, not interpreted. */
  | { type: 'unsupported'; what: string; raw: string };

/** Compound commands (if, case, groups, subshells) nested deeper than this are not parsed further. */
const MAX_NESTING = 64;

const REDIRECT_OPS = new Set(['>', '<', '>>', '>&', '<&', '&>', '&>>', '<>', '<<', '<<<']);

const isWordText = (t: Token | undefined, v: string): boolean =>
  t?.k === 'word' && t.w.parts.length === 1 && t.w.parts[0]?.t === 'lit' && !t.w.parts[0].quoted && t.w.parts[0].v === v;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly toks: Token[],
    private readonly src: string,
  ) {}

  private peek(): Token | undefined {
    return this.toks[this.i];
  }

  private skipSeparators(): void {
    for (let t = this.peek(); t && t.k === 'op' && (t.v === '\n' || t.v === ';'); t = this.peek()) this.i++;
  }

  private rawFrom(start: number): string {
    const prev = this.toks[this.i - 1];
    return this.src.slice(start, prev ? prev.end : start).trim();
  }

  /** Commands until one of the `stop` keywords (at command position) or `stopOps`, or the end. */
  parseList(stop: string[] = [], stopOps: string[] = []): ShNode[] {
    const out: ShNode[] = [];
    for (;;) {
      this.skipSeparators();
      const t = this.peek();
      if (!t) return out;
      if (t.k === 'op' && stopOps.includes(t.v)) return out;
      if (stop.some((s) => isWordText(t, s))) return out;
      const node = this.parseAndOr();
      if (node) out.push(node);
      const n = this.peek();
      if (n && n.k === 'op' && (n.v === '&&' || n.v === '||' || n.v === '&')) this.i++;
    }
  }

  private parseAndOr(): ShNode | undefined {
    const t = this.peek() as Token;
    const start = t.start;
    const first = this.parseCommand();
    const commands = first ? [first] : [];
    for (let n = this.peek(); n && n.k === 'op' && (n.v === '|' || n.v === '|&'); n = this.peek()) {
      this.i++;
      const next = this.parseCommand();
      if (next) commands.push(next);
    }
    if (commands.length <= 1) return first;
    return { type: 'pipeline', commands, raw: this.rawFrom(start) };
  }

  private parseCommand(): ShNode | undefined {
    const t = this.peek();
    if (!t) return undefined;
    const start = t.start;
    // Launchers nest a few levels; anything deeper is reported whole instead of recursing on.
    if (this.depth >= MAX_NESTING) {
      this.i = this.toks.length;
      return { type: 'unsupported', what: `nesting deeper than ${MAX_NESTING} levels`, raw: this.rawFrom(start) };
    }
    this.depth++;
    try {
      return this.parseCommandInner(t, start);
    } finally {
      this.depth--;
    }
  }

  private parseCommandInner(t: Token, start: number): ShNode | undefined {
    if (isWordText(t, 'if')) return this.parseIf();
    if (isWordText(t, 'case')) return this.parseCase();
    if (isWordText(t, '{')) {
      this.i++;
      const body = this.parseList(['}']);
      this.i++;
      return { type: 'group', body, raw: this.rawFrom(start) };
    }
    for (const kw of ['for', 'while', 'until', 'select', 'function']) {
      if (isWordText(t, kw)) return this.skipBlock(start, kw, kw === 'function' ? '}' : 'done');
    }
    if (t.k === 'op' && t.v === '(') {
      this.i++;
      this.parseList([], [')']);
      this.i++;
      return { type: 'unsupported', what: 'subshell', raw: this.rawFrom(start) };
    }
    // name() { … } function definition
    const n1 = this.toks[this.i + 1];
    const n2 = this.toks[this.i + 2];
    if (t.k === 'word' && n1?.k === 'op' && n1.v === '(' && n2?.k === 'op' && n2.v === ')') {
      this.i += 3;
      this.skipSeparators();
      if (isWordText(this.peek(), '{')) {
        this.i++;
        this.parseList(['}']);
        this.i++;
      }
      return { type: 'unsupported', what: 'function definition', raw: this.rawFrom(start) };
    }
    return this.parseSimple();
  }

  private skipBlock(start: number, what: string, end: string): ShNode {
    this.i++;
    let depth = 1;
    let seenBrace = false;
    while (this.peek() && depth > 0) {
      const t = this.peek() as Token;
      if (end === 'done') {
        if (['for', 'while', 'until', 'select'].some((k) => isWordText(t, k))) depth++;
        if (isWordText(t, 'done')) depth--;
      } else {
        if (isWordText(t, '{')) {
          if (seenBrace) depth++;
          seenBrace = true;
        }
        if (isWordText(t, '}')) depth--;
      }
      this.i++;
    }
    return { type: 'unsupported', what: what === 'function' ? 'function definition' : `${what} loop`, raw: this.rawFrom(start) };
  }

  private parseSimple(): ShNode | undefined {
    const start = (this.peek() as Token).start;
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (let t = this.peek(); t; t = this.peek()) {
      if (t.k === 'word') {
        words.push(t.w);
        this.i++;
        continue;
      }
      const isRedir = REDIRECT_OPS.has(t.v) || /^[0-9]+(>>|>&|<&|>|<)$/.test(t.v);
      if (!isRedir) break;
      this.i++;
      const target = this.peek();
      if (target?.k === 'word') {
        redirects.push({ op: t.v, target: target.w });
        this.i++;
      } else redirects.push({ op: t.v });
    }
    if (words.length === 0 && redirects.length === 0) {
      // A stray operator (`)`, `;;` outside case): skip it so parsing always makes progress.
      this.i++;
      return undefined;
    }
    return { type: 'simple', words, redirects, raw: this.rawFrom(start) };
  }

  private parseIf(): ShNode {
    const start = (this.peek() as Token).start;
    this.i++; // if
    const clauses: { cond: ShNode[]; body: ShNode[] }[] = [];
    let elseBody: ShNode[] | undefined;
    let cond = this.parseList(['then']);
    this.i++; // then
    let body = this.parseList(['elif', 'else', 'fi']);
    clauses.push({ cond, body });
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (isWordText(t, 'elif')) {
        this.i++;
        cond = this.parseList(['then']);
        this.i++;
        body = this.parseList(['elif', 'else', 'fi']);
        clauses.push({ cond, body });
        continue;
      }
      if (isWordText(t, 'else')) {
        this.i++;
        elseBody = this.parseList(['fi']);
        continue;
      }
      if (isWordText(t, 'fi')) this.i++;
      break;
    }
    return { type: 'if', clauses, ...(elseBody ? { elseBody } : {}), raw: this.rawFrom(start) };
  }

  private parseCase(): ShNode {
    const start = (this.peek() as Token).start;
    this.i++; // case
    const subjectTok = this.peek();
    const subject: Word = subjectTok?.k === 'word' ? subjectTok.w : { parts: [], raw: '' };
    this.i++;
    this.skipSeparators();
    if (isWordText(this.peek(), 'in')) this.i++;
    const items: { patterns: Word[]; body: ShNode[] }[] = [];
    for (;;) {
      this.skipSeparators();
      const t = this.peek();
      if (!t || isWordText(t, 'esac')) {
        if (t) this.i++;
        break;
      }
      if (t.k === 'op' && t.v === '(') this.i++;
      const patterns: Word[] = [];
      for (let p = this.peek(); p; p = this.peek()) {
        if (p.k === 'word') patterns.push(p.w);
        else if (p.k === 'op' && p.v === ')') {
          this.i++;
          break;
        } else if (!(p.k === 'op' && p.v === '|')) break;
        this.i++;
      }
      const body = this.parseList(['esac'], [';;']);
      const e = this.peek();
      if (e?.k === 'op' && e.v === ';;') this.i++;
      items.push({ patterns, body });
    }
    return { type: 'case', subject, items, raw: this.rawFrom(start) };
  }
}

/** Parses bash-like text (a command line or a whole launcher script) into commands. */
export function parseShell(src: string): ShNode[] {
  const text = src.replace(/\r\n/g, '\n');
  const p = new Parser(tokenize(text), text);
  return p.parseList();
}

// ---------------------------------------------------------------------------------------------
// Expansion against known variables (no command ever runs).

export interface ShellVar {
  value: string;
  exported: boolean;
  /** The value came from something that could not be resolved ($(…), an unset variable). */
  unresolved?: string[];
}

export interface ExpandedField {
  value: string;
  /** Source text of expansions that could not be resolved ($(…), unset variables without default). */
  unresolved: string[];
  /** The field came from "$@" / $@ / "$*": the launcher forwards its own arguments. */
  passthrough?: boolean;
}

export interface ExpandContext {
  vars: Map<string, ShellVar>;
  /** Names of variables read (to tell script variables from environment for the child). */
  used?: Set<string>;
}

function lookup(ctx: ExpandContext, name: string): ShellVar | undefined {
  ctx.used?.add(name);
  return ctx.vars.get(name);
}

/** Expands one var part; returns the text (undefined when unresolved) and the unresolved sources. */
function expandVar(part: Extract<WordPart, { t: 'var' }>, ctx: ExpandContext): { text?: string; unresolved?: string[] } {
  const sv = lookup(ctx, part.name);
  const v = sv?.value;
  const set = v !== undefined;
  const own = sv?.unresolved?.length ? sv.unresolved : undefined;
  const nonEmpty = set && v !== '';
  const argValue = (): { text?: string; unresolved?: string[] } => {
    if (!part.arg) return { text: '', unresolved: [] };
    const fields = expandWord(part.arg, ctx, false);
    const f = fields[0] ?? { value: '', unresolved: [] };
    return { text: f.value, unresolved: f.unresolved };
  };
  switch (part.op) {
    case undefined:
      return set ? { text: v, unresolved: own } : { unresolved: [part.raw] };
    case ':-':
      return nonEmpty ? { text: v, unresolved: own } : argValue();
    case '-':
      return set ? { text: v, unresolved: own } : argValue();
    case ':=':
    case '=': {
      if (part.op === ':=' ? nonEmpty : set) return { text: v, unresolved: own };
      const r = argValue();
      if (r.text !== undefined && !r.unresolved?.length) ctx.vars.set(part.name, { value: r.text, exported: false });
      return r;
    }
    case ':+':
      return nonEmpty ? argValue() : { text: '' };
    case '+':
      return set ? argValue() : { text: '' };
    default:
      // ${X:?msg} / ${X?msg}: the value when set, else the script would abort.
      return set ? { text: v, unresolved: own } : { unresolved: [part.raw] };
  }
}

/**
 * Expands a word like bash would (parameter expansion + word splitting of unquoted results),
 * without running anything: command substitutions and unknown variables are reported as
 * unresolved. `split` false = the word is an assignment value (no splitting).
 */
export function expandWord(word: Word, ctx: ExpandContext, split = true): ExpandedField[] {
  // "$@" (or $@ / "$*") alone: the launcher's own arguments, which an import cannot know.
  if (word.parts.length <= 2 && word.parts.some((p) => p.t === 'var' && (p.name === '@' || p.name === '*') && !p.op)) {
    const rest = word.parts.filter((p) => !(p.t === 'var' && (p.name === '@' || p.name === '*')));
    if (rest.every((p) => p.t === 'lit' && p.v === '')) return [{ value: '', unresolved: [], passthrough: true }];
  }
  const fields: ExpandedField[] = [];
  let cur: ExpandedField | undefined;
  const ensure = (): ExpandedField => {
    cur ??= { value: '', unresolved: [] };
    return cur;
  };
  for (const p of word.parts) {
    if (p.t === 'lit') {
      ensure().value += p.v;
      continue;
    }
    if (p.t === 'opaque') {
      const f = ensure();
      f.value += p.raw;
      f.unresolved.push(p.raw);
      continue;
    }
    const r = expandVar(p, ctx);
    if (r.text === undefined) {
      const f = ensure();
      f.value += p.raw;
      f.unresolved.push(...(r.unresolved ?? [p.raw]));
      continue;
    }
    if (r.unresolved && r.unresolved.length > 0) ensure().unresolved.push(...r.unresolved);
    if (p.quoted || !split) {
      ensure().value += r.text;
      continue;
    }
    // Unquoted expansion: split on blanks (default IFS).
    const pieces = r.text.split(/[ \t\n]+/);
    pieces.forEach((piece, idx) => {
      if (idx > 0) {
        if (cur && (cur.value !== '' || cur.unresolved.length > 0)) fields.push(cur);
        cur = undefined;
      }
      if (piece !== '') ensure().value += piece;
    });
  }
  const hasQuoted = word.parts.some((p) => p.quoted);
  if (cur && (cur.value !== '' || cur.unresolved.length > 0 || hasQuoted)) fields.push(cur);
  else if (!cur && hasQuoted && fields.length === 0) fields.push({ value: '', unresolved: [] });
  return fields;
}

/** The literal text of a word when it has no expansions at all (keywords, command names). */
export function literalWord(word: Word): string | undefined {
  let s = '';
  for (const p of word.parts) {
    if (p.t !== 'lit') return undefined;
    s += p.v;
  }
  return s;
}

/** bash `case` pattern match: *, ?, [...] globs; everything else literal. */
export function casePatternMatches(pattern: string, subject: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      const e = pattern.indexOf(']', i + 1);
      if (e < 0) re += '\\[';
      else {
        const body = pattern
          .slice(i + 1, e)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = e;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(subject);
}
