// Prints `vllm serve --help[=…]` in vLLM's shapes (vllm-cli.md §2; FlexibleArgumentParser.format_help
// in vllm/utils/argparse_utils.py on top of Python 3.12 argparse with ArgumentDefaultsHelpFormatter):
//   --help          usage, description, "Config Groups:" table, epilog
//   --help=all      every flag per group, sorted by option strings, "(default: …)", JSON tip
//   --help=<Group>  one group (title matched case-insensitively), JSON tip
//   --help=<kw>     "Arguments matching '<kw>':" (option strings containing kw), JSON tip
//   no match        "No group or arguments matching '<kw>'. …"
// The simulator prints these; help-parser.ts reads them back (and real vLLM output).
// Pure module (no Node imports).
import { type Catalog, FLAG_GROUPS, OPTIONAL_VALUE_FLAGS } from './catalog';
import { isNullable, pythonDefaultText } from './flag-value';
import type { FlagSpec } from './types';

export interface HelpRenderOptions {
  /** Terminal columns; argparse uses COLUMNS (or 80 when not a terminal) minus 2. */
  columns?: number;
}

// Usage, description and epilog texts of `vllm serve` (paraphrased; the exact wording varies by
// version and is not something the panel parses).
const USAGE = 'usage: vllm serve [model_tag] [options]';
const DESCRIPTION = [
  'Launch a local OpenAI-compatible API server to serve LLM',
  'completions via HTTP. Defaults to Qwen/Qwen3-0.6B if no model is specified.',
  '',
  'Search by using: `--help=<ConfigGroup>` to explore options by section (e.g.,',
  '--help=ModelConfig, --help=Frontend)',
  '  Use `--help=all` to show all available flags at once.',
].join('\n');
const GROUPS_EPILOG = [
  'For full list:            vllm serve --help=all',
  'For a section:            vllm serve --help=ModelConfig    (case-insensitive)',
  'For a flag:               vllm serve --help=max-model-len  (_ or - accepted)',
  'Documentation:            https://docs.vllm.ai',
].join('\n');
/** FlexibleArgumentParser._json_tip, printed after --help=all / group / keyword output. */
export const JSON_TIP = [
  'When passing JSON CLI arguments, the following sets of arguments are equivalent:',
  `   --json-arg '{"key1": "value1", "key2": {"key3": "value2"}}'`,
  '   --json-arg.key1 value1 --json-arg.key2.key3 value2',
  '',
  'Additionally, list elements can be passed individually using +:',
  `   --json-arg '{"key4": ["value3", "value4", "value5"]}'`,
  "   --json-arg.key4+ value3 --json-arg.key4+='value4,value5'",
].join('\n');

const MODEL_TAG_HELP = 'The model tag to serve (optional if specified in config)';
const MAX_HELP_POSITION = 24; // argparse HelpFormatter default

// ---------------------------------------------------------------------------------------------
// Python textwrap.wrap (break_on_hyphens, break_long_words, drop_whitespace), ported so line breaks
// match real help output.

const WS = '[\\t\\n\\x0b\\x0c\\r ]';
const NWS = '[^\\t\\n\\x0b\\x0c\\r ]';
const WP = `[\\w!"'&.,?]`;
const LT = '[^\\d\\W]';
const WORDSEP = new RegExp(
  `(${WS}+|(?<=${WP})-{2,}(?=\\w)|${NWS}+?(?:-(?:(?<=${LT}{2}-)|(?<=${LT}-${LT}-))(?=${LT}-?${LT})|(?=${WS}|$)|(?<=${WP})(?=-{2,}\\w)))`,
  'y',
);

function splitChunks(text: string): string[] {
  const chunks: string[] = [];
  let i = 0;
  while (i < text.length) {
    WORDSEP.lastIndex = i;
    const m = WORDSEP.exec(text);
    if (!m || m[0].length === 0) {
      chunks.push(text[i] as string);
      i++;
      continue;
    }
    chunks.push(m[0]);
    i += m[0].length;
  }
  return chunks;
}

