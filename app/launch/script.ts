// Launcher scripts: export a profile as a standalone bash launcher (like the one the panel
// replaces), and import a pasted `vllm serve …` command line or a whole launcher script back
// into a profile. Import only *reads* the text (shell-words.ts); it never runs any of it, and
// whatever it does not understand is reported and kept, never silently dropped.
import { type Catalog, getCatalog, LEGACY_FLAGS, OPTIONAL_VALUE_FLAGS, REMOVED_ITEMS } from './catalog';
import { ALL_INTERFACES, type BuildInput, buildCommand, ENV_NAME_RE, LOCAL_HOST } from './command';
import { parseFlagValue } from './flag-value';
import { DEFAULT_MODEL } from './profiles';
import {
  casePatternMatches,
  type ExpandContext,
  type ExpandedField,
  expandWord,
  literalWord,
  parseShell,
  type ShellVar,
  type ShNode,
  shellAssign,
  shellQuote,
  type Word,
} from './shell-words';
import type { FieldIssue, FlagSpec, FlagValue, FlagValues, Profile } from './types';

// ---------------------------------------------------------------------------------------------
// Export

export interface ExportInput extends BuildInput {
  panelVersion: string;
  /** For the header comment; default now. */
  date?: Date;
}

export interface ExportOutput {
  text: string;
  /** Suggested file name: launch-<profile>.sh */
  filename: string;
  issues: FieldIssue[];
}

/** One comment line; JSON string encoding keeps newlines and control characters out of the comment. */
const commentValue = (s: string): string => JSON.stringify(s);

export function scriptFilename(profile: Pick<Profile, 'name' | 'id'>): string {
  const base = profile.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `launch-${base || profile.id}.sh`;
}

/**
 * A standalone bash launcher equivalent to the built command: activates ./.venv when it exists
 * (as the launcher did), exports the env, and execs `vllm serve` with every argument quoted;
 * arguments given to the script are passed on to vLLM ("$@").
 */
export function exportScript(input: ExportInput): ExportOutput {
  const venvDir = input.runtime?.venvDir;
  // The script activates a venv itself, so `vllm` is looked up on PATH rather than by absolute path.
  const built = buildCommand({
    ...input,
    runtime: { argv: ['vllm'], version: input.runtime?.version ?? null },
  });
  const p = input.profile;
  const date = (input.date ?? new Date()).toISOString().slice(0, 10);
  const lines: string[] = [
    '#!/usr/bin/env bash',
    `# vLLM launcher exported by vLLM Panel ${input.panelVersion} on ${date}.`,
    `# Profile: ${commentValue(p.name)}`,
  ];
  if (p.description) lines.push(`# Description: ${commentValue(p.description)}`);
  if (p.notes) lines.push(`# Notes: ${commentValue(p.notes)}`);
  lines.push(
    `# Flags checked against ${built.vllmVersion ? `vLLM ${built.vllmVersion}` : 'the newest vLLM the panel knows'}.`,
    built.gpus.length > 0
      ? `# GPUs: ${built.gpus.join(',')} (data-parallel-size ${built.dataParallelSize}, one engine per GPU).`
      : '# GPUs: not selected (vLLM uses what CUDA shows it).',
    '# Arguments given to this script are passed on to vllm serve, e.g. ./launch.sh --port 9000',
  );
  const errors = built.issues.filter((i) => i.severity === 'error');
  for (const e of errors) lines.push(`# WARNING (${e.field}): ${commentValue(e.message)}`);
  lines.push('set -euo pipefail', '');
  lines.push('# Use the project virtualenv when there is one (activate scripts may read unset variables).');
  lines.push('if [[ -f .venv/bin/activate ]]; then', '  set +u', '  source .venv/bin/activate', '  set -u');
  if (venvDir && venvDir.replace(/\/+$/, '') !== '.venv') {
    const act = `${venvDir.replace(/\/+$/, '')}/bin/activate`;
    lines.push(`elif [[ -f ${shellQuote(act)} ]]; then`, '  set +u', `  source ${shellQuote(act)}`, '  set -u');
  }
  lines.push('fi', '');
  const envEntries = Object.entries(built.env).filter(([k]) => k !== 'PATH' && k !== 'VIRTUAL_ENV');
  if (envEntries.length > 0) {
    for (const [k, v] of envEntries) lines.push(`export ${shellAssign(k, v)}`);
    lines.push('');
  }
  const words = built.argv.map(shellQuote);
  const cmd: string[] = [];
  let cur = `exec ${words.slice(0, 3).join(' ')}`;
  for (let i = 3; i < words.length; i++) {
    const raw = built.argv[i] as string;
    if (raw.startsWith('-') && !/^-\d/.test(raw)) {
      cmd.push(cur);
      cur = `  ${words[i]}`;
    } else cur += ` ${words[i]}`;
  }
  cmd.push(cur, '  "$@"');
  lines.push(cmd.join(' \\\n'), '');
  return { text: lines.join('\n'), filename: scriptFilename(p), issues: built.issues };
}

