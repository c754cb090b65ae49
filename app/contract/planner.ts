// Contract of the memory planner (app/launch/planner.ts): will this model + profile fit on these
// GPUs, with vLLM's own numbers (KV cache tokens, maximum concurrency) and concrete fixes.
import { z } from 'zod';
import { Remedy } from './common';

const MAX_TEXT = 16_384;

/** Flag values as profiles store them (canonical names, e.g. "max-num-seqs"). */
const PlanFlagValue = z.union([z.string().max(MAX_TEXT), z.number(), z.boolean(), z.array(z.string().max(MAX_TEXT)).max(256), z.null()]);

export const PlanVerdict = z.enum(['fits', 'tight', 'will-fail', 'unknown']);
export type PlanVerdict = z.infer<typeof PlanVerdict>;

/**
 * Failure kinds match the crash-diagnosis names (server module), so a plan's warning and a
 * failed start's diagnosis speak the same words.
 */
export const PlanProblemKind = z.enum([
  'cuda_oom',
  'insufficient_free_memory',
  'kv_cache_too_small_for_max_model_len',
  'no_kv_cache_memory',
  'mamba_cache_blocks_exceeded',
  'max_model_len_exceeds_model',
  /** Not a failure: fewer full-length requests fit at once than max-num-seqs allows. */
  'low_concurrency',
  'estimate_unavailable',
  'gpu_unknown',
]);
export type PlanProblemKind = z.infer<typeof PlanProblemKind>;

export const PlanProblem = z.object({
  kind: PlanProblemKind,
  /** error: vLLM will refuse to start; warning: it may (estimate margin); info: it starts, but note this. */
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  /** The flag the problem is about, when there is one. */
  field: z.string().optional(),
  /** The text vLLM prints for this failure (its exception message), when the planner can predict it. */
  vllmMessage: z.string().optional(),
  remedies: z.array(Remedy),
});
export type PlanProblem = z.infer<typeof PlanProblem>;

/** GPU memory for the plan: explicit numbers, or nvidia-smi indices the core looks up. */
export const PlanGpuInput = z.union([
  z
    .object({
      /** Per-GPU memory as CUDA sees it, GiB (a little below nvidia-smi's total, see usableGiB). */
      memoryGiB: z.number().positive().max(4096),
      /** Memory other processes already hold on the GPU, GiB. */
      usedGiB: z.number().nonnegative().max(4096).optional(),
      /** Number of GPUs (data-parallel ranks × tensor-parallel size). Default 1. */
      count: z.number().int().positive().max(1024).optional(),
      /** GPU name (vLLM's defaults differ for A100 vs other ≥70 GiB GPUs). */
      name: z.string().max(200).optional(),
    })
    .strict(),
  z.object({ indices: z.array(z.number().int().nonnegative().max(1023)).min(1).max(1024) }).strict(),
]);
export type PlanGpuInput = z.infer<typeof PlanGpuInput>;

export const PlanRequest = z
  .object({
    /** HF id or local folder (the positional model of `vllm serve`). */
    model: z.string().min(1).max(4096),
    gpu: PlanGpuInput,
    flags: z.record(z.string().max(200), PlanFlagValue).default({}),
    /** vLLM's "Available KV cache memory: X GiB": predict the next log lines exactly from it. */
    availableKvGiB: z.number().min(-4096).max(4096).optional(),
    /** Installed vLLM version (defaults and behaviours differ); newest known when absent. */
    vllmVersion: z.string().max(100).optional(),
    /** Overrides $HF_HOME for finding the model in the Hugging Face cache. */
    hfHome: z.string().max(4096).optional(),
  })
  .strict();
export type PlanRequest = z.input<typeof PlanRequest>;

const Sourced = <T extends z.ZodTypeAny>(v: T) => z.object({ value: v, source: z.enum(['flag', 'default', 'model', 'derived']) });

export const PlanModelInfo = z.object({
  id: z.string(),
  source: z.enum(['builtin', 'local', 'hf-cache']),
  configPath: z.string().optional(),
  architecture: z.string(),
  kind: z.enum(['dense', 'hybrid']),
  numLayers: z.number().int(),
  attentionLayers: z.number().int(),
  slidingLayers: z.number().int(),
  stateLayers: z.number().int(),
  hiddenSize: z.number().int(),
  numKvHeads: z.number().int(),
  headDim: z.number().int(),
  vocabSize: z.number().int(),
  maxPositionEmbeddings: z.number().int().nullable(),
  torchDtype: z.string(),
  quantization: z.string().nullable(),
  paramCount: z.number(),
  weightSource: z.enum(['safetensors-index', 'safetensors-size', 'estimate']),
});

export const PlanSettings = z.object({
  /** Null when unknown (no GPU given, nvidia-smi missing). */
  gpuMemoryGiB: z.number().nullable(),
  usedByOthersGiB: z.number(),
  gpuCount: z.number().int(),
  gpuName: z.string().nullable(),
  tensorParallelSize: z.number().int(),
  dataParallelSize: z.number().int(),
  gpuMemoryUtilization: Sourced(z.number()),
  maxModelLen: Sourced(z.number().int()),
  maxNumSeqs: Sourced(z.number().int()),
  maxNumBatchedTokens: Sourced(z.number().int()),
  kvCacheDtype: z.string(),
  kvCacheBytes: z.number(),
  mambaSsmCacheDtype: z.string().nullable(),
  mambaConvCacheDtype: z.string().nullable(),
  enforceEager: z.boolean(),
  enablePrefixCaching: z.boolean(),
  vllmVersion: z.string().nullable(),
});

