// Parses the arguments of `vllm serve` the way vLLM's FlexibleArgumentParser + argparse do
// (vllm-cli.md §1, §3): `--a_b` = `--a-b`, `--x=y` = `--x y`, `--no-x` for bools, nargs='+' lists,
// dotted JSON sub-keys, `-O3`, `--model X` moved to the positional, duplicates (last wins),
// `--help[=kw]`. Used by the simulator (to behave like vLLM) and by command-line import.
// Not supported (like vLLM with no config file): `--config` is kept as a value, never read here.
// Pure module (no Node imports).
import type { Catalog } from './catalog';
import { OPTIONAL_VALUE_FLAGS } from './catalog';
import { parseFlagValue, parseListItems } from './flag-value';
import type { FlagSpec, FlagValues } from './types';

export interface ArgError {
  /** The option as typed ("--max-model-len"). */
  option: string;
  /** argparse-style text without the "vllm serve: error: " prefix: "argument --x: invalid int value: 'y'". */
  message: string;
}

export interface ParsedServeArgs {
  /** The positional model_tag (or the value of --model); null when absent. */
  model: string | null;
  /** True when the model came from the deprecated --model option (vLLM logs a warning). */
  modelFromOption: boolean;
  /** Canonical names (dotted JSON sub-keys kept as "name.sub") → typed values. */
  values: FlagValues;
  /** Tokens argparse would report as "unrecognized arguments: …" (in order). */
  unrecognized: string[];
  /** Type/choice/arity errors, in the order argparse would hit them (it stops at the first). */
  errors: ArgError[];
  /** Options given more than once ("--max-num-seqs"); vLLM logs "Found duplicate keys". */
  duplicates: string[];
  /** Set when --help / -h / --help=kw was given: the keyword ('' for plain --help). */
  help?: string;
}

const NEGATIVE_NUMBER = /^-\d+$|^-\d*\.\d+$/;
const isOption = (tok: string): boolean => tok.startsWith('-') && tok !== '-' && !NEGATIVE_NUMBER.test(tok);

function actionName(spec: FlagSpec): string {
  const long = `--${spec.name}`;
  const names = spec.kind === 'bool' ? [long, `--no-${spec.name}`] : [long];
  return [...names, ...(spec.aliases ?? [])].join('/');
}

/** Parses `serve` arguments (with or without the leading "serve"). Never throws. */
export function parseServeArgs(argv: readonly string[], catalog: Catalog): ParsedServeArgs {
  const args = argv[0] === 'serve' ? argv.slice(1) : [...argv];
  const out: ParsedServeArgs = { model: null, modelFromOption: false, values: {}, unrecognized: [], errors: [], duplicates: [] };
  const seen = new Set<string>();
  const set = (key: string, value: FlagValues[string], typed: string) => {
    if (seen.has(key) && !out.duplicates.includes(typed)) out.duplicates.push(typed);
    seen.add(key);
    out.values[key] = value;
  };

  let i = 0;
  let afterUnknown = false;
  let onlyPositionals = false;
  while (i < args.length) {
    const tok = args[i] as string;
    i++;
    if (onlyPositionals || !isOption(tok)) {
      if (tok === '--' && !onlyPositionals) {
        onlyPositionals = true;
        continue;
      }
      if (out.model === null && !afterUnknown) out.model = tok;
      else out.unrecognized.push(tok);
      continue;
    }
    afterUnknown = false;
    if (tok === '-h' || tok === '--help' || tok.startsWith('--help=')) {
      out.help = tok.startsWith('--help=') ? tok.slice('--help='.length) : '';
      continue;
    }
    // `-O 3` (space separated) only when a level follows, as FlexibleArgumentParser does.
    if (tok === '-O' && /^[0-3]$/.test(args[i] ?? '')) {
      set('optimization-level', Number(args[i]), '-O');
      i++;
      continue;
    }
    const res = catalog.resolve(tok);
    const typed = tok.split('=')[0] as string;
    if (res.name === 'model' && res.subKey === undefined) {
      const v = res.inlineValue ?? (i < args.length && !isOption(args[i] as string) ? (args[i++] as string) : undefined);
      if (v === undefined) out.errors.push({ option: typed, message: 'argument --model: expected one argument' });
      else {
        out.model = v;
        out.modelFromOption = true;
      }
      continue;
    }
    const spec = res.spec;
    if (!spec) {
      out.unrecognized.push(tok);
      afterUnknown = true;
      continue;
    }
    const takeOne = (): string | undefined => {
      if (res.inlineValue !== undefined) return res.inlineValue;
      if (i < args.length && !isOption(args[i] as string)) return args[i++] as string;
      return undefined;
    };

    if (res.subKey !== undefined) {
      const v = takeOne();
      if (v === undefined) out.errors.push({ option: typed, message: `argument ${typed}: expected one argument` });
      else set(`${spec.name}.${res.subKey}`, v, typed);
      continue;
    }
    if (spec.kind === 'bool' || spec.kind === 'store-true') {
      if (res.inlineValue !== undefined) {
        out.errors.push({ option: typed, message: `argument ${actionName(spec)}: ignored explicit argument '${res.inlineValue}'` });
        continue;
      }
      set(spec.name, !res.negated, typed);
      continue;
    }
    if (spec.kind === 'list') {
      const items: string[] = [];
      if (res.inlineValue !== undefined) items.push(res.inlineValue);
      else while (i < args.length && !isOption(args[i] as string)) items.push(args[i++] as string);
      const r = parseListItems(spec, items);
      if (!r.ok) out.errors.push({ option: typed, message: `argument ${actionName(spec)}: ${r.message}` });
      else set(spec.name, r.value, typed);
      continue;
    }
    const v = takeOne();
    if (v === undefined) {
      if (OPTIONAL_VALUE_FLAGS.has(spec.name)) set(spec.name, true, typed);
      else out.errors.push({ option: typed, message: `argument ${actionName(spec)}: expected one argument` });
      continue;
    }
    const r = parseFlagValue(spec, v, { range: false });
    if (!r.ok) out.errors.push({ option: typed, message: `argument ${actionName(spec)}: ${r.message}` });
    else set(spec.name, r.value, typed);
  }
  return out;
}
