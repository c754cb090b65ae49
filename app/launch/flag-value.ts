// Parsing and printing of single flag values, with vLLM's argparse semantics (vllm-cli.md §1):
// human-readable ints, `None`/"" for optional values, BooleanOptionalAction, nargs='+', JSON.
// Error messages follow argparse wording (the simulator prefixes them with "argument --x: ").
// Pure module (no Node imports).
import { DASH_TOLERANT_CHOICES, INT_LIST_FLAGS, OPTIONAL_VALUE_FLAGS } from './catalog';
import type { FlagSpec, FlagValue } from './types';

export type ParseResult = { ok: true; value: FlagValue } | { ok: false; message: string };

const fail = (message: string): ParseResult => ({ ok: false, message });

/** Python `repr` of a string as argparse prints it in messages ('x'). */
function pyQuote(s: string): string {
  return s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

const DECIMAL_MULT: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12 };
const BINARY_MULT: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/**
 * vLLM's `human_readable_int` (vllm/utils/argparse_utils.py): `1k`=1000, `1K`=1024, `25.6k`=25600,
 * `2M`, `1G`, `1T`; decimals with a binary suffix are refused with vLLM's own message.
 */
export function parseHumanReadableInt(raw: string): { ok: true; value: number } | { ok: false; message: string } {
  const value = raw.trim();
  const m = /^(\d+(?:\.\d+)?)([kKmMgGtT])$/.exec(value);
  if (m) {
    const [, number, suffix] = m as unknown as [string, string, string];
    const dec = DECIMAL_MULT[suffix];
    if (dec !== undefined) return { ok: true, value: Math.trunc(Number(number) * dec) };
    const bin = BINARY_MULT[suffix] as number;
    if (!/^\d+$/.test(number)) {
      return {
        ok: false,
        message: `Decimals are not allowed with binary suffixes like ${suffix}. Did you mean to use ${number}${suffix.toLowerCase()} instead?`,
      };
    }
    return { ok: true, value: Number(number) * bin };
  }
  const n = parsePyInt(value);
  return n === null ? { ok: false, message: `invalid human_readable_int value: ${pyQuote(raw)}` } : { ok: true, value: n };
}

/** Python `int(str)`: optional sign, digits with single underscores between them. */
function parsePyInt(s: string): number | null {
  const t = s.trim();
  if (!/^[+-]?\d+(?:_\d+)*$/.test(t)) return null;
  const n = Number(t.replaceAll('_', ''));
  return Number.isSafeInteger(n) ? n : null;
}

