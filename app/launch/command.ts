// The command builder: profile + overrides + GPU selection + runtime → argv and env for spawning
// `vllm serve` directly (never through a shell). `display` is a shell-quoted rendering for
// copy/paste only. No I/O: the core handler gathers the inputs.
import type { Gpu } from '../contract/gpu';
import { gpuSelectionEnv } from '../gpu/selection';
import { type Catalog, getCatalog } from './catalog';
import { formatFlagArgs } from './flag-value';
import { cloneProfile } from './profiles';
import { type VllmRuntime, venvEnv } from './runtime';
import { shellAssign, shellQuote } from './shell-words';
import type { FieldIssue, FlagValue, FlagValues, Profile } from './types';
import { validateFlags } from './validate';

export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Env vars the builder derives (GPU selection, venv); a profile setting them is overridden. */
export const DERIVED_ENV = ['CUDA_VISIBLE_DEVICES', 'CUDA_DEVICE_ORDER', 'TORCH_CUDA_ARCH_LIST', 'VIRTUAL_ENV'] as const;

/** Where vLLM comes from (a detected runtime, app/launch/runtime.ts). */
export interface RuntimeInput {
  /** Program and leading args; `serve MODEL …` is appended: ["vllm"], ["/home/u/proj/.venv/bin/vllm"], ["node", "/…/vllm-sim.js"]. */
  argv: string[];
  /** Installed vLLM version (picks version-correct flags); null/undefined = newest known. */
  version?: string | null;
  /** A virtualenv / conda env: its bin/ goes first on PATH and VIRTUAL_ENV (CONDA_PREFIX) is set, like `source activate`. */
  venvDir?: string;
  kind?: VllmRuntime['kind'];
  /** Extra env the runtime itself needs (e.g. ELECTRON_RUN_AS_NODE for the simulator). */
  env?: Record<string, string>;
}

export interface BuildInput {
  profile: Profile;
  /** Per-launch edits on top of the profile (any vLLM spelling of the names). `null` = vLLM's None. */
  overrides?: FlagValues;
  /** The selected nvidia-smi indices and what nvidia-smi reported about the GPUs (for TORCH_CUDA_ARCH_LIST). */
  gpus?: { selected: number[]; info: readonly Pick<Gpu, 'index' | 'name' | 'computeCap'>[] };
  runtime?: RuntimeInput;
  /** Catalog to validate against (e.g. one built from the installed vLLM's --help=all). Default: built-in for runtime.version. */
  catalog?: Catalog;
  /** Bind 0.0.0.0 (all interfaces) instead of 127.0.0.1. */
  exposeOnNetwork?: boolean;
  apiKey?: string;
  /** The environment the child inherits; only PATH is read (to prepend the venv's bin/). */
  baseEnv?: Record<string, string | undefined>;
}

export interface BuildOutput {
  argv: string[];
  /** Variables to add to the inherited environment. */
  env: Record<string, string>;
  issues: FieldIssue[];
  /** Shell-quoted, for copy/paste only. */
  display: string;
  gpus: number[];
  dataParallelSize: number;
  vllmVersion: string | null;
}

export const DEFAULT_RUNTIME_ARGV = ['vllm'] as const;
export const LOCAL_HOST = '127.0.0.1';
export const ALL_INTERFACES = '0.0.0.0';

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
/** Hugging Face repo ids: "org/name" or "name"; letters, digits, ".", "_", "-" (no leading punctuation). */
const HF_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?$/;
/** Served model names end up in JSON and URLs; keep them to a conservative character set. */
const SERVED_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,255}$/;

const issue = (
  field: string,
  message: string,
  kind: FieldIssue['kind'] = 'bad_type',
  severity: FieldIssue['severity'] = 'error',
): FieldIssue => ({
  field,
  severity,
  kind,
  message,
});

/** Why `model` cannot be passed as vLLM's model argument, or undefined when it can. */
export function modelProblem(model: string): string | undefined {
  if (model.trim() === '') return 'The model is empty: give a Hugging Face id (org/name) or a local path.';
  if (CONTROL_CHARS.test(model)) return 'The model contains control characters (newline, tab, NUL …).';
  if (model.startsWith('-')) return `The model "${model}" starts with "-", so vLLM would read it as a flag.`;
  if (model.startsWith('~')) return 'The model path starts with "~", which nothing expands (no shell is involved): give an absolute path.';
  const isPath = model.startsWith('/') || model.startsWith('./') || model.startsWith('../');
  if (isPath) return undefined;
  if (!HF_ID.test(model)) {
    return `"${model}" is neither a Hugging Face model id (org/name: letters, digits, ".", "_", "-") nor a path (starting with "/", "./" or "../").`;
  }
  return undefined;
}

/** Why `name` cannot be a served model name, or undefined. */
export function servedNameProblem(name: string): string | undefined {
  if (name === '') return 'A served model name is empty.';
  if (!SERVED_NAME.test(name)) {
    return `"${name}" is not a usable served model name: use letters, digits and . _ : / @ + - (at most 256, not starting with punctuation).`;
  }
  return undefined;
}

