// Reads the flag list out of `vllm serve --help=all` (also one group or keyword output): group
// headers ("ModelConfig:"), option lines ("  --flag-a, --no-flag-a", "  --flag METAVAR, -x METAVAR",
// Python 3.13's "  --flag, -x METAVAR"), choices "{a,b,c}", nargs "X [X ...]" / "[X]", help text
// wrapped over several lines, and the trailing "(default: …)". vllm-cli.md §2.
// Pure module (no Node imports).
import { parsePythonLiteral } from './flag-value';
import type { FlagKind, FlagSpec, FlagValue } from './types';

const SECTION = /^([A-Za-z][\w ]*|Arguments matching '.*'):\s*$/;
const OPTION_LINE = /^ {2}(-{1,2}[A-Za-z0-9][^\s,]*.*)$/;

interface RawEntry {
  group: string;
  invocation: string;
  helpLines: string[];
}

/** Joins wrapped help lines; textwrap breaks after hyphens inside words ("max-num-" / "seqs"). */
function joinHelp(lines: string[]): string {
  let out = '';
  for (const l of lines.map((x) => x.trim()).filter(Boolean)) {
    if (out === '') out = l;
    else if (/[A-Za-z]-$/.test(out) && /^[A-Za-z]/.test(l)) out += l;
    else out += ` ${l}`;
  }
  return out;
}

function splitInvocation(line: string): { invocation: string; help: string } {
  // The invocation never contains two spaces in a row; the help column starts after 2+ spaces.
  const m = /^(\S+(?: \S+)*)(?: {2,}(.*))?$/.exec(line);
  return m ? { invocation: m[1] as string, help: (m[2] ?? '').trim() } : { invocation: line.trim(), help: '' };
}

interface Parsed {
  name: string;
  aliases: string[];
  negatable: boolean;
  metavar?: string;
}

function parseInvocation(inv: string): Parsed | undefined {
  const parts = inv.split(', ');
  const options: string[] = [];
  let metavar: string | undefined;
  for (const p of parts) {
    const m = /^(-{1,2}[^\s]+)(?: (.+))?$/.exec(p.trim());
    if (!m) return undefined;
    options.push(m[1] as string);
    if (m[2] && metavar === undefined) metavar = m[2];
  }
  const longs = options.filter((o) => o.startsWith('--'));
  const negations = new Set(longs.filter((o) => o.startsWith('--no-') && longs.includes(`--${o.slice(5)}`)));
  const main = longs.find((o) => !negations.has(o));
  if (!main) return undefined;
  return {
    name: main.slice(2),
    aliases: options.filter((o) => !o.startsWith('--')),
    negatable: negations.size > 0,
    ...(metavar !== undefined ? { metavar } : {}),
  };
}

function extractDefault(help: string): { help: string; defaultText?: string } {
  const i = help.lastIndexOf('(default: ');
  if (i < 0 || !help.endsWith(')')) return { help };
  return { help: help.slice(0, i).trimEnd(), defaultText: help.slice(i + '(default: '.length, -1) };
}

