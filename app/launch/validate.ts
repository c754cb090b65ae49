// Validation of a set of flag values (and the launch env) against the catalog of the installed
// vLLM version: unknown flags with "did you mean", removed flags with their replacement, typed
// values and ranges, and the cross-field rules vLLM enforces at start-up (vllm-cli.md §3, §4, §5).
// Pure module (no Node imports): the UI validates on every keystroke through the core, the
// simulator uses it to decide its own start-up errors.
import { type Catalog, choiceSince, FLAG_CATALOG, REMOVED_ITEMS, versionAtLeast } from './catalog';
import { checkFlagValue } from './flag-value';
import type { FieldIssue, FlagSpec, FlagValue, FlagValues, RemovedItem } from './types';

export interface ValidateContext {
  catalog: Catalog;
  /** Number of GPUs selected for this launch (CUDA_VISIBLE_DEVICES); omit when not known/relevant. */
  gpuCount?: number;
  /** Extra env vars of the launch (profile env), checked for removed/ignored vLLM variables. */
  env?: Record<string, string>;
}

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|::1|localhost|ip6-localhost)$/i;

// ---------------------------------------------------------------------------------------------
// "Did you mean"

/** Levenshtein distance, giving up (returning > limit) once every path exceeds `limit`. */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length] as number;
}

/** Every token of `input` is a prefix of a distinct later token of `candidate` ("gpu-mem-util" → "gpu-memory-utilization"). */
function tokenPrefixMatch(input: string, candidate: string): boolean {
  const a = input.split('-').filter(Boolean);
  const b = candidate.split('-');
  if (a.length === 0 || a.length > b.length) return false;
  let j = 0;
  for (const t of a) {
    while (j < b.length && !(b[j] as string).startsWith(t)) j++;
    if (j >= b.length) return false;
    j++;
  }
  return true;
}

/** Up to `max` catalog flag names close to `name` (canonical), best first. */
export function suggestFlagNames(name: string, catalog: Catalog, max = 3): string[] {
  const limit = Math.max(2, Math.floor(name.length * 0.34));
  const scored: { name: string; score: number }[] = [];
  for (const spec of catalog.all()) {
    const d = editDistance(name, spec.name, limit);
    if (d <= limit) scored.push({ name: spec.name, score: d });
    else if (tokenPrefixMatch(name, spec.name)) scored.push({ name: spec.name, score: limit + 1 + (spec.name.length - name.length) / 100 });
    else if (spec.name.includes(name) && name.length >= 4) scored.push({ name: spec.name, score: limit + 2 });
  }
  return scored
    .sort((x, y) => x.score - y.score || x.name.localeCompare(y.name))
    .slice(0, max)
    .map((s) => s.name);
}

// ---------------------------------------------------------------------------------------------

function removedIssue(field: string, item: RemovedItem, version: string | null): FieldIssue {
  const where = version ? `vLLM ${version}` : 'current vLLM';
  const instead = item.replacement ? ` Use ${item.replacement} instead.` : ' Remove it.';
  return {
    field,
    severity: 'error',
    kind: 'removed_flag',
    message: `${item.name} no longer exists in ${where} (removed in ${item.removedIn}).${instead}`,
    ...(item.replacementFlag ? { suggestions: [item.replacementFlag] } : {}),
  };
}

function unknownIssue(field: string, catalog: Catalog): FieldIssue {
  // A flag the installed version is too old for reads better than "unknown".
  const newer = FLAG_CATALOG.find((f) => f.name === field && f.since);
  if (newer?.since && catalog.version && !versionAtLeast(catalog.version, newer.since)) {
    return {
      field,
      severity: 'error',
      kind: 'unknown_flag',
      message: `--${field} needs vLLM ${newer.since} or newer; the selected vLLM is ${catalog.version}.`,
    };
  }
  const suggestions = suggestFlagNames(field, catalog);
  return {
    field,
    severity: 'error',
    kind: 'unknown_flag',
    message: `Unknown flag --${field}${suggestions.length ? `. Did you mean ${suggestions.map((s) => `--${s}`).join(', ')}?` : '.'}`,
    ...(suggestions.length ? { suggestions } : {}),
  };
}