/** Why an env var cannot be passed, or undefined. */
export function envProblem(name: string, value: string): string | undefined {
  if (!ENV_NAME_RE.test(name)) return `"${name}" is not a valid environment variable name (letters, digits, _; not starting with a digit).`;
  if (value.includes('\0')) return `${name} contains a NUL character, which no process environment can hold.`;
  return undefined;
}

const numeric = (v: FlagValue | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Flag values with canonical names. Later entries win (overrides after profile flags), and a
 * `--no-x` spelling is folded into `x` = false.
 */
function canonicalFlags(catalog: Catalog, ...sources: (FlagValues | undefined)[]): FlagValues {
  const out: FlagValues = {};
  for (const src of sources) {
    for (const [k, v] of Object.entries(src ?? {})) {
      const r = catalog.resolve(k.startsWith('-') ? k : `--${k}`);
      const name = r.subKey !== undefined ? `${r.name}.${r.subKey}` : r.name;
      out[name] = r.negated && typeof v === 'boolean' ? !v : v;
    }
  }
  return out;
}

/** Builds argv + env for one launch. Never throws for bad input: problems come back as issues. */
export function buildCommand(input: BuildInput): BuildOutput {
  const version = input.runtime?.version ?? null;
  const catalog = input.catalog ?? getCatalog(version);
  const profile = cloneProfile(input.profile);
  const issues: FieldIssue[] = [];
  const flags = canonicalFlags(catalog, profile.flags, input.overrides);

  // Model and served name (hostile strings are refused here with the field named; argv would
  // carry them safely, but a model id like "$(rm -rf ~)" is never what the user meant).
  const mp = modelProblem(profile.model);
  if (mp) issues.push(issue('model', mp));
  const served = flags['served-model-name'];
  const servedList = typeof served === 'string' ? [served] : Array.isArray(served) ? served : [];
  for (const n of servedList) {
    const p = servedNameProblem(n);
    if (p) issues.push(issue('served-model-name', p));
  }
  for (const [k, v] of Object.entries(flags)) {
    const texts = typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
    if (texts.some((t) => t.includes('\0')))
      issues.push(issue(k, `--${k} contains a NUL character, which cannot be passed as an argument.`));
  }

  // Network: 127.0.0.1 unless the user exposes it (DESIGN.md security defaults).
  if (input.exposeOnNetwork) flags.host = ALL_INTERFACES;
  else if (flags.host === undefined || flags.host === null || flags.host === '') flags.host = LOCAL_HOST;
  if (input.apiKey !== undefined && input.apiKey !== '') {
    if (CONTROL_CHARS.test(input.apiKey)) issues.push(issue('api-key', 'The API key contains control characters.'));
    flags['api-key'] = catalog.get('api-key')?.kind === 'list' ? [input.apiKey] : input.apiKey;
  }

  // GPUs: CUDA_VISIBLE_DEVICES etc. from the selection; DP = GPUs / (TP × PP) as the launcher did.
  const env: Record<string, string> = {};
  let gpuIndices: number[] = [];
  let dp = numeric(flags['data-parallel-size']) ?? 1;
  if (input.gpus) {
    const sel = gpuSelectionEnv(input.gpus.info, input.gpus.selected);
    gpuIndices = sel.indices;
    Object.assign(env, sel.env);
    for (const msg of sel.issues) {
      if (sel.indices.length > 0) issues.push(issue('gpus', msg, 'cross_field', 'warning'));
    }
    if (sel.indices.length > 0) {
      const tp = numeric(flags['tensor-parallel-size']) ?? 1;
      const pp = numeric(flags['pipeline-parallel-size']) ?? 1;
      if (flags['data-parallel-size'] === undefined || flags['data-parallel-size'] === null) {
        dp = Math.max(1, Math.floor(sel.indices.length / (tp * pp)));
        flags['data-parallel-size'] = dp;
      }
      // One API server per engine, as the launcher ran (newer vLLM defaults to the same).
      if ((flags['api-server-count'] === undefined || flags['api-server-count'] === null) && catalog.has('api-server-count')) {
        flags['api-server-count'] = dp;
      }
    }
  }

  // Env: profile env (validated), minus what the GPU selection decides.
  const profileEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(profile.env)) {
    const p = envProblem(name, value);
    if (p) {
      issues.push(issue(`env:${name}`, p, 'env'));
      continue;
    }
    if (input.gpus && (DERIVED_ENV as readonly string[]).includes(name) && name in env) {
      issues.push(
        issue(`env:${name}`, `${name} comes from the GPU selection; the profile's value "${value}" is not used.`, 'env', 'warning'),
      );
      continue;
    }
    profileEnv[name] = value;
  }

  // Version-correct attention backend: the flag where this vLLM has it, else the old env var.
  const backendEnv = 'VLLM_ATTENTION_BACKEND';
  if (typeof flags['attention-backend'] === 'string' && !catalog.has('attention-backend')) {
    profileEnv[backendEnv] = flags['attention-backend'];
    delete flags['attention-backend'];
  } else if (profileEnv[backendEnv] !== undefined && catalog.removed(`env:${backendEnv}`) && catalog.has('attention-backend')) {
    if (flags['attention-backend'] === undefined) flags['attention-backend'] = profileEnv[backendEnv];
    issues.push(
      issue(
        `env:${backendEnv}`,
        `${backendEnv} is ignored by this vLLM; passing --attention-backend ${String(flags['attention-backend'])} instead.`,
        'removed_flag',
        'warning',
      ),
    );
    delete profileEnv[backendEnv];
  }

  // Removed flags with a plain renamed replacement are translated; the rest are reported by validation.
  for (const name of Object.keys(flags)) {
    if (catalog.has(name)) continue;
    const removed = catalog.removed(name);
    const target = removed?.replacementFlag;
    if (removed && target && catalog.has(target) && flags[target] === undefined) {
      flags[target] = flags[name] as FlagValue;
      delete flags[name];
      issues.push(
        issue(target, `--${name} was removed in vLLM ${removed.removedIn}; passing --${target} instead.`, 'removed_flag', 'warning'),
      );
    }
  }

  const gpuCount = input.gpus ? gpuIndices.length : undefined;
  issues.push(...validateFlags(flags, { catalog, env: profileEnv, ...(gpuCount !== undefined ? { gpuCount } : {}) }));

  // Extra args go through verbatim (they are still argv items, never shell text).
  for (const [i, a] of profile.extraArgs.entries()) {
    if (a.includes('\0')) issues.push(issue(`extraArgs.${i}`, 'An extra argument contains a NUL character.'));
  }

  Object.assign(env, profileEnv);

  // Virtualenv: what `source .venv/bin/activate` would do for the child (runtime.ts venvEnv).
  const rt = input.runtime;
  let venvBin: string | undefined;
  if (rt?.venvDir) {
    const kind = rt.kind === 'conda' ? 'conda' : 'venv';
    const activated = venvEnv(rt.venvDir, { PATH: input.baseEnv?.PATH }, kind);
    for (const k of ['PATH', 'VIRTUAL_ENV', 'CONDA_PREFIX', 'CONDA_DEFAULT_ENV']) {
      const v = activated[k];
      if (v !== undefined) env[k] = v;
    }
    venvBin = (env.PATH ?? '').split(':')[0];
  }
  for (const [k, v] of Object.entries(rt?.env ?? {})) {
    const p = envProblem(k, v);
    if (p) issues.push(issue(`env:${k}`, p, 'env'));
    else env[k] = v;
  }

  const prefix = rt?.argv.length ? [...rt.argv] : [...DEFAULT_RUNTIME_ARGV];
  const argv = [...prefix, 'serve', profile.model, ...flagArgs(flags, catalog), ...profile.extraArgs];
  const display = renderDisplay(argv, env, prefix.length + 2, venvBin ? { venvBin, inheritedPath: input.baseEnv?.PATH } : undefined);

  return {
    argv,
    env,
    issues: dedupeIssues(issues),
    display,
    gpus: gpuIndices,
    dataParallelSize: input.gpus && gpuIndices.length > 0 ? dp : (numeric(flags['data-parallel-size']) ?? 1),
    vllmVersion: catalog.version,
  };
}