export const PlanMemory = z.object({
  /** Per GPU, GiB. */
  totalGiB: z.number(),
  /** gpu-memory-utilization × total: what this vLLM instance may use. */
  budgetGiB: z.number(),
  freeGiB: z.number(),
  usedByOthersGiB: z.number(),
  weightsGiB: z.number(),
  overhead: z.object({
    activationGiB: z.number(),
    nonTorchGiB: z.number(),
    cudaGraphsGiB: z.number(),
    /** False for vLLM < 0.21: CUDA graphs were captured after sizing the KV cache (outside the budget). */
    cudaGraphsInBudget: z.boolean(),
    totalGiB: z.number(),
  }),
  kvAvailableGiB: z.number(),
  kvAvailableSource: z.enum(['estimate', 'reported', 'flag']),
  /** Estimate only: the KV budget with the overhead's low/high assumption. */
  kvAvailableRangeGiB: z.object({ low: z.number(), high: z.number() }).nullable(),
});

export const PlanKvGroup = z.object({
  type: z.enum(['attention', 'sliding', 'state']),
  layers: z.number().int(),
  groups: z.number().int(),
  paddingLayers: z.number().int(),
  /** Blocks one request of max-model-len needs in each group of this type. */
  blocksPerRequest: z.number().int(),
});

export const PlanKv = z.object({
  layout: z.enum(['uniform', 'hybrid']),
  /** K+V bytes per token over all attention layers (the only layers whose cache grows with length). */
  kvBytesPerToken: z.number(),
  attentionBytesPerTokenPerLayer: z.number(),
  /** Mamba/linear-attention state per sequence (conv + SSM, all state layers, unpadded). */
  stateBytesPerSequence: z.number(),
  stateConvBytesPerLayer: z.number(),
  stateSsmBytesPerLayer: z.number(),
  /** vLLM's tokens per KV block (raised for hybrid models so an attention page ≥ a Mamba page). */
  blockSize: z.number().int(),
  pageBytes: z.number(),
  /** Mamba page padding, percent (hybrid only). */
  mambaPaddingPct: z.number().nullable(),
  groupSize: z.number().int(),
  groups: z.array(PlanKvGroup),
  numBlocks: z.number().int(),
  /** "GPU KV cache size: N tokens" as vLLM reports it. */
  kvCacheTokens: z.number().int(),
  blocksPerRequest: z.number().int(),
  /** "Maximum concurrency for L tokens per request: X" (per data-parallel rank). */
  maxConcurrency: z.number(),
  /** Across all data-parallel ranks. */
  maxConcurrencyTotal: z.number(),
  /** Largest max-model-len whose KV cache fits (vLLM's "estimated maximum model length"). */
  maxModelLenThatFits: z.number().int(),
  /** KV cache one request of max-model-len needs (vLLM's check, per layer), GiB. */
  neededGiBAtMaxModelLen: z.number(),
  /** Hybrid: does max-num-seqs fit the Mamba cache blocks (one per decoding sequence)? null for dense. */
  mambaBlocksOk: z.boolean().nullable(),
  /** With availableKvGiB: the values every KV size that prints as that GiB value could give. */
  range: z
    .object({
      kvCacheTokensMin: z.number().int(),
      kvCacheTokensMax: z.number().int(),
      maxConcurrencyMin: z.number(),
      maxConcurrencyMax: z.number(),
    })
    .nullable(),
});

/** vLLM log lines the plan predicts, verbatim (message part, without the prefix and logger fields). */
export const PlanLogLines = z.object({
  mambaSsmDtype: z.string().optional(),
  blockSize: z.string().optional(),
  mambaPadding: z.string().optional(),
  availableKv: z.string().optional(),
  paddingLayers: z.string().optional(),
  kvCacheSize: z.string().optional(),
  maxConcurrency: z.string().optional(),
});

export const PlanResult = z.object({
  /** 'unavailable': the model's config could not be read ("estimate unavailable"), see reason. */
  status: z.enum(['ok', 'unavailable']),
  reason: z.string().optional(),
  verdict: PlanVerdict,
  /** One line for a chip or a CLI summary. */
  summary: z.string(),
  model: PlanModelInfo.nullable(),
  settings: PlanSettings.nullable(),
  memory: PlanMemory.nullable(),
  kv: PlanKv.nullable(),
  logLines: PlanLogLines,
  problems: z.array(PlanProblem),
  /** All problems' remedies, most useful first, without duplicates. */
  remedies: z.array(Remedy),
  /** What the numbers assume (overhead model, version behaviour), for a "why?" tooltip. */
  assumptions: z.array(z.string()),
});
export type PlanResult = z.infer<typeof PlanResult>;
export type PlanKv = z.infer<typeof PlanKv>;
export type PlanMemory = z.infer<typeof PlanMemory>;
export type PlanSettings = z.infer<typeof PlanSettings>;
export type PlanModelInfo = z.infer<typeof PlanModelInfo>;
export type PlanLogLines = z.infer<typeof PlanLogLines>;

export const plannerCommands = {
  /** Plans memory for a model + flags on a GPU (or the GPUs at these nvidia-smi indices). Fast: called per keystroke. */
  'plan:compute': { req: PlanRequest, res: PlanResult },
} as const;
export const plannerEvents = {} as const;
