// The emulated vLLM version (VLLM_SIM_VERSION) and every detail of the simulator that depends on
// it. Each switch cites where the difference was seen (../shared/reference/*.md, vllm-logs/*).
// Boundaries the reference does not pin down are marked "guess" and chosen conservatively.

export const DEFAULT_SIM_VERSION = '0.14.0';

export interface VersionTraits {
  /** Full version string as printed ("0.14.0"). */
  version: string;
  major: number;
  minor: number;
  patch: number;
  /** Engine-core log prefix name for DP rank n: `EngineCore_DP0` (v0.10–0.14 logs) or `EngineCore` (0.19.1, 0.24.0). */
  engineCoreName: (dpRank: number) => string;
  /** ≥0.15.1 print the ASCII logo banner instead of the "vLLM API server version" line (third-party logs of 0.15.1 … 0.26). */
  banner: boolean;
  /** Source file of the banner / non-default-args lines: utils.py (≤0.22), api_utils.py (0.23+ logs). */
  apiUtilsFile: string;
  /** Field name(s) reasoning text is returned in (nemotron.md §3: reasoning_content → both → reasoning). */
  reasoningFields: ('reasoning' | 'reasoning_content')[];
  /** "Asynchronous scheduling is enabled." is logged by the 0.14 logs, not by 0.13 (vllm-logs 01/07). */
  asyncSchedulingLine: boolean;
  /** Top-level usage subcommands (vllm-logs 11 vs 12). */
  subcommands: string[];
  /** Error body shape: `{"error": {...}}` (newer) vs flat `{"object": "error", ...}` (≤0.10). */
  nestedErrorBody: boolean;
  /** 0.14 raises VLLMValidationError with a "(parameter=…, value=…)" suffix; 0.13 a plain ValueError (vllm-runtime.md §3). */
  validationErrorClass: 'VLLMValidationError' | 'ValueError';
  /** Line numbers of a few log call sites, as printed by the real release (never matched on). */
  lines: Record<string, number>;
  /** gpu_memory_utilization default: 0.9 (≤0.24), 0.92 (0.25+, vllm-cli.md §4.9). */
  defaultGpuMemoryUtilization: number;
  /** "Estimated CUDA graph memory" line (≥0.19, vllm-runtime.md §2 row 17). */
  estimatesCudaGraphMemory: boolean;
}

export function parseVersion(v: string): { major: number; minor: number; patch: number } | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/** Compare two versions by major.minor.patch: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a) ?? { major: 0, minor: 0, patch: 0 };
  const pb = parseVersion(b) ?? { major: 0, minor: 0, patch: 0 };
  return pa.major - pb.major || pa.minor - pb.minor || pa.patch - pb.patch;
}

// Call-site line numbers from the real logs: 0.13.0 (vllm-logs 07–10) and 0.14.0rc1 (01, 04, 06).
const LINES_013: Record<string, number> = {
  api_server_version: 1354,
  utils_args: 253,
  model_arch: 514,
  model_len: 1661,
  cache_fp8: 205,
  scheduler_chunked: 230,
  config_mamba_dtype: 506,
  config_cascade: 312,
  config_block: 439,
  config_pad: 463,
  vllm_async: 645,
  vllm_nccl: 640,
  core_init: 93,
  parallel_world: 1203,
  parallel_rank: 1411,
  runner_start: 3562,
  cuda_backend: 351,
  loader_took: 308,
  runner_took: 3659,
  backends_cache_dir: 643,
  backends_dynamo: 703,
  backends_cache_graph: 261,
  backends_compile: 278,
  backends_direct: 226,
  monitor: 34,
  worker_kv: 375,
  kv_padding: 1033,
  kv_size: 1291,
  kv_conc: 1296,
  runner_graphs: 4587,
  core_ready: 259,
  core_failed: 866,
  api_tasks: 1102,
  model_gen_cfg: 1487,
  serving_responses: 201,
  serving_chat: 137,
  serving_completion: 77,
  api_starting: 1428,
  launcher_routes: 38,
  launcher_route: 46,
  loggers: 248,
  core_client_died: 610,
  multiproc_parent: 707,
  multiproc_shutdown: 751,
  multiproc_exception: 839,
  multiproc_reduce: 880,
  serving_chat_error: 331,
  launcher_shutdown: 103,
  banner: 325,
  chat_utils: 590,
};
const LINES_014: Record<string, number> = {
  ...LINES_013,
  api_server_version: 1278,
  utils_args: 254,
  model_arch: 528,
  model_len: 1543,
  cache_fp8: 206,
  scheduler_chunked: 231,
  core_init: 97,
  parallel_world: 1214,
  parallel_rank: 1425,
  runner_start: 3789,
  loader_took: 291,
  runner_took: 3886,
  backends_cache_dir: 644,
  backends_dynamo: 704,
  worker_kv: 358,
  kv_size: 1305,
  kv_conc: 1310,
  runner_graphs: 4837,
  core_ready: 273,
  core_failed: 935,
  api_tasks: 1020,
  model_gen_cfg: 1356,
  serving_responses: 224,
  serving_chat: 146,
  serving_completion: 78,
  api_starting: 1352,
  loggers: 257,
  chat_utils: 599,
};

export function versionTraits(raw: string | undefined): VersionTraits {
  const version = (raw ?? '').trim() || DEFAULT_SIM_VERSION;
  const p = parseVersion(version);
  if (!p) throw new Error(`VLLM_SIM_VERSION must look like 0.14.0 (got '${version}')`);
  const at = (v: string) => compareVersions(version, v) >= 0;
  return {
    version,
    ...p,
    engineCoreName: at('0.19.0') ? () => 'EngineCore' : (dp) => `EngineCore_DP${dp}`,
    banner: at('0.15.1'),
    apiUtilsFile: at('0.23.0') ? 'api_utils.py' : 'utils.py',
    // PR #27752 (Nov 2025, first in 0.12 – guess) added `reasoning` beside `reasoning_content`;
    // PR #33402 (Jan 2026, 0.16 – guess) removed `reasoning_content`.
    reasoningFields: at('0.16.0') ? ['reasoning'] : at('0.12.0') ? ['reasoning', 'reasoning_content'] : ['reasoning_content'],
    asyncSchedulingLine: at('0.14.0'),
    // `launch` appears in "newer" images (vllm-logs 12); the first such release is not known – guess 0.20.
    subcommands: at('0.20.0')
      ? ['chat', 'complete', 'serve', 'launch', 'bench', 'collect-env', 'run-batch']
      : ['chat', 'complete', 'serve', 'bench', 'collect-env', 'run-batch'],
    // ErrorResponse gained the nested `error` object around 0.11 (guess).
    nestedErrorBody: at('0.11.0'),
    validationErrorClass: at('0.14.0') ? 'VLLMValidationError' : 'ValueError',
    lines: at('0.14.0') ? LINES_014 : LINES_013,
    defaultGpuMemoryUtilization: at('0.25.0') ? 0.92 : 0.9,
    estimatesCudaGraphMemory: at('0.19.0'),
  };
}