// ---------------------------------------------------------------------------------------------
// Import

export interface ImportOptions {
  /** Catalog to read flags with (default: built-in, newest known, or `version`'s). */
  catalog?: Catalog;
  version?: string | null;
  /** Which branch of a `case` over profiles to import (a pattern such as "LOW_LATENCY"). */
  caseChoice?: string;
  /** Id for the new profile. */
  newId?: () => string;
}

export interface ImportOutcome {
  profile: Profile;
  unknown: string[];
  warnings: string[];
  gpus?: number[];
  exposeOnNetwork: boolean;
  venv?: string;
  caseChoices: string[];
  caseChosen?: string;
}

/** Programs/builtins that do not affect what vLLM runs with; skipped without a report. */
const IGNORED_COMMANDS = new Set([
  'set',
  'shopt',
  'echo',
  'printf',
  ':',
  'true',
  'false',
  'exit',
  'return',
  'shift',
  'trap',
  'wait',
  'sleep',
  'local',
  'readonly',
  'ulimit',
]);
/** Names that are environment for the child even when the script also reads them. */
const ENV_LIKE =
  /^(VLLM_|CUDA_|NCCL_|TORCH_|PYTORCH_|HF_|HUGGING_FACE_|TRANSFORMERS_|TOKENIZERS_|OMP_|MKL_|LD_|PROMETHEUS_|NVIDIA_|TRITON_|FLASHINFER_)/;
/** Flags the panel derives from the GPU selection (a launcher usually computes them from the GPU list). */
const GPU_DERIVED_FLAGS = new Set(['data-parallel-size', 'api-server-count']);

interface VllmCall {
  args: ExpandedField[];
  prefixEnv: Map<string, ShellVar>;
  /** Exported variables at the time of the call. */
  exported: Map<string, ShellVar>;
  used: Set<string>;
  raw: string;
}

const firstLine = (s: string): string => {
  const l = s.split('\n')[0] ?? '';
  return l.length < s.length ? `${l} …` : l;
};

/** Splits `NAME=value…` into the name and the value word (undefined when it is not an assignment). */
function splitAssignment(w: Word): { name: string; value: Word } | undefined {
  const first = w.parts[0];
  if (first?.t !== 'lit' || first.quoted) return undefined;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.v);
  if (!m) return undefined;
  const rest = first.v.slice(m[0].length);
  const parts = [...(rest ? [{ ...first, v: rest }] : []), ...w.parts.slice(1)];
  return { name: m[1] as string, value: { parts, raw: w.raw.slice(m[0].length) } };
}

const basename = (p: string): string => p.split('/').pop() ?? p;

class ScriptReader {
  readonly vars = new Map<string, ShellVar>();
  readonly unknown: string[] = [];
  readonly warnings: string[] = [];
  venv?: string;
  call?: VllmCall;
  caseChoices: string[] = [];
  caseChosen?: string;

