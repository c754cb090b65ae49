// Shared vocabulary of app/launch (catalog, validation, profiles, planner, command builder) and
// of the simulator. Flag names are canonical: long option without the leading dashes, with
// dashes not underscores ("max-num-seqs", "mamba-ssm-cache-dtype").

/** A flag value as a profile stores it. `null` = explicitly unset (vLLM's "None"). */
export type FlagValue = string | number | boolean | string[] | null;
export type FlagValues = Record<string, FlagValue>;

export type FlagKind =
  | 'bool' // BooleanOptionalAction: --x / --no-x
  | 'store-true' // --x only
  | 'int'
  | 'hr-int' // human-readable int: 1k, 1K, 2M, (max-model-len also 'auto' / -1)
  | 'float'
  | 'string'
  | 'choice'
  | 'list' // nargs='+'
  | 'json'; // JSON string or dotted sub-keys

export interface FlagSpec {
  name: string; // canonical, e.g. "max-num-seqs"
  kind: FlagKind;
  group: string; // vLLM help group: "Frontend", "ModelConfig", "CacheConfig", ...
  help: string;
  default: FlagValue | undefined; // undefined = "derived later / None"
  choices?: string[];
  /** Short aliases as printed by vLLM ("-tp", "-q", "-asc"). */
  aliases?: string[];
  min?: number;
  max?: number;
  /** First vLLM version that has the flag (inclusive), when known. */
  since?: string;
  deprecated?: boolean;
  /** `min` is exclusive (gpu-memory-utilization is (0, 1]). */
  minExclusive?: boolean;
  /** Accepts `None` / "" as "unset" (vLLM's `X | None`). Defaults to `default === undefined || default === null`. */
  nullable?: boolean;
  /** Known values for a free-string flag (UI completion only, never enforced; `choices` is enforced). */
  suggestions?: string[];
}

/** A flag or env var that was removed or renamed, and what to use instead. */
export interface RemovedItem {
  /** "--enable-reasoning" or "env:VLLM_ATTENTION_BACKEND" */
  name: string;
  /** vLLM version that removed (or stopped honouring) it. */
  removedIn: string;
  /** Replacement, human readable ("--reasoning-parser <name>"), or undefined when none. */
  replacement?: string;
  /** Machine-applicable replacement flag, when it is a plain rename. */
  replacementFlag?: string;
  /** Version that started warning about it, when known. */
  deprecatedIn?: string;
  note: string;
}

export type KvCacheDtype = 'auto' | 'bfloat16' | 'fp8' | 'fp8_e4m3' | 'fp8_e5m2' | 'fp8_inc' | 'fp8_ds_mla';

/** One launch profile: the launcher's THROUGHPUT / LOW_LATENCY / LONG_CONTEXT or a user one. */
export interface Profile {
  id: string; // "throughput" | "low-latency" | "long-context" | user-<uuid>
  name: string;
  builtin: boolean;
  description: string;
  model: string; // HF id or local path (the positional model_tag)
  /** Flags other than the model, canonical names. */
  flags: FlagValues;
  /** Extra env vars for the vLLM process (validated names, no shell). */
  env: Record<string, string>;
  /** Raw extra argv appended verbatim (reported by import when not understood). */
  extraArgs: string[];
  /** Free text; import puts what it could not turn into flags/env here (never passed to vLLM). */
  notes?: string;
}

/** A problem found by validation; `field` is the canonical flag name (or "env:NAME", "gpus"). */
export interface FieldIssue {
  field: string;
  severity: 'error' | 'warning';
  kind: 'unknown_flag' | 'removed_flag' | 'bad_type' | 'bad_choice' | 'out_of_range' | 'cross_field' | 'env' | 'security';
  message: string;
  /** "did you mean" candidates or the replacement flag. */
  suggestions?: string[];
}