/** Python `float(str)` (also inf/nan, which the range checks then reject where it matters). */
function parsePyFloat(s: string): number | null {
  const t = s.trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return Number.NaN;
  if (!/^[+-]?(?:\d+(?:_\d+)*)?(?:\.\d*(?:_\d+)*)?(?:e[+-]?\d+)?$/.test(t) || !/^[+-]?\.?\d/.test(t)) return null;
  return Number(t.replaceAll('_', ''));
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

export function isNullable(spec: FlagSpec): boolean {
  return spec.nullable ?? (spec.default === undefined || spec.default === null);
}

function checkRange(spec: FlagSpec, n: number): string | null {
  if (Number.isNaN(n)) return 'must be a number';
  if (spec.min !== undefined && (spec.minExclusive ? n <= spec.min : n < spec.min)) {
    return spec.max !== undefined
      ? `must be ${spec.minExclusive ? 'greater than' : 'at least'} ${spec.min} and at most ${spec.max} (got ${n})`
      : `must be ${spec.minExclusive ? 'greater than' : 'at least'} ${spec.min} (got ${n})`;
  }
  if (spec.max !== undefined && n > spec.max) return `must be at most ${spec.max} (got ${n})`;
  return null;
}

/** Range check of an already typed value (null when fine). Used by validation for stored values. */
export function rangeProblem(spec: FlagSpec, value: FlagValue): string | null {
  if (typeof value !== 'number') return null;
  // max-model-len: -1 means "auto" (the largest length that fits); not a range violation.
  if (spec.name === 'max-model-len' && value === -1) return null;
  return checkRange(spec, value);
}

function parseChoice(spec: FlagSpec, raw: string): ParseResult {
  const choices = spec.choices ?? [];
  let v = raw;
  if (DASH_TOLERANT_CHOICES.has(spec.name)) v = v.replaceAll('-', '_');
  if (!choices.includes(v)) {
    return fail(`invalid choice: ${pyQuote(raw)} (choose from ${choices.map(pyQuote).join(', ')})`);
  }
  // Integer choices (max-lora-rank) are stored as numbers.
  return { ok: true, value: choices.every((c) => /^\d+$/.test(c)) ? Number(v) : v };
}

/**
 * Parses one value as vLLM would for `spec`. `raw` is the command-line text, or a boolean for
 * switches (and for JSON/UI callers that already hold a boolean). Returns the stored form.
 * `range: false` skips min/max: argparse itself does not check them (vLLM fails later, at
 * config validation), so the simulator's argument parser must not either.
 */
export function parseFlagValue(spec: FlagSpec, raw: string | boolean, opts: { range?: boolean } = {}): ParseResult {
  const range = opts.range !== false;
  if (spec.kind === 'bool' || spec.kind === 'store-true') {
    if (typeof raw === 'boolean') {
      if (spec.kind === 'store-true' && !raw) return { ok: true, value: false };
      return { ok: true, value: raw };
    }
    const t = raw.trim().toLowerCase();
    if (TRUE_WORDS.has(t)) return { ok: true, value: true };
    if (FALSE_WORDS.has(t)) return { ok: true, value: false };
    if ((t === 'none' || t === '') && spec.kind === 'bool' && isNullable(spec)) return { ok: true, value: null };
    return fail(`invalid boolean value: ${pyQuote(raw)} (use true or false)`);
  }
  if (typeof raw === 'boolean') {
    if (raw && OPTIONAL_VALUE_FLAGS.has(spec.name)) return { ok: true, value: true };
    return fail(`expected one argument`);
  }
  const text = raw;
  // vLLM's optional_type(): "" and "None" mean None for `X | None` fields.
  if ((text === 'None' || text === '') && isNullable(spec)) return { ok: true, value: null };

  switch (spec.kind) {
    case 'int': {
      const n = parsePyInt(text);
      if (n === null) return fail(`invalid int value: ${pyQuote(text)}`);
      const r = range ? checkRange(spec, n) : null;
      return r ? fail(r) : { ok: true, value: n };
    }
    case 'hr-int': {
      if (spec.name === 'max-model-len' && (text.trim() === '-1' || text.trim().toLowerCase() === 'auto')) return { ok: true, value: -1 };
      const p = parseHumanReadableInt(text);
      if (!p.ok) return p;
      const r = range ? checkRange(spec, p.value) : null;
      return r ? fail(r) : { ok: true, value: p.value };
    }
    case 'float': {
      const n = parsePyFloat(text);
      if (n === null) return fail(`invalid float value: ${pyQuote(text)}`);
      const r = range ? checkRange(spec, n) : null;
      return r ? fail(r) : { ok: true, value: n };
    }
    case 'choice':
      return parseChoice(spec, text);
    case 'string':
      return { ok: true, value: text };
    case 'list': {
      const items = splitListText(text);
      return parseListItems(spec, items);
    }
    case 'json': {
      try {
        JSON.parse(text);
      } catch (err) {
        return fail(`invalid JSON value: ${pyQuote(text)} (${(err as Error).message})`);
      }
      return { ok: true, value: text };
    }
  }
}

/** A list typed into one text field: JSON array, or whitespace/comma separated items. */
function splitListText(text: string): string[] {
  const t = text.trim();
  if (t.startsWith('[')) {
    try {
      const arr = JSON.parse(t) as unknown;
      if (Array.isArray(arr)) return arr.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
    } catch {
      // Not JSON: fall through to splitting.
    }
  }
  return t.split(/[\s,]+/).filter((x) => x.length > 0);
}

/** Validates the items of a `nargs='+'` flag (as given on the command line, one token each). */
export function parseListItems(spec: FlagSpec, items: readonly string[]): ParseResult {
  if (items.length === 0) return fail('expected at least one argument');
  for (const item of items) {
    if (spec.choices && !spec.choices.includes(item)) {
      return fail(`invalid choice: ${pyQuote(item)} (choose from ${spec.choices.map(pyQuote).join(', ')})`);
    }
    if (INT_LIST_FLAGS.has(spec.name) && parsePyInt(item) === null) return fail(`invalid int value: ${pyQuote(item)}`);
  }
  return { ok: true, value: [...items] };
}

/** Checks a value that is already typed (from a stored profile or the UI), returning its normal form. */
export function checkFlagValue(spec: FlagSpec, value: FlagValue): ParseResult {
  if (value === null) return isNullable(spec) ? { ok: true, value: null } : fail('cannot be None for this flag');
  if (typeof value === 'boolean') {
    if (spec.kind === 'bool' || spec.kind === 'store-true') return { ok: true, value };
    return parseFlagValue(spec, value);
  }
  if (Array.isArray(value)) {
    if (spec.kind !== 'list') return fail(`expects a single value, got a list`);
    // An empty stored list means "not given" (formatFlagArgs prints nothing for it).
    if (value.length === 0) return { ok: true, value: [] };
    return parseListItems(spec, value);
  }
  if (typeof value === 'number') {
    if (spec.kind === 'int' || spec.kind === 'hr-int') {
      if (!Number.isInteger(value)) return fail(`invalid int value: '${value}'`);
      const r = rangeProblem(spec, value);
      return r ? fail(r) : { ok: true, value };
    }
    if (spec.kind === 'float') {
      const r = rangeProblem(spec, value);
      return r ? fail(r) : { ok: true, value };
    }
    return parseFlagValue(spec, String(value));
  }
  return parseFlagValue(spec, value);
}

/** Text of a value on the command line (no quoting: argv pieces never meet a shell). */
export function flagValueText(value: string | number | boolean): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan';
  return String(value);
}

