// Built-in launch profiles (the bash launcher's THROUGHPUT / LOW_LATENCY / LONG_CONTEXT) and the
// pure operations on profiles: copy, diff. Storage is in profile-store.ts.
import type { FlagValue, FlagValues, Profile } from './types';

export const DEFAULT_MODEL = 'nvidia/NVIDIA-Nemotron-Nano-12B-v2';

/**
 * The served name the panel gives a model by default: the last path segment of the model id,
 * lower-cased, with a leading "nvidia-" vendor prefix dropped (the org part of the id already
 * says NVIDIA). "nvidia/NVIDIA-Nemotron-Nano-12B-v2" → "nemotron-nano-12b-v2". The launcher
 * we replace passed a short lower-case name to --served-model-name; clients (chat, bench) read
 * the real name from /v1/models, so this is cosmetic but stable.
 */
export function defaultServedModelName(model: string): string {
  const last = model.replace(/\/+$/, '').split('/').pop() ?? model;
  const lower = last.toLowerCase();
  const stripped = lower.startsWith('nvidia-') ? lower.slice('nvidia-'.length) : lower;
  return stripped || lower || 'model';
}

/**
 * Flags every built-in shares, exactly as the launcher passed them. Not stored here, because
 * they depend on the GPU selection or the runtime, and the command builder derives them:
 * --data-parallel-size (= number of selected GPUs, TP=1), --api-server-count (= DP, one API
 * server per engine, as the launcher did), --host (127.0.0.1 unless "expose on network"),
 * TORCH_CUDA_ARCH_LIST / CUDA_VISIBLE_DEVICES (from the GPU selection), and whether the
 * attention backend goes in --attention-backend or the old VLLM_ATTENTION_BACKEND env var
 * (from the vLLM version).
 */
const LAUNCHER_FLAGS: FlagValues = {
  'served-model-name': [defaultServedModelName(DEFAULT_MODEL)],
  port: 8000,
  'trust-remote-code': true,
  // Model card: "add --mamba_ssm_cache_dtype float32 for accurate quality" (nemotron.md §2).
  'mamba-ssm-cache-dtype': 'float32',
  'kv-cache-dtype': 'fp8_e5m2',
  'gpu-memory-utilization': 0.95,
  'enable-prefix-caching': true,
  'attention-backend': 'FLASHINFER',
};

const LAUNCHER_ENV: Record<string, string> = {
  TOKENIZERS_PARALLELISM: 'false',
  OMP_NUM_THREADS: '1',
  PYTORCH_CUDA_ALLOC_CONF: 'expandable_segments:True',
};

function builtin(id: string, name: string, description: string, seqs: number, batched: number, len: number): Profile {
  return {
    id,
    name,
    builtin: true,
    description,
    model: DEFAULT_MODEL,
    flags: { ...LAUNCHER_FLAGS, 'max-num-seqs': seqs, 'max-num-batched-tokens': batched, 'max-model-len': len },
    env: { ...LAUNCHER_ENV },
    extraArgs: [],
  };
}

/** The launcher's three profiles (values from the launcher we replace; see HELPERS.md). */
export const BUILTIN_PROFILES: readonly Profile[] = Object.freeze([
  builtin('throughput', 'THROUGHPUT', 'Many concurrent requests: 64 sequences, 16k-token batches, 32k context.', 64, 16384, 32768),
  builtin('low-latency', 'LOW_LATENCY', 'Fast single responses: 32 sequences, 4k-token batches, 32k context.', 32, 4096, 32768),
  builtin('long-context', 'LONG_CONTEXT', 'Long documents: 32 sequences, 8k-token batches, 64k context.', 32, 8192, 65536),
]);

export const DEFAULT_PROFILE_ID = 'throughput';

export function builtinProfile(id: string): Profile | undefined {
  const p = BUILTIN_PROFILES.find((b) => b.id === id);
  return p ? cloneProfile(p) : undefined;
}

/** A deep copy (profiles hold arrays and records; callers must never share them). */
export function cloneProfile(p: Profile): Profile {
  return structuredClone(p);
}

// ---------------------------------------------------------------------------------------------
// Diff

export interface ProfileChange {
  kind: 'model' | 'flag' | 'env' | 'extraArgs';
  /** Flag name, env var name, "model" or "extraArgs". */
  name: string;
  /** undefined = not present on that side. */
  from?: FlagValue | string[];
  to?: FlagValue | string[];
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return a === b;
}

/** What `profile` changes relative to `base`: model, flags and env added/removed/changed, extra args. */
export function diffProfiles(base: Profile, profile: Profile): ProfileChange[] {
  const out: ProfileChange[] = [];
  if (base.model !== profile.model) out.push({ kind: 'model', name: 'model', from: base.model, to: profile.model });
  const flagNames = [...new Set([...Object.keys(base.flags), ...Object.keys(profile.flags)])].sort();
  for (const name of flagNames) {
    const has = Object.hasOwn(base.flags, name);
    const has2 = Object.hasOwn(profile.flags, name);
    const from = base.flags[name];
    const to = profile.flags[name];
    if (has && has2 && sameValue(from, to)) continue;
    out.push({ kind: 'flag', name, ...(has ? { from } : {}), ...(has2 ? { to } : {}) });
  }
  const envNames = [...new Set([...Object.keys(base.env), ...Object.keys(profile.env)])].sort();
  for (const name of envNames) {
    const from = base.env[name];
    const to = profile.env[name];
    if (from === to) continue;
    out.push({ kind: 'env', name, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  }
  if (!sameValue(base.extraArgs, profile.extraArgs))
    out.push({ kind: 'extraArgs', name: 'extraArgs', from: base.extraArgs, to: profile.extraArgs });
  return out;
}

/** The built-in a user profile most likely came from (fewest differences), for "diff against built-in". */
export function closestBuiltin(profile: Profile): Profile {
  let best = BUILTIN_PROFILES[0] as Profile;
  let bestCount = Number.POSITIVE_INFINITY;
  for (const b of BUILTIN_PROFILES) {
    const n = diffProfiles(b, profile).length;
    if (n < bestCount) {
      best = b;
      bestCount = n;
    }
  }
  return cloneProfile(best);
}

/** Applies flag edits: a value sets the flag, `undefined` removes it (back to vLLM's default). */
export function withFlags(profile: Profile, edits: Record<string, FlagValue | undefined>): Profile {
  const next = cloneProfile(profile);
  for (const [k, v] of Object.entries(edits)) {
    if (v === undefined) delete next.flags[k];
    else next.flags[k] = v;
  }
  return next;
}