function valueIssue(spec: FlagSpec, value: FlagValue, catalog: Catalog): FieldIssue | undefined {
  const r = checkFlagValue(spec, value);
  if (r.ok) return undefined;
  const msg = r.message;
  if (msg.startsWith('invalid choice') && typeof value === 'string') {
    const since = choiceSince(spec.name, value);
    if (since && catalog.version && !versionAtLeast(catalog.version, since)) {
      return {
        field: spec.name,
        severity: 'error',
        kind: 'bad_choice',
        message: `--${spec.name} ${value} needs vLLM ${since} or newer; the selected vLLM is ${catalog.version}. Choose from ${(spec.choices ?? []).join(', ')}.`,
        ...(spec.choices ? { suggestions: [...spec.choices] } : {}),
      };
    }
  }
  const kind: FieldIssue['kind'] = msg.startsWith('invalid choice')
    ? 'bad_choice'
    : msg.startsWith('must be')
      ? 'out_of_range'
      : 'bad_type';
  return {
    field: spec.name,
    severity: 'error',
    kind,
    message: `--${spec.name}: ${msg}`,
    ...(kind === 'bad_choice' && spec.choices ? { suggestions: [...spec.choices] } : {}),
  };
}

const num = (v: FlagValue | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Validates flag values (canonical or any vLLM spelling as keys) for a launch. Returns every
 * problem found, errors and warnings, each naming its field.
 */
export function validateFlags(values: FlagValues, ctx: ValidateContext): FieldIssue[] {
  const { catalog } = ctx;
  const issues: FieldIssue[] = [];
  /** Effective typed values by canonical name (only flags that exist and parsed). */
  const eff = new Map<string, FlagValue>();
  const subKeys = new Map<string, string[]>();
  const seen = new Map<string, string>();

  for (const [rawKey, value] of Object.entries(values)) {
    const option = rawKey.startsWith('-') ? rawKey : `--${rawKey}`;
    const res = catalog.resolve(option);
    const field = res.subKey !== undefined ? `${res.name}.${res.subKey}` : res.name;
    const prev = seen.get(field);
    if (prev !== undefined) {
      issues.push({
        field,
        severity: 'warning',
        kind: 'cross_field',
        message: `--${field} is given twice (as "${prev}" and "${rawKey}"); the last one wins.`,
      });
    }
    seen.set(field, rawKey);

    if (!res.spec) {
      const removed = catalog.removed(res.name);
      issues.push(removed ? removedIssue(res.name, removed, catalog.version) : unknownIssue(field, catalog));
      continue;
    }
    const spec = res.spec;
    if (res.subKey !== undefined) {
      // Dotted JSON sub-key: any scalar is fine (vLLM parses it), but not a list of lists etc.
      subKeys.set(spec.name, [...(subKeys.get(spec.name) ?? []), res.subKey]);
      if (res.subKey === '' || /\.\.|^\.|\.$/.test(res.subKey)) {
        issues.push({ field, severity: 'error', kind: 'bad_type', message: `--${field}: malformed JSON sub-key.` });
      }
      continue;
    }
    let v = value;
    if (res.negated) {
      if (typeof v === 'boolean') v = !v;
      else if (v === 'true' || v === 'false') v = v !== 'true';
    }
    const problem = valueIssue(spec, v, catalog);
    if (problem) {
      issues.push(problem);
      continue;
    }
    const normal = checkFlagValue(spec, v);
    eff.set(spec.name, normal.ok ? normal.value : v);
    if (spec.deprecated && spec.name !== 'model') {
      issues.push({
        field: spec.name,
        severity: 'warning',
        kind: 'removed_flag',
        message: `--${spec.name} is deprecated and will be removed.`,
      });
    }
  }

  crossField(eff, subKeys, ctx, issues);
  if (ctx.env) issues.push(...validateEnv(ctx.env, catalog, eff));
  return issues;
}

function crossField(eff: Map<string, FlagValue>, subKeys: Map<string, string[]>, ctx: ValidateContext, out: FieldIssue[]): void {
  const get = (n: string) => eff.get(n);
  const cross = (field: string, message: string, severity: FieldIssue['severity'] = 'error', suggestions?: string[]): void => {
    out.push({ field, severity, kind: 'cross_field', message, ...(suggestions ? { suggestions } : {}) });
  };

  // SchedulerConfig: "max_num_batched_tokens (X) must be greater than or equal to max_num_seqs (Y)."
  const mnbt = num(get('max-num-batched-tokens'));
  const mns = num(get('max-num-seqs'));
  if (mnbt !== undefined && mns !== undefined && mnbt < mns) {
    cross('max-num-batched-tokens', `max-num-batched-tokens (${mnbt}) must be greater than or equal to max-num-seqs (${mns}).`);
  }
  // Without chunked prefill a whole prompt must fit one step (§4.14).
  const mml = num(get('max-model-len'));
  if (get('enable-chunked-prefill') === false && mnbt !== undefined && mml !== undefined && mml > 0 && mnbt < mml) {
    cross(
      'max-num-batched-tokens',
      `max-num-batched-tokens (${mnbt}) is smaller than max-model-len (${mml}) with chunked prefill disabled: longer prompts would be rejected. Raise max-num-batched-tokens or lower max-model-len.`,
    );
  }

  // GPUs: DP replicas × (TP × PP × prefill-CP) workers each must match the selected GPUs.
  if (ctx.gpuCount !== undefined && (num(get('nnodes')) ?? 1) <= 1 && get('data-parallel-size-local') === undefined) {
    const dp = num(get('data-parallel-size')) ?? 1;
    const tp = num(get('tensor-parallel-size')) ?? 1;
    const pp = num(get('pipeline-parallel-size')) ?? 1;
    const pcp = num(get('prefill-context-parallel-size')) ?? 1;
    const need = dp * tp * pp * pcp;
    const parts = [`data-parallel-size ${dp}`, `tensor-parallel-size ${tp}`, `pipeline-parallel-size ${pp}`];
    if (pcp !== 1) parts.push(`prefill-context-parallel-size ${pcp}`);
    const field = eff.has('data-parallel-size') ? 'data-parallel-size' : eff.has('tensor-parallel-size') ? 'tensor-parallel-size' : 'gpus';
    if (ctx.gpuCount === 0) {
      out.push({ field: 'gpus', severity: 'error', kind: 'cross_field', message: 'No GPU is selected.' });
    } else if (need > ctx.gpuCount) {
      cross(field, `${parts.join(' × ')} needs ${need} GPUs, but ${ctx.gpuCount} ${ctx.gpuCount === 1 ? 'is' : 'are'} selected.`);
    } else if (need < ctx.gpuCount) {
      cross(field, `${parts.join(' × ')} uses ${need} of the ${ctx.gpuCount} selected GPUs; the others stay idle.`, 'warning');
    }
  }

  // KV cache dtypes that exist but do not apply to an NVIDIA GPU / a normal model (§4.9).
  const kv = get('kv-cache-dtype');
  if (kv === 'fp8_inc') cross('kv-cache-dtype', 'kv-cache-dtype fp8_inc is for Intel Gaudi (HPU) only.', 'warning');
  if (kv === 'fp8_ds_mla') cross('kv-cache-dtype', 'kv-cache-dtype fp8_ds_mla only applies to MLA models (DeepSeek).', 'warning');

  // cli_args.py validate_parsed_serve_args: TypeError at start-up.
  if (get('enable-auto-tool-choice') === true && !get('tool-call-parser')) {
    cross('enable-auto-tool-choice', '--enable-auto-tool-choice requires --tool-call-parser.', 'error', ['tool-call-parser']);
  }
  if (get('enable-log-outputs') === true && get('enable-log-requests') !== true) {
    cross('enable-log-outputs', '--enable-log-outputs requires --enable-log-requests.', 'error', ['enable-log-requests']);
  }

  // "Concurrent Partial Prefill is not supported" (§4.14).
  for (const f of ['max-num-partial-prefills', 'max-long-partial-prefills']) {
    const v = num(get(f));
    if (v !== undefined && v > 1) cross(f, `--${f} must stay 1: concurrent partial prefill is not supported.`);
  }
  const mbs = num(get('mamba-block-size'));
  if (mbs !== undefined && mbs % 8 !== 0) cross('mamba-block-size', `--mamba-block-size must be a multiple of 8 (got ${mbs}).`);

  // Giving the backend both ways is a ValueError (§4.5).
  const acJson = get('attention-config');
  const acHasBackend =
    (subKeys.get('attention-config') ?? []).includes('backend') || (typeof acJson === 'string' && /"backend"\s*:/.test(acJson));
  if (get('attention-backend') && acHasBackend) {
    cross('attention-backend', 'Give the attention backend either as --attention-backend or as --attention-config.backend, not both.');
  }
  if (get('kv-cache-memory-bytes') !== undefined && get('kv-cache-memory-bytes') !== null && eff.has('gpu-memory-utilization')) {
    cross('gpu-memory-utilization', '--kv-cache-memory-bytes is set, so --gpu-memory-utilization is ignored.', 'warning');
  }
  if (eff.has('model')) {
    cross('model', 'With vllm serve the model is the positional argument; the --model option will be removed.', 'warning');
  }
  const asc = num(get('api-server-count'));
  if (asc !== undefined && asc > 1) {
    cross('api-server-count', `With ${asc} API servers vLLM disables stats logging (no periodic throughput line).`, 'warning');
  }

  // Security (DESIGN.md): exposed on the network without an API key.
  const host = get('host');
  const exposed = typeof host !== 'string' || host === '' || !LOOPBACK.test(host);
  const hasKey = (Array.isArray(get('api-key')) && (get('api-key') as string[]).length > 0) || Boolean(ctx.env?.VLLM_API_KEY);
  if (exposed && !hasKey && !get('uds')) {
    const where = typeof host === 'string' && host !== '' ? `on ${host}` : 'on all interfaces (no --host)';
    out.push({
      field: 'host',
      severity: 'warning',
      kind: 'security',
      message: `vLLM will listen ${where} without --api-key: anyone who can reach this machine can use it.`,
      suggestions: ['api-key'],
    });
  }
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks launch env vars: valid names and values, and removed/ignored vLLM variables. */
export function validateEnv(env: Record<string, string>, catalog: Catalog, flags?: ReadonlyMap<string, FlagValue>): FieldIssue[] {
  const out: FieldIssue[] = [];
  const version = catalog.version;
  for (const [name, value] of Object.entries(env)) {
    const field = `env:${name}`;
    if (!ENV_NAME.test(name)) {
      out.push({ field, severity: 'error', kind: 'env', message: `"${name}" is not a valid environment variable name.` });
      continue;
    }
    if (typeof value !== 'string' || value.includes('\0')) {
      out.push({ field, severity: 'error', kind: 'env', message: `${name} has a value that cannot be passed to a process.` });
      continue;
    }
    const item = REMOVED_ITEMS.find((r) => r.name === field);
    if (!item) continue;
    const removed = catalog.removed(field) !== undefined;
    const deprecated = !removed && item.deprecatedIn !== undefined && (version === null || versionAtLeast(version, item.deprecatedIn));
    if (item.replacementFlag) {
      // A setting that the installed vLLM ignores silently: refuse it so the user's intent is not lost.
      const flagExists = catalog.has(item.replacementFlag);
      if (removed) {
        out.push({
          field,
          severity: 'error',
          kind: 'env',
          message: `${name} is ignored by ${version ? `vLLM ${version}` : 'current vLLM'} (removed in ${item.removedIn}). Use ${item.replacement ?? `--${item.replacementFlag}`} instead.`,
          suggestions: [item.replacementFlag],
        });
      } else if (deprecated && flagExists) {
        out.push({
          field,
          severity: 'warning',
          kind: 'env',
          message: `${name} is deprecated since vLLM ${item.deprecatedIn} and will be removed; use ${item.replacement ?? `--${item.replacementFlag}`}.`,
          suggestions: [item.replacementFlag],
        });
      }
      continue;
    }
    if (removed) {
      const strict = flags?.get('fail-on-environ-validation') === true;
      out.push({
        field,
        severity: strict ? 'error' : 'warning',
        kind: 'env',
        message: strict
          ? `${name} is not a vLLM variable any more (removed in ${item.removedIn}); with --fail-on-environ-validation vLLM refuses to start. Remove it.`
          : `${name} is ignored since vLLM ${item.removedIn} (it logs "Unknown vLLM environment variable detected: ${name}"). Remove it.`,
      });
    }
  }
  return out;
}