/** argv for the flags, in a stable, readable order: the profile's order, derived flags last. */
export function flagArgs(flags: FlagValues, catalog: Catalog): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(flags)) {
    const dot = name.indexOf('.');
    const spec = catalog.get(dot > 0 ? name.slice(0, dot) : name);
    out.push(...formatFlagArgs(name, value, spec));
  }
  return out;
}

function dedupeIssues(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.field}\u0000${i.severity}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Shell-quoted rendering: `NAME=value … program args`, one flag per line with `\` continuations.
 * For a venv, PATH is shown as `<venv>/bin:"$PATH"` (what activation does) instead of the whole
 * inherited PATH.
 */
export function renderDisplay(
  argv: string[],
  env: Record<string, string>,
  flagStart: number,
  venv?: { venvBin: string; inheritedPath?: string | undefined },
): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (k === 'PATH' && venv?.inheritedPath && v === `${venv.venvBin}:${venv.inheritedPath}`)
      lines.push(`PATH=${shellQuote(venv.venvBin)}:"$PATH"`);
    else lines.push(shellAssign(k, v));
  }
  // Program, subcommand and model on the first line; then one line per flag with its values.
  const words = argv.map(shellQuote);
  let cur = words.slice(0, flagStart).join(' ');
  const cmdLines: string[] = [];
  for (let i = flagStart; i < words.length; i++) {
    const raw = argv[i] as string;
    if (raw.startsWith('-') && !/^-\d/.test(raw)) {
      cmdLines.push(cur);
      cur = words[i] as string;
    } else cur += ` ${words[i]}`;
  }
  cmdLines.push(cur);
  return [...lines, ...cmdLines].join(' \\\n  ');
}