function inferScalarKind(help: string, defaultText: string | undefined): FlagKind {
  if (/human[- ]readable/i.test(help)) return 'hr-int';
  // vLLM's JSON-typed config args say "Should either be a valid JSON string or JSON keys passed
  // individually"; a dict/list default (Python repr) marks one too.
  if (/valid JSON string/i.test(help)) return 'json';
  if (defaultText !== undefined && /^[[{]/.test(defaultText) && parsePythonLiteral(defaultText)) return 'json';
  if (defaultText !== undefined && /^-?\d+$/.test(defaultText)) return 'int';
  if (defaultText !== undefined && /^-?(\d+\.\d*|\.\d+)(e[+-]?\d+)?$/i.test(defaultText)) return 'float';
  return 'string';
}

function convertDefault(kind: FlagKind, text: string | undefined, choices: string[] | undefined): FlagValue | undefined {
  if (text === undefined || text === 'None') return undefined;
  if (kind === 'string') return text;
  const lit = parsePythonLiteral(text);
  if (kind === 'choice') {
    const v = lit && (typeof lit.value === 'number' || typeof lit.value === 'string') ? String(lit.value) : text;
    return choices?.includes(v) || !choices ? v : text;
  }
  if (!lit) return kind === 'json' ? undefined : text;
  const v = lit.value;
  if (kind === 'json') return JSON.stringify(v);
  if (kind === 'list') return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : undefined;
  if (kind === 'bool' || kind === 'store-true') return typeof v === 'boolean' ? v : undefined;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return undefined;
}

function toSpec(e: RawEntry): FlagSpec | undefined {
  const p = parseInvocation(e.invocation);
  if (!p || p.name === 'help') return undefined;
  const { help, defaultText } = extractDefault(joinHelp(e.helpLines));
  let kind: FlagKind;
  let choices: string[] | undefined;
  let nullable: boolean | undefined;
  let suggestions: string[] | undefined;
  const mv = p.metavar;
  if (p.negatable) kind = 'bool';
  else if (mv === undefined) kind = 'store-true';
  else {
    const list = /^(\S+) \[\1 \.\.\.\]$/.exec(mv) ?? /^\[(\S+) \.\.\.\]$/.exec(mv);
    const single = list ? (list[1] as string) : (/^\[(\S+)\]$/.exec(mv)?.[1] ?? mv);
    const braces = /^\{(.*)\}$/.exec(single);
    // "{a,b} or name registered in --tool-parser-plugin": any string, the list is a hint.
    const hinted = /^\{([^}]*)\} or /.exec(mv);
    if (hinted) suggestions = (hinted[1] as string).split(',');
    if (braces) {
      choices = (braces[1] as string).split(',');
      if (choices.includes('None')) {
        nullable = true;
        choices = choices.filter((c) => c !== 'None');
      }
    }
    kind = list ? 'list' : choices ? 'choice' : inferScalarKind(help, defaultText);
  }
  const spec: FlagSpec = {
    name: p.name,
    kind,
    group: e.group,
    help,
    default: convertDefault(kind, defaultText, choices),
  };
  if (kind === 'bool' || kind === 'store-true') spec.default ??= defaultText === 'None' ? undefined : false;
  if (choices) spec.choices = choices;
  if (p.aliases.length) spec.aliases = p.aliases;
  if (nullable) spec.nullable = true;
  if (suggestions) spec.suggestions = suggestions;
  return spec;
}

/**
 * Parses `vllm serve --help=all` text into flag specs (names canonical, group = help section).
 * Lines it does not understand are skipped; duplicate names keep the first occurrence.
 */
export function parseHelpAll(text: string): FlagSpec[] {
  const entries: RawEntry[] = [];
  let group: string | undefined;
  let cur: RawEntry | undefined;
  for (const rawLine of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = rawLine.replace(/\s+$/, '');
    if (line === '') {
      cur = undefined;
      continue;
    }
    const sec = SECTION.exec(line);
    if (sec) {
      group = sec[1] as string;
      cur = undefined;
      continue;
    }
    if (!line.startsWith(' ')) {
      // Usage, description or epilog text at column 0 ends the section.
      group = undefined;
      cur = undefined;
      continue;
    }
    if (group === undefined || group === 'positional arguments') continue;
    const opt = OPTION_LINE.exec(line);
    if (opt) {
      const { invocation, help } = splitInvocation(opt[1] as string);
      cur = { group, invocation, helpLines: help ? [help] : [] };
      entries.push(cur);
      continue;
    }
    if (cur && /^ {3,}\S/.test(line)) cur.helpLines.push(line);
    // Anything else: a group description line (2-space indent, no leading dash).
  }
  const out: FlagSpec[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    const spec = toSpec(e);
    if (!spec || seen.has(spec.name)) continue;
    seen.add(spec.name);
    out.push(spec);
  }
  return out;
}

/** Group titles in the order a `--help=all` text lists them (for UIs that follow the installed help). */
export function parseHelpGroups(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = SECTION.exec(line.trimEnd());
    if (m && !out.includes(m[1] as string)) out.push(m[1] as string);
  }
  return out;
}