  constructor(private readonly caseChoice?: string) {}

  private ctx(used?: Set<string>): ExpandContext {
    return { vars: this.vars, ...(used ? { used } : {}) };
  }

  private assign(name: string, value: Word, exported: boolean): void {
    const f = expandWord(value, this.ctx(), false)[0] ?? { value: '', unresolved: [] };
    const prev = this.vars.get(name);
    this.vars.set(name, {
      value: f.value,
      exported: exported || prev?.exported === true,
      ...(f.unresolved.length ? { unresolved: f.unresolved } : {}),
    });
  }

  walk(nodes: ShNode[]): void {
    for (const n of nodes) this.node(n);
  }

  private node(n: ShNode): void {
    switch (n.type) {
      case 'simple':
        this.simple(n.words, n.redirects.length > 0 ? n.redirects.map((r) => `${r.op}${r.target?.raw ?? ''}`).join(' ') : undefined, n.raw);
        return;
      case 'pipeline': {
        const [first, ...rest] = n.commands;
        if (first) this.node(first);
        for (const r of rest) this.unknown.push(`pipe into: ${firstLine(r.raw)}`);
        return;
      }
      case 'group':
        this.walk(n.body);
        return;
      case 'unsupported':
        this.unknown.push(`${n.what}: ${firstLine(n.raw)}`);
        return;
      case 'if':
        this.ifNode(n);
        return;
      case 'case':
        this.caseNode(n);
        return;
    }
  }

  /** Evaluates a `[ … ]` / `[[ … ]]` / `test …` condition: true/false, or 'file' (a file test we cannot know), or undefined. */
  private cond(nodes: ShNode[]): { value: boolean | undefined; fileTest?: string } {
    const n = nodes[0];
    if (nodes.length !== 1 || !n || n.type !== 'simple') return { value: undefined };
    const fields = n.words.flatMap((w) => expandWord(w, this.ctx()));
    let args = fields.map((f) => f.value);
    const resolved = fields.every((f) => f.unresolved.length === 0);
    const head = args[0];
    if (head === '[' || head === '[[') args = args.slice(1, -1);
    else if (head === 'test') args = args.slice(1);
    else return { value: undefined };
    let negate = false;
    if (args[0] === '!') {
      negate = true;
      args = args.slice(1);
    }
    const out = (v: boolean | undefined) => ({ value: v === undefined ? undefined : negate ? !v : v });
    if (args.length === 2 && /^-[fdexrsL]$/.test(args[0] as string)) return { value: undefined, fileTest: args[1] as string };
    if (!resolved) return { value: undefined };
    if (args.length === 2 && args[0] === '-n') return out((args[1] as string) !== '');
    if (args.length === 2 && args[0] === '-z') return out((args[1] as string) === '');
    if (args.length === 3 && ['=', '==', '!='].includes(args[1] as string)) {
      const eq = head === '[[' && args[1] !== '!=' ? casePatternMatches(args[2] as string, args[0] as string) : args[0] === args[2];
      return out(args[1] === '!=' ? !eq : eq);
    }
    return { value: undefined };
  }

  private ifNode(n: Extract<ShNode, { type: 'if' }>): void {
    for (const [i, clause] of n.clauses.entries()) {
      const c = this.cond(clause.cond);
      if (c.value === true) {
        this.walk(clause.body);
        return;
      }
      if (c.value === false) continue;
      // Cannot know (a file test, a command's exit status): take this branch, report the others.
      const activateTest = c.fileTest !== undefined && /(^|\/)bin\/activate$/.test(c.fileTest);
      this.walk(clause.body);
      const others = n.clauses.length - i - 1 + (n.elseBody ? 1 : 0);
      if (activateTest) {
        if (others > 0) this.warnings.push(`Other virtualenvs the script falls back to were not imported: ${firstLine(n.raw)}`);
      } else {
        const what = clause.cond.map((x) => x.raw).join('; ');
        if (others > 0) this.unknown.push(`if ${what}: imported only the first branch (the condition cannot be known without running it)`);
        else if (!c.fileTest) this.warnings.push(`Assumed true: if ${what}`);
      }
      return;
    }
    if (n.elseBody) this.walk(n.elseBody);
  }