export function textWrap(text: string, width: number, initialIndent = '', subsequentIndent = ''): string[] {
  const clean = text.replaceAll('\t', '        ').replace(/[\n\x0b\x0c\r]/g, ' ');
  const chunks = splitChunks(clean).reverse();
  const lines: string[] = [];
  while (chunks.length > 0) {
    const cur: string[] = [];
    let curLen = 0;
    const indent = lines.length > 0 ? subsequentIndent : initialIndent;
    const w = width - indent.length;
    if ((chunks[chunks.length - 1] as string).trim() === '' && lines.length > 0) chunks.pop();
    while (chunks.length > 0) {
      const l = (chunks[chunks.length - 1] as string).length;
      if (curLen + l <= w) {
        cur.push(chunks.pop() as string);
        curLen += l;
      } else break;
    }
    if (chunks.length > 0 && (chunks[chunks.length - 1] as string).length > w) {
      // _handle_long_word
      const spaceLeft = w < 1 ? 1 : w - curLen;
      const chunk = chunks[chunks.length - 1] as string;
      let end = spaceLeft;
      if (chunk.length > spaceLeft) {
        const hyphen = chunk.lastIndexOf('-', spaceLeft - 1);
        if (hyphen > 0 && /[^-]/.test(chunk.slice(0, hyphen))) end = hyphen + 1;
      }
      cur.push(chunk.slice(0, end));
      chunks[chunks.length - 1] = chunk.slice(end);
      if (chunks[chunks.length - 1] === '') chunks.pop();
    }
    if (cur.length > 0 && (cur[cur.length - 1] as string).trim() === '') cur.pop();
    if (cur.length > 0) lines.push(indent + cur.join(''));
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Actions

interface HelpAction {
  optionStrings: string[];
  invocation: string;
  help: string;
}

function metavarOf(spec: FlagSpec): string {
  // Optional Literal fields get "None" appended to their choices (vllm-cli.md §1).
  if (spec.choices && (spec.kind === 'choice' || spec.kind === 'list'))
    return `{${spec.choices.join(',')}${isNullable(spec) ? ',None' : ''}}`;
  return spec.name.replaceAll('-', '_').toUpperCase();
}

export function flagAction(spec: FlagSpec): HelpAction {
  const long = `--${spec.name}`;
  const aliases = spec.aliases ?? [];
  let optionStrings: string[];
  let invocation: string;
  if (spec.kind === 'bool') {
    optionStrings = [long, `--no-${spec.name}`, ...aliases];
    invocation = optionStrings.join(', ');
  } else if (spec.kind === 'store-true') {
    optionStrings = [long, ...aliases];
    invocation = optionStrings.join(', ');
  } else {
    optionStrings = [long, ...aliases];
    const mv = metavarOf(spec);
    const args = spec.kind === 'list' ? `${mv} [${mv} ...]` : OPTIONAL_VALUE_FLAGS.has(spec.name) ? `[${mv}]` : mv;
    invocation = optionStrings.map((o) => `${o} ${args}`).join(', ');
  }
  return { optionStrings, invocation, help: `${spec.help} (default: ${pythonDefaultText(spec)})` };
}

const HELP_ACTION: HelpAction = { optionStrings: ['-h', '--help'], invocation: '-h, --help', help: 'show this help message and exit' };
const MODEL_TAG_ACTION: HelpAction = { optionStrings: [], invocation: 'model_tag', help: `${MODEL_TAG_HELP} (default: None)` };

/** argparse sorts by the option-strings list (SortedHelpFormatter); Python compares code points. */
function sortActions(actions: HelpAction[]): HelpAction[] {
  const cmp = (a: string[], b: string[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const x = a[i] as string;
      const y = b[i] as string;
      if (x !== y) return x < y ? -1 : 1;
    }
    return a.length - b.length;
  };
  return [...actions].sort((a, b) => cmp(a.optionStrings, b.optionStrings));
}

class Formatter {
  readonly width: number;
  private readonly helpPosition: number;

  constructor(columns: number, allActions: HelpAction[]) {
    this.width = columns - 2;
    const maxLen = allActions.reduce((m, a) => Math.max(m, a.invocation.length + 2), 0);
    this.helpPosition = Math.min(maxLen + 2, MAX_HELP_POSITION);
  }

  action(a: HelpAction): string {
    const indent = 2;
    const helpWidth = Math.max(this.width - this.helpPosition, 11);
    const actionWidth = this.helpPosition - indent - 2;
    const lines = textWrap(a.help, helpWidth);
    let out: string;
    let first = 0;
    if (a.invocation.length <= actionWidth) {
      out = `${' '.repeat(indent)}${a.invocation.padEnd(actionWidth)}  `;
    } else {
      out = `${' '.repeat(indent)}${a.invocation}\n`;
      first = this.helpPosition;
    }
    if (lines.length === 0) return `${out.trimEnd()}\n`;
    out += `${' '.repeat(first)}${lines[0]}\n`;
    for (const l of lines.slice(1)) out += `${' '.repeat(this.helpPosition)}${l}\n`;
    return out;
  }

  section(title: string, description: string, actions: HelpAction[]): string {
    if (actions.length === 0 && !description) return '';
    let out = `${title}:\n`;
    // vLLM prints the group's docstring raw (RawDescriptionHelpFormatter); docstrings are wrapped
    // in the source, so wrap our one-line summaries the same way.
    if (description) out += `${textWrap(description, this.width - 2, '  ', '  ').join('\n')}\n\n`;
    for (const a of sortActions(actions)) out += this.action(a);
    return out;
  }
}

function finish(parts: string[]): string {
  const text = parts.filter((p) => p.length > 0).join('\n');
  return `${text.replace(/\n{3,}/g, '\n\n').replace(/^\n+|\n+$/g, '')}\n`;
}

function groupDescription(name: string): string {
  return FLAG_GROUPS.find((g) => g.name === name)?.description ?? '';
}

function actionsByGroup(catalog: Catalog): Map<string, HelpAction[]> {
  const m = new Map<string, HelpAction[]>();
  for (const g of catalog.groups()) m.set(g, []);
  for (const spec of catalog.all()) {
    // --model is hidden from serve's help (help=SUPPRESS, vllm-cli.md §4.3).
    if (spec.name === 'model') continue;
    m.get(spec.group)?.push(flagAction(spec));
  }
  m.set('options', [...(m.get('options') ?? []), HELP_ACTION]);
  return m;
}

/** `vllm serve --help=all`. */
export function renderHelpAll(catalog: Catalog, opts: HelpRenderOptions = {}): string {
  const groups = actionsByGroup(catalog);
  const all = [MODEL_TAG_ACTION, ...[...groups.values()].flat()];
  const f = new Formatter(opts.columns ?? 80, all);
  const parts = [`${USAGE}\n`, `${DESCRIPTION}\n`, f.section('positional arguments', '', [MODEL_TAG_ACTION])];
  const order = ['options', ...catalog.groups().filter((g) => g !== 'options')];
  for (const g of order) parts.push(f.section(g, groupDescription(g), groups.get(g) ?? []));
  parts.push(`${JSON_TIP}\n`);
  return finish(parts);
}

/** `vllm serve --help` (no keyword): the "Config Groups" overview. */
export function renderHelpGroups(catalog: Catalog, opts: HelpRenderOptions = {}): string {
  const width = (opts.columns ?? 80) - 2;
  const groups = ['positional arguments', 'options', ...catalog.groups().filter((g) => g !== 'options')];
  const titleWidth = Math.max(...groups.map((g) => g.length)) + 1;
  const w = Math.max(width - 2, titleWidth + 20);
  const lines: string[] = [];
  for (const g of groups) {
    const wrapped = textWrap(groupDescription(g), w, g.padEnd(titleWidth), ' '.repeat(titleWidth));
    lines.push(...(wrapped.length ? wrapped : [g]));
  }
  const table = lines.map((l) => `  ${l}`).join('\n');
  return finish([`${USAGE}\n`, `${DESCRIPTION}\n`, `Config Groups:\n${table}\n`, `${GROUPS_EPILOG}\n`]);
}

/**
 * `vllm serve --help[=keyword]` in all its forms. `keyword` undefined/empty → the groups overview.
 * Matching follows FlexibleArgumentParser: lower-case, `_` → `-`; "all"; group title; substring of
 * any option string; otherwise the no-match text.
 */
export function renderHelp(catalog: Catalog, keyword?: string, opts: HelpRenderOptions = {}): string {
  if (keyword === undefined || keyword === '') return renderHelpGroups(catalog, opts);
  const kw = keyword.toLowerCase().replaceAll('_', '-');
  if (kw === 'all') return renderHelpAll(catalog, opts);
  const groups = actionsByGroup(catalog);
  const titles = ['positional arguments', ...groups.keys()];
  const title = titles.find((t) => t.toLowerCase() === kw);
  if (title) {
    const actions = title === 'positional arguments' ? [MODEL_TAG_ACTION] : (groups.get(title) ?? []);
    const f = new Formatter(opts.columns ?? 80, actions);
    const desc = groupDescription(title);
    return finish([f.section(title, desc, actions), `${JSON_TIP}\n`]);
  }
  const matched = [...groups.values()].flat().filter((a) => a.optionStrings.some((o) => o.toLowerCase().includes(kw)));
  if (matched.length > 0) {
    const f = new Formatter(opts.columns ?? 80, matched);
    return finish([f.section(`Arguments matching '${kw}'`, '', matched), `${JSON_TIP}\n`]);
  }
  return finish([
    `No group or arguments matching '${kw}'.\nUse '--help' to see available groups or '--help=all' to see all available parameters.\n`,
  ]);
}