/**
 * argv pieces for one flag: `--x` / `--no-x` for switches, `--x v`, `--x a b` for lists,
 * `--x '{json}'` as one piece. `name` may be a dotted JSON sub-key (`compilation-config.mode`).
 * A value equal to "unset" gives `[]`, except `None` for a flag whose default is not None.
 */
export function formatFlagArgs(name: string, value: FlagValue, spec: FlagSpec | undefined): string[] {
  const opt = `--${name}`;
  if (spec && name === spec.name) {
    if (spec.kind === 'bool') {
      if (value === null) return [];
      return [value === false || value === 'false' ? `--no-${name}` : opt];
    }
    if (spec.kind === 'store-true') return value === true || value === 'true' ? [opt] : [];
    if (value === null) return spec.default === undefined || spec.default === null ? [] : [opt, 'None'];
    if (value === true && OPTIONAL_VALUE_FLAGS.has(spec.name)) return [opt];
  }
  if (value === null) return [opt, 'None'];
  if (Array.isArray(value)) return value.length === 0 ? [] : [opt, ...value];
  return [opt, flagValueText(value)];
}

// ---------------------------------------------------------------------------------------------
// Python literals, for `(default: …)` in help text

/** Python `str()` of a default as argparse's ArgumentDefaultsHelpFormatter prints it. */
export function pythonDefaultText(spec: Pick<FlagSpec, 'kind' | 'default'>): string {
  const d = spec.default;
  if (d === undefined || d === null) return 'None';
  if (typeof d === 'boolean') return d ? 'True' : 'False';
  if (typeof d === 'number') {
    if (spec.kind === 'float' && Number.isInteger(d)) return `${d}.0`;
    return String(d);
  }
  if (Array.isArray(d)) return pyRepr(d);
  if (spec.kind === 'json') {
    try {
      return pyRepr(JSON.parse(d));
    } catch {
      return d;
    }
  }
  return d;
}

function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return pyQuote(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${pyQuote(k)}: ${pyRepr(x)}`)
    .join(', ')}}`;
}

/**
 * Parses a Python literal as printed by `str()` of a default: None/True/False, numbers, quoted
 * strings, lists, tuples, dicts, `set()`. Returns undefined when the text is not a literal.
 */
export function parsePythonLiteral(text: string): { value: unknown } | undefined {
  let i = 0;
  const s = text.trim();
  const ws = () => {
    while (i < s.length && /\s/.test(s[i] as string)) i++;
  };
  const value = (): unknown => {
    ws();
    const c = s[i];
    if (c === '[' || c === '(') {
      const close = c === '[' ? ']' : ')';
      i++;
      const out: unknown[] = [];
      ws();
      while (s[i] !== close) {
        out.push(value());
        ws();
        if (s[i] === ',') {
          i++;
          ws();
        } else if (s[i] !== close) throw new Error('bad list');
      }
      i++;
      return out;
    }
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      ws();
      while (s[i] !== '}') {
        const k = value();
        ws();
        if (s[i] !== ':') throw new Error('bad dict');
        i++;
        out[String(k)] = value();
        ws();
        if (s[i] === ',') {
          i++;
          ws();
        } else if (s[i] !== '}') throw new Error('bad dict');
      }
      i++;
      return out;
    }
    if (c === "'" || c === '"') {
      i++;
      let out = '';
      while (i < s.length && s[i] !== c) {
        if (s[i] === '\\' && i + 1 < s.length) {
          i++;
          const e = s[i] as string;
          out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
        } else out += s[i];
        i++;
      }
      if (s[i] !== c) throw new Error('unterminated string');
      i++;
      return out;
    }
    const m = /^(None|True|False|set\(\)|[+-]?(?:\d+\.?\d*(?:e[+-]?\d+)?|\.\d+|inf|nan))/.exec(s.slice(i));
    if (!m) throw new Error('not a literal');
    i += (m[0] as string).length;
    const t = m[0] as string;
    if (t === 'None') return null;
    if (t === 'True') return true;
    if (t === 'False') return false;
    if (t === 'set()') return [];
    return Number(t);
  };
  try {
    const v = value();
    ws();
    return i === s.length ? { value: v } : undefined;
  } catch {
    return undefined;
  }
}