  private caseNode(n: Extract<ShNode, { type: 'case' }>): void {
    const subjectField = expandWord(n.subject, this.ctx(), false)[0];
    // Branch names a user could pick: literal patterns, not globs and not options (-h|--help).
    const literalPatterns = n.items
      .flatMap((it) => it.patterns.map((p) => literalWord(p) ?? p.raw))
      .filter((p) => !/[*?[]/.test(p) && !p.startsWith('-'));
    // The first `case` that looks like a profile switch is the one the user can choose in.
    const isChoice = this.caseChoices.length === 0;
    if (isChoice) this.caseChoices = literalPatterns;
    let subject = subjectField && subjectField.unresolved.length === 0 ? subjectField.value : undefined;
    if (isChoice && this.caseChoice !== undefined) {
      // A chosen name must be one of the branches, not whatever the catch-all `*)` does.
      if (!literalPatterns.includes(this.caseChoice)) {
        this.unknown.push(`case ${n.subject.raw}: no branch matches "${this.caseChoice}" (branches: ${literalPatterns.join(', ')})`);
        return;
      }
      subject = this.caseChoice;
    }
    let chosen =
      subject === undefined
        ? undefined
        : n.items.find((it) => it.patterns.some((p) => casePatternMatches(literalWord(p) ?? p.raw, subject)));
    if (subject === undefined) {
      chosen = n.items.find((it) => it.patterns.some((p) => literalPatterns.includes(literalWord(p) ?? p.raw)));
      if (chosen)
        this.warnings.push(
          `case ${n.subject.raw}: its value is not known, so the first branch (${chosen.patterns.map((p) => p.raw).join('|')}) was imported.`,
        );
    }
    if (!chosen) {
      if (isChoice && this.caseChoice !== undefined) this.unknown.push(`case ${n.subject.raw}: no branch matches "${this.caseChoice}"`);
      return;
    }
    if (isChoice) this.caseChosen = chosen.patterns.map((p) => literalWord(p) ?? p.raw).join('|');
    const others = literalPatterns.filter((p) => !chosen.patterns.some((q) => (literalWord(q) ?? q.raw) === p));
    if (isChoice && others.length > 0)
      this.warnings.push(
        `case ${n.subject.raw}: imported ${this.caseChosen}; also in the script: ${others.join(', ')} (import again choosing one).`,
      );
    this.walk(chosen.body);
  }

  private simple(words: Word[], redirectRaw: string | undefined, raw: string): void {
    let i = 0;
    const prefix: { name: string; value: Word }[] = [];
    for (; i < words.length; i++) {
      const a = splitAssignment(words[i] as Word);
      if (!a) break;
      prefix.push(a);
    }
    if (i === words.length) {
      for (const a of prefix) this.assign(a.name, a.value, false);
      return;
    }
    const rest = words.slice(i);
    const name = literalWord(rest[0] as Word) ?? expandWord(rest[0] as Word, this.ctx())[0]?.value ?? '';
    if (name === 'export' || name === 'declare' || name === 'typeset') {
      if (name !== 'export' && !rest.some((w) => literalWord(w) === '-x')) return;
      for (const w of rest.slice(1)) {
        const a = splitAssignment(w);
        if (a) this.assign(a.name, a.value, true);
        else {
          const n = literalWord(w);
          if (n && ENV_NAME_RE.test(n)) {
            const v = this.vars.get(n);
            if (v) v.exported = true;
            else this.vars.set(n, { value: '', exported: true, unresolved: [`$${n}`] });
          }
        }
      }
      return;
    }
    if (name === 'unset') {
      for (const w of rest.slice(1)) {
        const n = literalWord(w);
        if (n) this.vars.delete(n);
      }
      return;
    }
    if (name === 'source' || name === '.') {
      const target = rest[1] ? expandWord(rest[1], this.ctx())[0] : undefined;
      const path = target?.value ?? '';
      if (/(^|\/)bin\/activate$/.test(path)) {
        if (this.venv === undefined) {
          const dir = path.replace(/\/?bin\/activate$/, '') || '.';
          // "$SCRIPT_DIR/.venv/bin/activate": keep the part we can read.
          this.venv = target?.unresolved.length ? (dir.split('/').pop() ?? dir) : dir;
        }
        return;
      }
      this.unknown.push(`source: ${firstLine(raw)}`);
      return;
    }
    if (name === 'cd') {
      this.warnings.push(`Ignored "${firstLine(raw)}": the panel starts vLLM in its own working directory; relative paths may differ.`);
      return;
    }
    if (IGNORED_COMMANDS.has(name)) return;

    // Strip launch prefixes: exec, nohup, time, command, env A=B, uv run.
    let j = 0;
    const envPrefix = [...prefix];
    const lit = (k: number) => (rest[k] ? literalWord(rest[k] as Word) : undefined);
    for (;;) {
      const w = lit(j);
      if (w === 'exec' || w === 'nohup' || w === 'time' || w === 'command') j++;
      else if (w === 'env') {
        j++;
        for (
          let a = rest[j] ? splitAssignment(rest[j] as Word) : undefined;
          a;
          a = rest[j] ? splitAssignment(rest[j] as Word) : undefined
        ) {
          envPrefix.push(a);
          j++;
        }
      } else if (w === 'uv' && lit(j + 1) === 'run') j += 2;
      else break;
    }
    const used = new Set<string>();
    const fields = rest.slice(j).flatMap((w) => expandWord(w, this.ctx(used)));
    const v = fields.map((f) => f.value);
    let argStart = -1;
    const prog = basename(v[0] ?? '');
    if (prog === 'vllm' && v[1] === 'serve') argStart = 2;
    else if (/^python[0-9.]*$/.test(prog) && v[1] === '-m' && v[2] === 'vllm.entrypoints.openai.api_server') argStart = 3;
    else if (/^python[0-9.]*$/.test(prog) && v[1] === '-m' && v[2] === 'vllm.entrypoints.cli.main' && v[3] === 'serve') argStart = 4;
    if (argStart < 0) {
      this.unknown.push(`command: ${firstLine(raw)}`);
      return;
    }
    if (this.call) {
      this.unknown.push(`another vLLM command (only the first was imported): ${firstLine(raw)}`);
      return;
    }
    if (redirectRaw) this.unknown.push(`redirection of the vLLM command's output (the panel captures it itself): ${redirectRaw}`);
    const prefixEnv = new Map<string, ShellVar>();
    for (const a of envPrefix) {
      const f = expandWord(a.value, this.ctx(used), false)[0] ?? { value: '', unresolved: [] };
      prefixEnv.set(a.name, { value: f.value, exported: true, ...(f.unresolved.length ? { unresolved: f.unresolved } : {}) });
    }
    const exported = new Map<string, ShellVar>();
    for (const [k, sv] of this.vars) if (sv.exported) exported.set(k, { ...sv });
    this.call = { args: fields.slice(argStart), prefixEnv, exported, used, raw };
  }
}

/** Reads `# Profile: "…"`-style header comments that exportScript writes. */
function readHeader(text: string): { name?: string; description?: string; notes?: string } {
  const out: { name?: string; description?: string; notes?: string } = {};
  for (const line of text.split('\n').slice(0, 40)) {
    const m = /^# (Profile|Description|Notes): (".*")\s*$/.exec(line);
    if (!m) continue;
    try {
      const v = JSON.parse(m[2] as string) as unknown;
      if (typeof v !== 'string') continue;
      if (m[1] === 'Profile') out.name = v;
      else if (m[1] === 'Description') out.description = v;
      else out.notes = v;
    } catch {
      // Not our header: ignore the line.
    }
  }
  return out;
}

const isNegativeNumber = (s: string): boolean => /^-\d+(\.\d+)?$/.test(s);
const looksLikeOption = (s: string): boolean => s.startsWith('-') && s !== '-' && !isNegativeNumber(s);

function legacySpec(name: string): FlagSpec | undefined {
  return LEGACY_FLAGS.find((f) => f.name === name);
}

/**
 * Turns a pasted `vllm serve …` command line (or `python -m vllm.entrypoints.openai.api_server …`),
 * or a whole launcher script, into a profile. Unknown parts are reported in `unknown` and kept
 * (unknown flags in `extraArgs`, the rest in `notes`); nothing is executed.
 */
export function importCommand(text: string, opts: ImportOptions = {}): ImportOutcome {
  const catalog = opts.catalog ?? getCatalog(opts.version ?? null);
  const reader = new ScriptReader(opts.caseChoice);
  reader.walk(parseShell(text));
  const header = readHeader(text);
  const unknown = [...reader.unknown];
  const warnings = [...reader.warnings];
  const notes: string[] = [];
  const flags: FlagValues = {};
  const extraArgs: string[] = [];
  let model: string | undefined;
  let gpus: number[] | undefined;
  let exposeOnNetwork = false;
  const unresolvedFlags: string[] = [];

  const call = reader.call;
  if (!call) unknown.push('No `vllm serve …` command was found.');
  const args = (call?.args ?? []).filter((f) => !f.passthrough);

  const setFlag = (name: string, value: FlagValue) => {
    if (name === 'model') {
      if (typeof value === 'string') model = value;
      return;
    }
    flags[name] = value;
  };

  const positional: ExpandedField[] = [];
  for (let i = 0; i < args.length; i++) {
    const f = args[i] as ExpandedField;
    const tok = f.value;
    if (tok === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!looksLikeOption(tok)) {
      positional.push(f);
      continue;
    }
    const res = catalog.resolve(tok);
    const takeValue = (): ExpandedField | undefined => {
      if (res.inlineValue !== undefined) return { value: res.inlineValue, unresolved: f.unresolved };
      const next = args[i + 1];
      if (!next || looksLikeOption(next.value)) return undefined;
      i++;
      return next;
    };

    if (res.spec && res.subKey === undefined) {
      const spec = res.spec;
      if (spec.kind === 'bool' || spec.kind === 'store-true') {
        if (res.inlineValue !== undefined) {
          const p = parseFlagValue(spec, res.inlineValue);
          if (p.ok && typeof p.value === 'boolean') setFlag(spec.name, res.negated ? !p.value : p.value);
          else unknown.push(`${tok}: a switch takes no value`);
        } else setFlag(spec.name, !res.negated);
        continue;
      }
      if (spec.kind === 'list') {
        const items: ExpandedField[] = [];
        if (res.inlineValue !== undefined) items.push({ value: res.inlineValue, unresolved: f.unresolved });
        else while (args[i + 1] && !looksLikeOption((args[i + 1] as ExpandedField).value)) items.push(args[++i] as ExpandedField);
        if (items.some((x) => x.unresolved.length > 0)) {
          unresolvedFlags.push(spec.name);
          unknown.push(`--${spec.name} ${items.map((x) => x.value).join(' ')} (value not known without running the script)`);
          continue;
        }
        if (items.length === 0) unknown.push(`--${spec.name}: expects at least one value`);
        else
          setFlag(
            spec.name,
            items.map((x) => x.value),
          );
        continue;
      }
      const vf = takeValue();
      if (!vf) {
        if (OPTIONAL_VALUE_FLAGS.has(spec.name)) setFlag(spec.name, true);
        else unknown.push(`--${spec.name}: expects a value`);
        continue;
      }
      if (vf.unresolved.length > 0) {
        unresolvedFlags.push(spec.name);
        if (!GPU_DERIVED_FLAGS.has(spec.name)) unknown.push(`--${spec.name} ${vf.value} (value not known without running the script)`);
        continue;
      }
      const p = parseFlagValue(spec, vf.value);
      if (p.ok) setFlag(spec.name, p.value);
      else {
        // Keep what was written so the editor shows it with its error.
        setFlag(spec.name, vf.value);
        warnings.push(`--${spec.name} ${vf.value}: ${p.message}`);
      }
      continue;
    }

    // A flag this vLLM does not have: renamed (translate), removed (report), or unknown (keep verbatim).
    const removed = catalog.removed(res.name) ?? REMOVED_ITEMS.find((r) => r.name === `--${res.name}`);
    const target = removed?.replacementFlag ? catalog.get(removed.replacementFlag) : undefined;
    if (removed && res.subKey === undefined) {
      const old = legacySpec(res.name);
      const takesValue = old
        ? old.kind !== 'bool' && old.kind !== 'store-true'
        : !!target && target.kind !== 'bool' && target.kind !== 'store-true';
      const vf = takesValue ? takeValue() : undefined;
      if (target && (!takesValue || vf)) {
        const value: FlagValue = vf ? (target.kind === 'list' ? [vf.value] : vf.value) : !res.negated;
        const p = typeof value === 'string' ? parseFlagValue(target, value) : undefined;
        setFlag(target.name, p?.ok ? p.value : value);
        warnings.push(`${tok}${vf ? ` ${vf.value}` : ''}: removed in vLLM ${removed.removedIn}; imported as --${target.name}.`);
      } else {
        const shown = `${tok}${vf ? ` ${vf.value}` : ''}`;
        unknown.push(`${shown}: removed in vLLM ${removed.removedIn}${removed.replacement ? `; use ${removed.replacement}` : ''}`);
        notes.push(`Removed flag not imported: ${shown}`);
      }
      continue;
    }
    const vf = res.subKey !== undefined || res.inlineValue === undefined ? takeValue() : undefined;
    const tokens = [tok, ...(vf ? [vf.value] : [])];
    if (f.unresolved.length > 0 || (vf && vf.unresolved.length > 0)) {
      unknown.push(`${tokens.join(' ')} (value not known without running the script)`);
      notes.push(`Not imported: ${tokens.join(' ')}`);
      continue;
    }
    extraArgs.push(...tokens);
    unknown.push(
      res.subKey !== undefined
        ? `${tokens.join(' ')} (JSON sub-key, kept as extra arguments)`
        : `${tokens.join(' ')} (unknown flag, kept as extra arguments)`,
    );
  }

  // Positional: the model, then anything else (kept as extra args).
  const [first, ...others] = positional;
  if (first) {
    if (first.unresolved.length > 0) {
      unknown.push(`model ${first.value} (not known without running the script)`);
      notes.push(`Model not imported: ${first.value}`);
    } else if (model === undefined) model = first.value;
    else {
      extraArgs.push(first.value);
      unknown.push(`${first.value} (a second model argument, kept as an extra argument)`);
    }
  }
  for (const o of others) {
    if (o.unresolved.length > 0) unknown.push(`${o.value} (not known without running the script)`);
    else {
      extraArgs.push(o.value);
      unknown.push(`${o.value} (extra positional argument, kept)`);
    }
  }
  if (call && model === undefined) unknown.push('The command names no model.');

  // Environment for the child: exported variables and VAR=value prefixes.
  const env: Record<string, string> = {};
  const envCandidates = new Map<string, ShellVar>();
  for (const [k, sv] of call?.exported ?? []) {
    // A variable the script only uses to build the command line is not environment for vLLM.
    if (call?.used.has(k) && !ENV_LIKE.test(k)) continue;
    envCandidates.set(k, sv);
  }
  for (const [k, sv] of call?.prefixEnv ?? []) envCandidates.set(k, sv);
  for (const [name, sv] of envCandidates) {
    if (sv.unresolved?.length) {
      unknown.push(`${name}=${sv.value} (value not known without running the script)`);
      notes.push(`Environment not imported: ${name}=${sv.value}`);
      continue;
    }
    if (name === 'CUDA_VISIBLE_DEVICES') {
      const parts = sv.value.split(',').map((s) => s.trim());
      if (sv.value !== '' && parts.every((s) => /^\d{1,4}$/.test(s))) gpus = [...new Set(parts.map(Number))].sort((a, b) => a - b);
      else unknown.push(`CUDA_VISIBLE_DEVICES=${sv.value} (select the GPUs in the panel)`);
      continue;
    }
    if (name === 'TORCH_CUDA_ARCH_LIST' || name === 'CUDA_DEVICE_ORDER') continue; // derived from the GPU selection
    if (name === 'VIRTUAL_ENV' || name === 'PATH') {
      warnings.push(`${name} is set by the panel's runtime choice (pick the virtualenv as the runtime); not imported.`);
      continue;
    }
    if (name === 'VLLM_ATTENTION_BACKEND') {
      if (flags['attention-backend'] === undefined) flags['attention-backend'] = sv.value;
      warnings.push(
        `VLLM_ATTENTION_BACKEND=${sv.value} imported as --attention-backend (the panel uses the env var only for vLLM versions without the flag).`,
      );
      continue;
    }
    const removedEnv = REMOVED_ITEMS.find((r) => r.name === `env:${name}`);
    if (removedEnv && !removedEnv.replacementFlag) {
      warnings.push(`${name} dropped: vLLM ignores it since ${removedEnv.removedIn}. ${removedEnv.note}`);
      continue;
    }
    if (!ENV_NAME_RE.test(name) || sv.value.includes('\0')) {
      unknown.push(`${name}: not a valid environment variable`);
      continue;
    }
    env[name] = sv.value;
  }

  // Values the panel derives: host (127.0.0.1 / expose), DP and API servers from the GPU count.
  if (flags.host === LOCAL_HOST) delete flags.host;
  else if (flags.host === ALL_INTERFACES) {
    exposeOnNetwork = true;
    delete flags.host;
  }
  const tp = typeof flags['tensor-parallel-size'] === 'number' ? flags['tensor-parallel-size'] : 1;
  const pp = typeof flags['pipeline-parallel-size'] === 'number' ? flags['pipeline-parallel-size'] : 1;
  if (gpus && gpus.length > 0) {
    const dp = Math.max(1, Math.floor(gpus.length / (tp * pp)));
    if (flags['data-parallel-size'] === dp) delete flags['data-parallel-size'];
    if (flags['api-server-count'] === dp && flags['data-parallel-size'] === undefined) delete flags['api-server-count'];
  }
  for (const name of unresolvedFlags) {
    if (GPU_DERIVED_FLAGS.has(name)) warnings.push(`--${name} is computed by the script; the panel derives it from the selected GPUs.`);
  }
  if (reader.venv !== undefined)
    warnings.push(`The script activates the virtualenv ${reader.venv}; choose it as the vLLM runtime in the panel.`);

  // Names and descriptions obey the profile schema's limits (a pasted header can say anything).
  const name = (header.name?.trim() || (reader.caseChosen ? `Imported ${reader.caseChosen}` : 'Imported')).slice(0, 120);
  const noteText = [header.notes, ...notes].filter(Boolean).join('\n');
  const profile: Profile = {
    id: opts.newId?.() ?? 'imported',
    name,
    builtin: false,
    description: (header.description ?? '').slice(0, 4000),
    model: model ?? (call ? '' : DEFAULT_MODEL),
    flags,
    env,
    extraArgs,
    ...(noteText ? { notes: noteText } : {}),
  };
  return {
    profile,
    unknown,
    warnings,
    ...(gpus ? { gpus } : {}),
    exposeOnNetwork,
    ...(reader.venv !== undefined ? { venv: reader.venv } : {}),
    caseChoices: reader.caseChoices,
    ...(reader.caseChosen !== undefined ? { caseChosen: reader.caseChosen } : {}),
  };
}
