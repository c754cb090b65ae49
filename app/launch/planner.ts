// The memory planner: will this model with these flags fit on this GPU, and what will vLLM say?
// Pure and fast (the UI calls it on every keystroke; the simulator uses it to decide its memory
// outcome and to print its KV-cache lines). Facts: ../shared/reference/nemotron.md §4 (the model),
// vllm-runtime.md §7 (failure texts), vllm-cli.md §4.9/§4.14 (defaults).
//
// Two modes:
//  - estimate: KV budget = total × gpu-memory-utilization − weights − overhead (assumptions below);
//  - reported: `availableKvGiB` is vLLM's "Available KV cache memory" line; the planner then
//    predicts "GPU KV cache size" and "Maximum concurrency" exactly as the log prints them.
import type { Remedy } from '../contract/common';
import type { PlanKv, PlanLogLines, PlanMemory, PlanModelInfo, PlanProblem, PlanResult, PlanSettings } from '../contract/planner';
import { canonicalFlagName, getCatalog, versionAtLeast } from './catalog';
import {
  blocksForType,
  blocksPerRequest,
  estimateMaxModelLen,
  type KvLayout,
  kvLayout,
  neededBytes,
  numBlocks,
  reportedTokens,
} from './kv-layout';
import { dtypeBytes, type ModelGeometry } from './model-geometry';
import { GiB, pyFixed, pyThousands } from './planner-format';
import type { FlagValue, FlagValues } from './types';

// ---------------------------------------------------------------------------------------------
// Overhead assumptions (estimate mode). The truth is vLLM's "Available KV cache memory" line.

/** Non-torch memory (CUDA context, NCCL, cuBLAS workspaces): nemotron.md §4.3 "≈ 0.1–1 GiB". */
export const NON_TORCH_GIB = 0.5;
/**
 * CUDA graphs: nemotron.md §4.3 "≈ 0.5–1.5 GiB", 0 with --enforce-eager; vllm-logs 07 (a 4B
 * hybrid) printed "Graph capturing finished in 24 secs, took 1.00 GiB".
 */
export const CUDA_GRAPHS_GIB = 1.0;
/**
 * Batch-size-independent part of the profiling run's activation peak (sampler logits, kernel
 * workspaces). Calibrated so that with the per-token term below the total overhead is 2.5 GiB at
 * 2048 batched tokens and ≈ 3.0 GiB at 8192 for Nemotron-Nano-12B-v2: the overheads
 * nemotron.md §4.4 assumes for its 40/48 GB (2048 default) and 80 GB (8192 default) rows.
 */
export const ACTIVATION_BASE_GIB = 0.824;
/**
 * Per batched token of the profiling run: the hidden state in, the MLP up-projection and its
 * activation output, in the 16-bit model dtype: 2 B × (hidden + 2 × intermediate).
 */
export const activationBytesPerToken = (g: ModelGeometry, tp: number): number => (2 * (g.hiddenSize + 2 * g.intermediateSize)) / tp;
/** ± on the overhead estimate (nemotron.md §4.3: "Budget 2–3 GiB total overhead"). */
export const OVERHEAD_UNCERTAINTY_GIB = 0.5;
/** Free-memory margin below which other processes' fluctuation can tip the startup check. */
export const FREE_MEMORY_MARGIN_GIB = 0.25;
/** nvidia-smi's total is above what CUDA reports (A100-40GB: 40.0 vs 39.4 GiB; H100: 79.6 vs 79.2 GiB; nemotron.md §4.4 "usable"). */
export const NVIDIA_SMI_RESERVED_GIB = 0.5;

/** CUDA-visible GiB from nvidia-smi's memory.total (MiB). */
export function usableGiBFromNvidiaSmi(totalMiB: number): number {
  return Math.max(0, totalMiB / 1024 - NVIDIA_SMI_RESERVED_GIB);
}

// ---------------------------------------------------------------------------------------------
// Inputs

export interface PlannerGpu {
  /** Per-GPU memory as CUDA sees it, GiB; null = unknown (then the verdict is 'unknown' unless KV is reported). */
  memoryGiB: number | null;
  /** Memory other processes hold on it, GiB. */
  usedGiB?: number;
  /** GPUs used (DP × TP). Default: from the flags, else 1. */
  count?: number;
  name?: string | null;
  /** Why memoryGiB is null (no nvidia-smi, unknown index). */
  unknownReason?: string;
  /** Processes holding memory, for "stop process" remedies. */
  processes?: { pid: number; name: string | null; usedGiB: number | null }[];
}

export type PlannerModel = { ok: true; geometry: ModelGeometry } | { ok: false; reason: string };

export interface PlannerInput {
  model: PlannerModel;
  gpu: PlannerGpu;
  flags: FlagValues;
  /** vLLM's "Available KV cache memory: X GiB" (reported mode). */
  availableKvGiB?: number;
  vllmVersion?: string | null;
}

// ---------------------------------------------------------------------------------------------
// Flag reading (tolerant: validation is the catalog's job; the planner must not throw per keystroke)

/** vLLM's human_readable_int: 1k = 1000, 1K = 1024, 2M, 1G, 1T; decimals only with decimal suffixes. */
export function parseHumanInt(v: string): number | null {
  const s = v.trim();
  const m = /^(\d+(?:\.\d+)?)([kKmMgGtT])$/.exec(s);
  if (m) {
    const [, num, suffix] = m as unknown as [string, string, string];
    const dec: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12 };
    const bin: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };
    if (suffix in dec) return Math.trunc(Number(num) * (dec[suffix] as number));
    return /^\d+$/.test(num) ? Number(num) * (bin[suffix] as number) : null;
  }
  return /^-?\d+$/.test(s) ? Number(s) : null;
}

class FlagReader {
  private readonly m = new Map<string, FlagValue>();
  readonly notes: string[] = [];
  constructor(flags: FlagValues) {
    for (const [k, v] of Object.entries(flags)) this.m.set(canonicalFlagName(k), v);
  }
  raw(name: string): FlagValue | undefined {
    return this.m.get(name);
  }
  has(name: string): boolean {
    const v = this.m.get(name);
    return v !== undefined && v !== null && v !== '';
  }
  int(name: string): number | null {
    const v = this.m.get(name);
    if (v === undefined || v === null || v === '') return null;
    const n = typeof v === 'number' ? v : typeof v === 'string' ? parseHumanInt(v) : null;
    if (n === null || !Number.isFinite(n) || !Number.isInteger(n)) {
      this.notes.push(`${name} = ${JSON.stringify(v)} is not an integer: vLLM's default is assumed.`);
      return null;
    }
    return n;
  }
  float(name: string): number | null {
    const v = this.m.get(name);
    if (v === undefined || v === null || v === '') return null;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    if (!Number.isFinite(n)) {
      this.notes.push(`${name} = ${JSON.stringify(v)} is not a number: vLLM's default is assumed.`);
      return null;
    }
    return n;
  }
  bool(name: string): boolean | null {
    const v = this.m.get(name);
    if (v === undefined || v === null) return null;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') {
      const s = v.trim().toLowerCase();
      if (s === '' || s === 'true' || s === '1' || s === 'yes') return true;
      if (s === 'false' || s === '0' || s === 'no') return false;
    }
    if (typeof v === 'number') return v !== 0;
    return null;
  }
  str(name: string): string | null {
    const v = this.m.get(name);
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    if (typeof v === 'number') return String(v);
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation (no remedies): resolve settings, size memory, lay out KV, find failures.

type Sourced<T> = { value: T; source: 'flag' | 'default' | 'model' | 'derived' };

interface Settings {
  g: ModelGeometry;
  version: string | null;
  tp: number;
  dp: number;
  gpuCount: number;
  util: Sourced<number>;
  maxModelLen: Sourced<number>;
  maxLenAuto: boolean;
  maxNumSeqs: Sourced<number>;
  maxNumBatchedTokens: Sourced<number>;
  kvDtype: string;
  kvBytes: number;
  ssmDtype: string | null;
  convDtype: string | null;
  ssmDtypeFromAuto: boolean;
  enforceEager: boolean;
  prefixCaching: boolean;
  blockSizeFlag: number | null;
  kvCacheMemoryBytes: number | null;
  numGpuBlocksOverride: number | null;
  cpuOffloadGiB: number;
  onlineFp8: boolean;
  notes: string[];
}

interface Evaluation {
  settings: Settings;
  memory: PlanMemory | null;
  layout: KvLayout;
  kv: PlanKv;
  logLines: PlanLogLines;
  problems: PlanProblem[];
  assumptions: string[];
  stateConvBytes: number;
  stateSsmBytes: number;
  /** Estimate mode: the KV budget in bytes (or reported/flag), used by remedies. */
  kvAvailBytes: number;
  freeGiB: number | null;
}

const isA100 = (name: string | null | undefined) => /a100/i.test(name ?? '');

function resolveSettings(g: ModelGeometry, gpu: PlannerGpu, flags: FlagValues, version: string | null): Settings {
  const f = new FlagReader(flags);
  const notes = f.notes;
  const tp = Math.max(1, f.int('tensor-parallel-size') ?? 1);
  const dpFlag = f.int('data-parallel-size');
  const gpuCount = Math.max(1, gpu.count ?? (dpFlag ?? 1) * tp);
  const dp = Math.max(1, dpFlag ?? Math.floor(gpuCount / tp));
  if (dp * tp !== gpuCount) notes.push(`data-parallel-size × tensor-parallel-size (${dp} × ${tp}) ≠ ${gpuCount} selected GPU(s).`);

  const catalog = getCatalog(version);
  const utilDefault = catalog.get('gpu-memory-utilization')?.default;
  const utilFlag = f.float('gpu-memory-utilization');
  const util: Sourced<number> =
    utilFlag !== null && utilFlag > 0 && utilFlag <= 1
      ? { value: utilFlag, source: 'flag' }
      : { value: typeof utilDefault === 'number' ? utilDefault : 0.9, source: 'default' };

  // vllm-cli.md §4.14: API-server defaults are larger on ≥ 70 GiB GPUs that are not A100s.
  const bigGpu = (gpu.memoryGiB ?? 0) >= 70 && !isA100(gpu.name);
  const seqsFlag = f.int('max-num-seqs');
  const batchedFlag = f.int('max-num-batched-tokens');
  const maxNumSeqs: Sourced<number> =
    seqsFlag && seqsFlag > 0 ? { value: seqsFlag, source: 'flag' } : { value: bigGpu ? 1024 : 256, source: 'default' };
  const maxNumBatchedTokens: Sourced<number> =
    batchedFlag && batchedFlag > 0 ? { value: batchedFlag, source: 'flag' } : { value: bigGpu ? 8192 : 2048, source: 'default' };

  const lenRaw = f.raw('max-model-len');
  const lenAuto = lenRaw === 'auto' || lenRaw === -1 || lenRaw === '-1';
  const lenFlag = lenAuto ? null : f.int('max-model-len');
  let maxModelLen: Sourced<number>;
  if (lenFlag && lenFlag > 0) maxModelLen = { value: lenFlag, source: 'flag' };
  else if (g.maxPositionEmbeddings) maxModelLen = { value: g.maxPositionEmbeddings, source: 'model' };
  else {
    maxModelLen = { value: 4096, source: 'default' };
    notes.push('The model config has no max_position_embeddings: max-model-len 4096 assumed.');
  }

  const kvDtype = (f.str('kv-cache-dtype') ?? 'auto').toLowerCase();
  let kvBytes = kvDtype === 'auto' ? 2 : dtypeBytes(kvDtype);
  if (kvBytes === null) {
    notes.push(`kv-cache-dtype ${kvDtype} is not known to the planner: 2 bytes per element assumed.`);
    kvBytes = 2;
  }

  let ssmDtype: string | null = null;
  let convDtype: string | null = null;
  let ssmDtypeFromAuto = false;
  if (g.state) {
    const mambaCache = (f.str('mamba-cache-dtype') ?? 'auto').toLowerCase();
    const ssmFlag = (f.str('mamba-ssm-cache-dtype') ?? 'auto').toLowerCase();
    convDtype = mambaCache === 'auto' ? 'bfloat16' : mambaCache;
    if (g.torchDtype === 'float16' && mambaCache === 'auto') convDtype = 'float16';
    if (ssmFlag !== 'auto') ssmDtype = ssmFlag;
    else if (mambaCache !== 'auto') ssmDtype = mambaCache;
    else if (g.modelType === 'nemotron_h') {
      // nemotron.md §2: v0.13 resolved 'auto' to the HF config value or float16; newer code to
      // the HF value or float32. Where the switch happened is unverified: < 0.14 → float16.
      ssmDtypeFromAuto = true;
      ssmDtype = g.configMambaSsmCacheDtype ?? (version && !versionAtLeast(version, '0.14.0') ? 'float16' : 'float32');
    } else ssmDtype = convDtype;
  }

  return {
    g,
    version,
    tp,
    dp,
    gpuCount,
    util,
    maxModelLen,
    maxLenAuto: lenAuto,
    maxNumSeqs,
    maxNumBatchedTokens,
    kvDtype,
    kvBytes,
    ssmDtype,
    convDtype,
    ssmDtypeFromAuto,
    enforceEager: f.bool('enforce-eager') ?? false,
    prefixCaching: f.bool('enable-prefix-caching') ?? false,
    blockSizeFlag: f.int('block-size'),
    kvCacheMemoryBytes: f.int('kv-cache-memory-bytes'),
    numGpuBlocksOverride: f.int('num-gpu-blocks-override'),
    cpuOffloadGiB: Math.max(0, f.float('cpu-offload-gb') ?? 0),
    onlineFp8: ['fp8', 'fbgemm_fp8', 'ptpc_fp8'].includes((f.str('quantization') ?? '').toLowerCase()) && g.quantization === null,
    notes,
  };
}

/** Conv and SSM state bytes per state layer per sequence, per tensor-parallel rank. */
function stateBytes(s: Settings): { conv: number; ssm: number } {
  const st = s.g.state;
  if (!st) return { conv: 0, ssm: 0 };
  const tp = s.tp;
  const convB = dtypeBytes(s.convDtype) ?? 2;
  const ssmB = dtypeBytes(s.ssmDtype) ?? 2;
  let convElems: number;
  let ssmElems: number;
  if (st.variant === 'mamba2') {
    // vLLM shards heads over TP; groups too when divisible, else each rank keeps one group.
    const groups = st.nGroups >= tp && st.nGroups % tp === 0 ? st.nGroups / tp : 1;
    convElems = (st.dInner / tp + 2 * groups * st.dState) * (st.convKernel - 1);
    ssmElems = (st.nHeads / tp) * st.headDim * st.dState;
  } else if (st.variant === 'mamba1') {
    convElems = (st.dInner / tp) * (st.convKernel - 1);
    ssmElems = (st.dInner / tp) * st.dState;
  } else {
    const nk = st.keyHeads ?? st.nGroups;
    const dk = st.keyHeadDim ?? st.dState;
    convElems = ((2 * nk * dk + st.dInner) / tp) * (st.convKernel - 1);
    ssmElems = (st.nHeads / tp) * dk * st.headDim;
  }
  return { conv: convElems * convB, ssm: ssmElems * ssmB };
}

function attentionBytesPerTokenPerLayer(s: Settings): number {
  const g = s.g;
  if (g.mla) return (g.mla.kvLoraRank + g.mla.qkRopeHeadDim) * s.kvBytes;
  const kvHeads = g.numKvHeads >= s.tp ? Math.floor(g.numKvHeads / s.tp) : 1;
  return 2 * kvHeads * g.headDim * s.kvBytes;
}

function weightsGiB(s: Settings): number {
  const g = s.g;
  let bytes = g.weightBytes;
  if (s.onlineFp8) {
    // --quantization fp8 on a 16-bit checkpoint: linear layers to 1 byte, embeddings stay 16-bit.
    const embed = g.vocabSize * g.hiddenSize * (g.tieWordEmbeddings ? 1 : 2);
    const linear = Math.max(0, g.paramCount - embed);
    bytes = bytes * ((linear * 1 + embed * 2) / (g.paramCount * 2));
  }
  return Math.max(0, bytes / s.tp / GiB - s.cpuOffloadGiB);
}

const nice = (len: number): number => (len >= 8192 ? Math.floor(len / 1024) * 1024 : len >= 1024 ? Math.floor(len / 256) * 256 : len);

function pyFloatRepr(x: number): string {
  // Python's repr of a short float ("0.9", "0.95"), which JS String() matches for such values.
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

export const NO_KV_MEMORY_MESSAGE =
  'No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine. See https://docs.vllm.ai/en/latest/configuration/conserving_memory/ for more details.';

export function kvTooSmallMessage(maxModelLen: number, neededGiB: number, availableGiB: number, estimatedMaxLen: number): string {
  const estimated = estimatedMaxLen > 0 ? `Based on the available memory, the estimated maximum model length is ${estimatedMaxLen}.` : '';
  return (
    `To serve at least one request with the model's max seq len (${maxModelLen}), (${pyFixed(neededGiB)} GiB KV cache is needed, ` +
    `which is larger than the available KV cache memory (${pyFixed(availableGiB)} GiB). ${estimated} ` +
    'Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.'
  );
}

export function mambaBlocksMessage(maxNumSeqs: number, blocks: number): string {
  return (
    `max_num_seqs (${maxNumSeqs}) exceeds available Mamba cache blocks (${blocks}). Each decode sequence requires one Mamba cache block, ` +
    `so CUDA graph capture cannot proceed. Please lower max_num_seqs to at most ${blocks} or increase gpu_memory_utilization.`
  );
}

export function freeMemoryMessage(freeGiB: number, totalGiB: number, util: number): string {
  return (
    `Free memory on device cuda:0 (${pyFixed(freeGiB)}/${pyFixed(totalGiB)} GiB) on startup is less than desired GPU memory utilization ` +
    `(${pyFloatRepr(util)}, ${pyFixed(util * totalGiB)} GiB). Decrease GPU memory utilization or reduce GPU memory used by other processes.`
  );
}

/**
 * torch's OOM text in its real shape (vllm-runtime.md §7). The sizes are illustrative: the
 * tensor that fails is taken as the largest one (the embedding), the rest follows from it.
 */
export function cudaOomMessage(g: ModelGeometry, tp: number, totalGiB: number, freeGiB: number, nonTorchGiB: number): string {
  const tried = (g.vocabSize * g.hiddenSize * 2) / tp / GiB;
  const freeAtFailure = Math.min(Math.max(0, freeGiB), tried / 2);
  const inUse = Math.max(0, freeGiB - freeAtFailure);
  const reserved = Math.min(0.02, inUse);
  const allocated = Math.max(0, inUse - nonTorchGiB - reserved);
  return (
    `CUDA out of memory. Tried to allocate ${pyFixed(tried)} GiB. GPU 0 has a total capacity of ${pyFixed(totalGiB)} GiB of which ${pyFixed(freeAtFailure)} GiB is free. ` +
    `Including non-PyTorch memory, this process has ${pyFixed(inUse)} GiB memory in use. Of the allocated memory ${pyFixed(allocated)} GiB is allocated by PyTorch, ` +
    `and ${pyFixed(reserved)} GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting ` +
    'PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)'
  );
}

function evaluate(input: PlannerInput & { model: { ok: true; geometry: ModelGeometry } }): Evaluation {
  const g = input.model.geometry;
  const version = input.vllmVersion ?? null;
  const s = resolveSettings(g, input.gpu, input.flags, version);
  const assumptions: string[] = [...g.notes, ...s.notes];
  const problems: PlanProblem[] = [];

  const a = attentionBytesPerTokenPerLayer(s);
  const st = stateBytes(s);
  const statePage = (st.conv + st.ssm) * (g.stateLayers > 0 ? 1 : 0);
  const mkLayout = (len: number) =>
    kvLayout({
      attentionLayers: g.attentionLayers,
      slidingLayers: g.slidingLayers,
      stateLayers: g.stateLayers,
      attnBytesPerToken: a,
      statePageBytes: statePage,
      blockSizeFlag: s.blockSizeFlag,
      slidingWindow: g.slidingWindow,
      maxNumBatchedTokens: s.maxNumBatchedTokens.value,
      maxModelLen: len,
    });
  let layout = mkLayout(s.maxModelLen.value);

  // Memory (per GPU / per data-parallel rank).
  let memory: PlanMemory | null = null;
  let kvAvailGiB: number;
  let kvSource: PlanMemory['kvAvailableSource'];
  let freeGiB: number | null = null;
  const total = input.gpu.memoryGiB;
  const reported = input.availableKvGiB !== undefined;
  const W = weightsGiB(s);
  const activation = ACTIVATION_BASE_GIB + (s.maxNumBatchedTokens.value * activationBytesPerToken(g, s.tp)) / GiB;
  const graphs = s.enforceEager ? 0 : CUDA_GRAPHS_GIB;
  // vllm-cli.md §12 / a v0.24 log: CUDA-graph memory is counted in KV sizing since v0.21.
  const graphsInBudget = version === null || versionAtLeast(version, '0.21.0');
  const overheadInBudget = activation + NON_TORCH_GIB + (graphsInBudget ? graphs : 0);
  let cudaOom = false;

  if (reported) {
    kvAvailGiB = input.availableKvGiB as number;
    kvSource = 'reported';
  } else if (s.kvCacheMemoryBytes !== null && s.kvCacheMemoryBytes > 0) {
    kvAvailGiB = s.kvCacheMemoryBytes / GiB;
    kvSource = 'flag';
  } else {
    kvAvailGiB = total === null ? Number.NaN : total * s.util.value - W - overheadInBudget;
    kvSource = 'estimate';
  }
  if (total !== null) {
    const used = Math.max(0, input.gpu.usedGiB ?? 0);
    freeGiB = Math.max(0, total - used);
    const budget = total * s.util.value;
    memory = {
      totalGiB: total,
      budgetGiB: budget,
      freeGiB,
      usedByOthersGiB: used,
      weightsGiB: W,
      overhead: {
        activationGiB: activation,
        nonTorchGiB: NON_TORCH_GIB,
        cudaGraphsGiB: graphs,
        cudaGraphsInBudget: graphsInBudget,
        totalGiB: activation + NON_TORCH_GIB + graphs,
      },
      kvAvailableGiB: kvAvailGiB,
      kvAvailableSource: kvSource,
      kvAvailableRangeGiB:
        kvSource === 'estimate' ? { low: kvAvailGiB - OVERHEAD_UNCERTAINTY_GIB, high: kvAvailGiB + OVERHEAD_UNCERTAINTY_GIB } : null,
    };
    if (!reported) {
      // 1. Startup check (before loading): free memory ≥ utilization × total.
      if (freeGiB < budget) {
        const remedies: Remedy[] = [];
        problems.push({
          kind: 'insufficient_free_memory',
          severity: 'error',
          field: 'gpu-memory-utilization',
          message: `Only ${pyFixed(freeGiB)} of ${pyFixed(total)} GiB are free (other processes use ${pyFixed(used)} GiB), but gpu-memory-utilization ${s.util.value} asks for ${pyFixed(budget)} GiB.`,
          vllmMessage: freeMemoryMessage(freeGiB, total, s.util.value),
          remedies,
        });
      } else if (used > 0 && freeGiB - budget < FREE_MEMORY_MARGIN_GIB) {
        problems.push({
          kind: 'insufficient_free_memory',
          severity: 'warning',
          field: 'gpu-memory-utilization',
          message: `Only ${pyFixed(freeGiB - budget)} GiB to spare above gpu-memory-utilization × total: if the other processes grow, vLLM refuses to start.`,
          remedies: [],
        });
      }
      // 2. Weights + profiling peak must fit in what is physically free.
      const loadPeak = W + NON_TORCH_GIB + activation;
      if (loadPeak > freeGiB) {
        cudaOom = true;
        problems.push({
          kind: 'cuda_oom',
          severity: 'error',
          message: `Weights (${pyFixed(W)} GiB) plus the profiling peak (${pyFixed(NON_TORCH_GIB + activation)} GiB) exceed the ${pyFixed(freeGiB)} GiB free on the GPU: CUDA out of memory while loading.`,
          vllmMessage: cudaOomMessage(g, s.tp, total, freeGiB, NON_TORCH_GIB),
          remedies: [],
        });
      } else if (loadPeak + OVERHEAD_UNCERTAINTY_GIB > freeGiB) {
        problems.push({
          kind: 'cuda_oom',
          severity: 'warning',
          message: `Weights plus the profiling peak leave under ${OVERHEAD_UNCERTAINTY_GIB} GiB of the free memory: loading may run out of memory.`,
          remedies: [],
        });
      }
      if (!graphsInBudget && graphs > 0 && !cudaOom && total - budget - (total - freeGiB) < graphs) {
        problems.push({
          kind: 'cuda_oom',
          severity: 'warning',
          message: `vLLM ${version} captures CUDA graphs (~${pyFixed(graphs)} GiB) outside gpu-memory-utilization, and under ${pyFixed(graphs)} GiB is left outside it.`,
          remedies: [],
        });
      }
    }
  } else if (!reported && kvSource !== 'flag') {
    problems.push({
      kind: 'gpu_unknown',
      severity: 'info',
      message: input.gpu.unknownReason ?? 'GPU memory unknown: give the GPU size to get a verdict.',
      remedies: [],
    });
  }

  const kvKnown = Number.isFinite(kvAvailGiB);
  const availBytes = kvKnown ? Math.floor(kvAvailGiB * GiB) : 0;

  // max-model-len auto: vLLM picks the largest length that fits (capped by the model).
  if (s.maxLenAuto && kvKnown) {
    const upTo = g.maxPositionEmbeddings ?? s.maxModelLen.value;
    const fit = estimateMaxModelLen(layout, availBytes, upTo);
    s.maxModelLen = { value: Math.max(1, fit), source: 'derived' };
    layout = mkLayout(s.maxModelLen.value);
    assumptions.push(`max-model-len auto: the largest length that fits the KV cache (${fit}) is assumed.`);
  }
  const L = s.maxModelLen.value;

  let blocks = kvKnown ? numBlocks(layout, availBytes) : 0;
  if (s.numGpuBlocksOverride !== null && s.numGpuBlocksOverride > 0) blocks = s.numGpuBlocksOverride;
  const perReq = blocksPerRequest(layout, L);
  const conc = blocks / perReq;
  const needed = neededBytes(layout, L);
  const fitLen = kvKnown ? estimateMaxModelLen(layout, availBytes, Math.max(L, g.maxPositionEmbeddings ?? L)) : 0;
  const hybrid = g.stateLayers > 0 && g.attentionLayers + g.slidingLayers > 0;

  let range: PlanKv['range'] = null;
  if (reported && kvKnown) {
    // The log prints GiB with 2 decimals: the true bytes lie within ±0.005 GiB of it.
    const lo = numBlocks(layout, Math.max(0, Math.ceil((kvAvailGiB - 0.005) * GiB)));
    const hi = numBlocks(layout, Math.max(0, Math.ceil((kvAvailGiB + 0.005) * GiB) - 1));
    range = {
      kvCacheTokensMin: reportedTokens(layout, lo),
      kvCacheTokensMax: reportedTokens(layout, hi),
      maxConcurrencyMin: lo / perReq,
      maxConcurrencyMax: hi / perReq,
    };
  }

  const kvFailsToStart = !cudaOom && kvKnown && (kvAvailGiB <= 0 || needed > availBytes);
  const mambaBlocksOk = g.stateLayers > 0 && kvKnown ? s.maxNumSeqs.value <= blocks : null;
  const kv: PlanKv = {
    layout: layout.types.length > 1 ? 'hybrid' : 'uniform',
    kvBytesPerToken: (g.attentionLayers + g.slidingLayers) * a,
    attentionBytesPerTokenPerLayer: a,
    stateBytesPerSequence: g.stateLayers * (st.conv + st.ssm),
    stateConvBytesPerLayer: st.conv,
    stateSsmBytesPerLayer: st.ssm,
    blockSize: layout.blockSize,
    pageBytes: layout.pageBytes,
    mambaPaddingPct: layout.mambaPaddingPct,
    groupSize: layout.groupSize,
    groups: layout.types.map((t) => ({
      type: t.type,
      layers: t.layers,
      groups: t.groups,
      paddingLayers: t.paddingLayers,
      blocksPerRequest: blocksForType(layout, t.type, L),
    })),
    numBlocks: blocks,
    kvCacheTokens: reportedTokens(layout, blocks),
    blocksPerRequest: perReq,
    maxConcurrency: conc,
    maxConcurrencyTotal: conc * s.dp,
    maxModelLenThatFits: fitLen,
    neededGiBAtMaxModelLen: needed / GiB,
    mambaBlocksOk,
    range,
  };

  // Log lines vLLM prints (in order), for the simulator and "what will the log say".
  const logLines: PlanLogLines = {};
  if (s.ssmDtypeFromAuto && s.ssmDtype) logLines.mambaSsmDtype = `Updating mamba_ssm_cache_dtype to '${s.ssmDtype}' for NemotronH model`;
  if (hybrid && layout.blockSizeRaised) {
    logLines.blockSize = `Setting attention block size to ${layout.blockSize} tokens to ensure that attention page size is >= mamba page size.`;
  }
  if (hybrid && layout.mambaPaddingPct !== null && layout.mambaPaddingPct > 0) {
    logLines.mambaPadding = `Padding mamba page size by ${pyFixed(layout.mambaPaddingPct)}% to ensure that mamba page size and attention page size are exactly equal.`;
  }
  if (kvKnown && !cudaOom) logLines.availableKv = `Available KV cache memory: ${pyFixed(kvAvailGiB)} GiB`;
  const padded = layout.types.find((t) => t.paddingLayers > 0);
  if (padded && kvKnown && !kvFailsToStart && !cudaOom) {
    logLines.paddingLayers = `Add ${padded.paddingLayers} padding layers, may waste at most ${pyFixed((padded.paddingLayers / padded.layers) * 100)}% KV cache memory`;
  }
  if (kvKnown && !kvFailsToStart && !cudaOom) {
    logLines.kvCacheSize = `GPU KV cache size: ${pyThousands(kv.kvCacheTokens)} tokens`;
    logLines.maxConcurrency = `Maximum concurrency for ${pyThousands(L)} tokens per request: ${pyFixed(conc)}x`;
  }

  // 3–5. KV-cache failures (vLLM's order: no memory, then too small for one request, then Mamba blocks).
  if (!cudaOom && kvKnown) {
    if (kvAvailGiB <= 0) {
      problems.push({
        kind: 'no_kv_cache_memory',
        severity: 'error',
        field: 'gpu-memory-utilization',
        message: `Nothing is left for the KV cache (${pyFixed(kvAvailGiB)} GiB after weights and overhead).`,
        vllmMessage: NO_KV_MEMORY_MESSAGE,
        remedies: [],
      });
    } else if (needed > availBytes) {
      problems.push({
        kind: 'kv_cache_too_small_for_max_model_len',
        severity: 'error',
        field: 'max-model-len',
        message: `One request of max-model-len ${pyThousands(L)} needs ${pyFixed(needed / GiB)} GiB of KV cache; only ${pyFixed(kvAvailGiB)} GiB are available (fits up to ${pyThousands(fitLen)} tokens).`,
        vllmMessage: kvTooSmallMessage(L, needed / GiB, kvAvailGiB, fitLen),
        remedies: [],
      });
    } else if (g.stateLayers > 0 && !s.enforceEager && s.maxNumSeqs.value > blocks) {
      // Every decoding sequence needs a Mamba block. vLLM ≥ ~0.19 (PR #38270) refuses to start with
      // the message below; older versions failed while capturing decode CUDA graphs
      // (`assert num_cache_lines >= batch`, vllm#34094) or, briefly, capped those graphs.
      const newText = version === null || versionAtLeast(version, '0.19.0');
      problems.push({
        kind: 'mamba_cache_blocks_exceeded',
        severity: 'error',
        field: 'max-num-seqs',
        message: newText
          ? `max-num-seqs ${s.maxNumSeqs.value} exceeds the ${blocks} Mamba cache blocks (one per decoding sequence).`
          : `max-num-seqs ${s.maxNumSeqs.value} exceeds the ${blocks} Mamba cache blocks (one per decoding sequence): vLLM ${version} fails while capturing CUDA graphs.`,
        ...(newText ? { vllmMessage: mambaBlocksMessage(s.maxNumSeqs.value, blocks) } : {}),
        remedies: [],
      });
    }
    if (s.maxModelLen.source === 'flag' && g.maxPositionEmbeddings && L > g.maxPositionEmbeddings) {
      problems.push({
        kind: 'max_model_len_exceeds_model',
        severity: 'error',
        field: 'max-model-len',
        message: `max-model-len ${pyThousands(L)} is above the model's ${pyThousands(g.maxPositionEmbeddings)} (max_position_embeddings).`,
        vllmMessage: `User-specified max_model_len (${L}) is greater than the derived max_model_len (max_position_embeddings=${g.maxPositionEmbeddings} or model_max_length=None in model's config.json).`,
        remedies: [],
      });
    }
    // Estimate margin: would the pessimistic overhead tip it over?
    if (kvSource === 'estimate' && problems.every((p) => p.severity !== 'error')) {
      const lowBytes = Math.floor((kvAvailGiB - OVERHEAD_UNCERTAINTY_GIB) * GiB);
      const lowBlocks = numBlocks(layout, lowBytes);
      let why: string | null = null;
      let kind: PlanProblem['kind'] = 'no_kv_cache_memory';
      if (lowBytes <= 0) why = 'the KV cache could end up empty';
      else if (needed > lowBytes) {
        kind = 'kv_cache_too_small_for_max_model_len';
        why = `one request of max-model-len ${pyThousands(L)} might not fit the KV cache`;
      } else if (g.stateLayers > 0 && !s.enforceEager && s.maxNumSeqs.value > lowBlocks) {
        kind = 'mamba_cache_blocks_exceeded';
        why = `max-num-seqs ${s.maxNumSeqs.value} might exceed the Mamba cache blocks (${lowBlocks} at the high overhead estimate)`;
      }
      if (why) {
        problems.push({
          kind,
          severity: 'warning',
          field:
            kind === 'mamba_cache_blocks_exceeded'
              ? 'max-num-seqs'
              : kind === 'kv_cache_too_small_for_max_model_len'
                ? 'max-model-len'
                : 'gpu-memory-utilization',
          message: `Tight: with ${OVERHEAD_UNCERTAINTY_GIB} GiB more overhead than estimated, ${why}.`,
          remedies: [],
        });
      }
    }
    if (!kvFailsToStart && blocks > 0 && conc < s.maxNumSeqs.value && problems.every((p) => p.kind !== 'mamba_cache_blocks_exceeded')) {
      problems.push({
        kind: 'low_concurrency',
        severity: 'info',
        field: 'max-num-seqs',
        message: `${pyFixed(conc)} requests of the full ${pyThousands(L)} tokens fit at once (max-num-seqs ${s.maxNumSeqs.value}); more run only while requests are shorter.`,
        remedies: [],
      });
    }
  }

  // Assumptions that explain the numbers.
  if (kvSource === 'estimate') {
    assumptions.push(
      `Overhead: activation peak ${pyFixed(activation)} GiB (${pyFixed(ACTIVATION_BASE_GIB)} GiB + ${pyThousands(s.maxNumBatchedTokens.value)} batched tokens × ${pyThousands(Math.round(activationBytesPerToken(g, s.tp)))} B), ` +
        `non-torch ${pyFixed(NON_TORCH_GIB)} GiB, CUDA graphs ${pyFixed(graphs)} GiB${graphsInBudget ? '' : ' (outside the budget before vLLM 0.21)'}; ±${OVERHEAD_UNCERTAINTY_GIB} GiB. vLLM's "Available KV cache memory" line is the truth.`,
    );
  }
  assumptions.push(
    g.weightSource === 'estimate'
      ? `Weights estimated from the config: ${pyFixed(g.paramCount / 1e9)} B parameters${g.quantization ? `, ${g.quantization.description}` : ' × 2 bytes'}.`
      : `Weights: ${pyFixed(g.weightBytes / GiB)} GiB from the checkpoint files (${g.weightSource}).`,
  );
  if (s.onlineFp8) assumptions.push('quantization fp8: linear weights quantized to 1 byte at load; embeddings stay 16-bit.');
  if (hybrid && (s.prefixCaching || (new FlagReader(input.flags).str('mamba-cache-mode') ?? 'none') !== 'none')) {
    assumptions.push(
      'Hybrid model with prefix caching: vLLM v0.13 ran NemotronH without it; versions that cache Mamba states (mamba-cache-mode align/all) may align the block size to the Mamba chunk size. Numbers assume mamba-cache-mode none.',
    );
  }
  if (g.stateLayers > 0) {
    assumptions.push(
      `Mamba state dtypes: conv ${s.convDtype}, SSM ${s.ssmDtype}${s.ssmDtypeFromAuto ? " (vLLM's default for 'auto' in this version)" : ''}.`,
    );
  }
  if (s.tp > 1) assumptions.push(`Tensor parallel ${s.tp}: weights, KV heads and Mamba heads are split per GPU.`);

  return {
    settings: s,
    memory,
    layout,
    kv,
    logLines,
    problems,
    assumptions,
    stateConvBytes: st.conv,
    stateSsmBytes: st.ssm,
    kvAvailBytes: availBytes,
    freeGiB,
  };
}

// ---------------------------------------------------------------------------------------------
// Remedies: each one is checked by planning again with the change applied.

type Errors = Set<PlanProblem['kind']>;
const errorsOf = (e: Evaluation): Errors => new Set(e.problems.filter((p) => p.severity === 'error').map((p) => p.kind));

function withFlags(input: PlannerInput, patch: FlagValues): PlannerInput {
  return { ...input, flags: { ...input.flags, ...patch } };
}

function addRemedies(input: PlannerInput & { model: { ok: true; geometry: ModelGeometry } }, ev: Evaluation): void {
  const s = ev.settings;
  const before = errorsOf(ev);
  const total = input.gpu.memoryGiB;
  const reported = input.availableKvGiB !== undefined;
  /** Does applying `patch` remove `kind` without adding another error? */
  const fixes = (kind: PlanProblem['kind'], patch: FlagValues, gpu?: Partial<PlannerGpu>): boolean => {
    const next = evaluate({ ...withFlags(input, patch), gpu: { ...input.gpu, ...gpu }, model: input.model });
    const after = errorsOf(next);
    if (after.has(kind)) return false;
    for (const k of after) if (!before.has(k)) return false;
    return true;
  };
  const setFlag = (label: string, flag: string, value: string | number | boolean): Remedy => ({
    label,
    action: { type: 'set-flag', flag, value },
  });
  const fp8Kv = setFlag('Use fp8 KV cache (kv-cache-dtype fp8_e5m2)', 'kv-cache-dtype', 'fp8_e5m2');
  const canRaiseUtil = total !== null && s.util.value < 0.95 && (ev.freeGiB ?? 0) >= 0.95 * total;
  const raiseUtil = setFlag('Raise gpu-memory-utilization to 0.95', 'gpu-memory-utilization', 0.95);
  const tp2 = setFlag('Add a GPU: split the model over 2 GPUs (tensor-parallel-size 2)', 'tensor-parallel-size', 2);
  const fp8Weights = setFlag('Quantize the weights to fp8 on load (quantization fp8)', 'quantization', 'fp8');
  // With an estimated KV budget, fixes aim at the pessimistic end so that they do not land on "tight".
  const estimate = ev.memory?.kvAvailableSource === 'estimate';
  const safeBytes = estimate ? Math.floor(ev.kvAvailBytes - OVERHEAD_UNCERTAINTY_GIB * GiB) : ev.kvAvailBytes;

  for (const p of ev.problems) {
    const r = p.remedies;
    const severe = p.severity !== 'info';
    switch (p.kind) {
      case 'insufficient_free_memory': {
        if (total !== null && ev.freeGiB !== null) {
          const u = Math.floor(((ev.freeGiB - 0.05) / total) * 100) / 100;
          if (u > 0.05 && u < s.util.value && fixes('insufficient_free_memory', { 'gpu-memory-utilization': u })) {
            r.push(setFlag(`Lower gpu-memory-utilization to ${u}`, 'gpu-memory-utilization', u));
          }
        }
        const procs = [...(input.gpu.processes ?? [])]
          .filter((x) => (x.usedGiB ?? 0) > 0)
          .sort((x, y) => (y.usedGiB ?? 0) - (x.usedGiB ?? 0));
        for (const proc of procs.slice(0, 3)) {
          r.push({
            label: `Stop process ${proc.pid}${proc.name ? ` (${proc.name})` : ''}, which holds ${pyFixed(proc.usedGiB ?? 0)} GiB`,
            action: { type: 'kill-process', pid: proc.pid },
          });
        }
        if (procs.length === 0 && severe) r.push({ label: 'Free the GPU: stop the other processes using it (see nvidia-smi)' });
        break;
      }
      case 'cuda_oom': {
        if (s.onlineFp8 === false && input.model.geometry.quantization === null && fixes('cuda_oom', { quantization: 'fp8' }))
          r.push(fp8Weights);
        if (s.tp === 1 && fixes('cuda_oom', { 'tensor-parallel-size': 2 }, { count: Math.max(2, s.gpuCount) })) r.push(tp2);
        if (total !== null && ev.memory && ev.freeGiB !== null) {
          // The smallest whole-GiB offload that makes the start succeed (not just the load).
          const over = ev.memory.weightsGiB + ev.memory.overhead.nonTorchGiB + ev.memory.overhead.activationGiB - ev.freeGiB;
          for (let gb = Math.max(1, Math.ceil(over + OVERHEAD_UNCERTAINTY_GIB)); gb <= Math.ceil(ev.memory.weightsGiB); gb++) {
            const value = s.cpuOffloadGiB + gb;
            if (fixes('cuda_oom', { 'cpu-offload-gb': value })) {
              r.push(setFlag(`Offload ${gb} GiB of weights to CPU memory (cpu-offload-gb ${value}; slower)`, 'cpu-offload-gb', value));
              break;
            }
          }
        }
        break;
      }
      case 'no_kv_cache_memory': {
        if (!reported && canRaiseUtil && fixes(p.kind, { 'gpu-memory-utilization': 0.95 })) r.push(raiseUtil);
        if (reported && s.util.value < 0.95) r.push(raiseUtil);
        if (!reported && s.maxNumBatchedTokens.value > 2048 && fixes(p.kind, { 'max-num-batched-tokens': 2048 })) {
          r.push(setFlag('Lower max-num-batched-tokens to 2048', 'max-num-batched-tokens', 2048));
        }
        if (!reported && !s.enforceEager && fixes(p.kind, { 'enforce-eager': true })) {
          r.push(setFlag('Disable CUDA graphs (enforce-eager; slower decoding)', 'enforce-eager', true));
        }
        if (!reported && !s.onlineFp8 && input.model.geometry.quantization === null && fixes(p.kind, { quantization: 'fp8' }))
          r.push(fp8Weights);
        if (!reported && s.tp === 1 && fixes(p.kind, { 'tensor-parallel-size': 2 }, { count: Math.max(2, s.gpuCount) })) r.push(tp2);
        break;
      }
      case 'kv_cache_too_small_for_max_model_len': {
        const upTo = Math.max(s.maxModelLen.value, input.model.geometry.maxPositionEmbeddings ?? 0);
        const len = nice(estimate ? estimateMaxModelLen(ev.layout, safeBytes, upTo) : ev.kv.maxModelLenThatFits);
        if (len >= 1) r.push(setFlag(`Set max-model-len ≤ ${len}`, 'max-model-len', len));
        // The KV budget does not depend on the KV dtype, so this check also holds in reported mode.
        if (s.kvBytes > 1 && fixes(p.kind, { 'kv-cache-dtype': 'fp8_e5m2' })) r.push(fp8Kv);
        if (!reported && canRaiseUtil && fixes(p.kind, { 'gpu-memory-utilization': 0.95 })) r.push(raiseUtil);
        break;
      }
      case 'mamba_cache_blocks_exceeded': {
        // vLLM's "at most N" is exact; an estimate leaves room for the high overhead assumption.
        const target = estimate ? numBlocks(ev.layout, safeBytes) : ev.kv.numBlocks;
        if (target >= 1) r.push(setFlag(`Lower max-num-seqs to ${target}`, 'max-num-seqs', target));
        if (!reported && canRaiseUtil && fixes(p.kind, { 'gpu-memory-utilization': 0.95 })) r.push(raiseUtil);
        if (p.severity === 'error') r.push(setFlag('Disable CUDA graphs (enforce-eager; slower decoding)', 'enforce-eager', true));
        break;
      }
      case 'max_model_len_exceeds_model': {
        const max = input.model.geometry.maxPositionEmbeddings;
        if (max) r.push(setFlag(`Set max-model-len to ${max} (the model's limit)`, 'max-model-len', max));
        break;
      }
      case 'low_concurrency': {
        if (s.kvBytes > 1 && s.g.attentionLayers > 0) r.push(fp8Kv);
        r.push({ label: 'Add a GPU (another data-parallel replica doubles the concurrent requests)' });
        break;
      }
      default:
        break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Public API

function modelInfo(g: ModelGeometry): PlanModelInfo {
  return {
    id: g.modelId,
    source: g.source,
    ...(g.configPath ? { configPath: g.configPath } : {}),
    architecture: g.architecture,
    kind: g.kind,
    numLayers: g.numLayers,
    attentionLayers: g.attentionLayers,
    slidingLayers: g.slidingLayers,
    stateLayers: g.stateLayers,
    hiddenSize: g.hiddenSize,
    numKvHeads: g.numKvHeads,
    headDim: g.headDim,
    vocabSize: g.vocabSize,
    maxPositionEmbeddings: g.maxPositionEmbeddings,
    torchDtype: g.torchDtype,
    quantization: g.quantization?.description ?? null,
    paramCount: g.paramCount,
    weightSource: g.weightSource,
  };
}

function settingsOut(s: Settings, gpu: PlannerGpu): PlanSettings {
  return {
    gpuMemoryGiB: gpu.memoryGiB,
    usedByOthersGiB: gpu.usedGiB ?? 0,
    gpuCount: s.gpuCount,
    gpuName: gpu.name ?? null,
    tensorParallelSize: s.tp,
    dataParallelSize: s.dp,
    gpuMemoryUtilization: s.util,
    maxModelLen: s.maxModelLen,
    maxNumSeqs: s.maxNumSeqs,
    maxNumBatchedTokens: s.maxNumBatchedTokens,
    kvCacheDtype: s.kvDtype,
    kvCacheBytes: s.kvBytes,
    mambaSsmCacheDtype: s.ssmDtype,
    mambaConvCacheDtype: s.convDtype,
    enforceEager: s.enforceEager,
    enablePrefixCaching: s.prefixCaching,
    vllmVersion: s.version,
  };
}

const severityRank = { error: 0, warning: 1, info: 2 } as const;

/** Plans memory for one model + flags on one GPU type. Never throws for bad input: the result says why. */
export function plan(input: PlannerInput): PlanResult {
  if (!input.model.ok) {
    return {
      status: 'unavailable',
      reason: input.model.reason,
      verdict: 'unknown',
      summary: `Estimate unavailable: ${input.model.reason}`,
      model: null,
      settings: null,
      memory: null,
      kv: null,
      logLines: {},
      problems: [{ kind: 'estimate_unavailable', severity: 'info', message: input.model.reason, remedies: [] }],
      remedies: [],
      assumptions: [],
    };
  }
  const modelInput = input as PlannerInput & { model: { ok: true; geometry: ModelGeometry } };
  const ev = evaluate(modelInput);
  addRemedies(modelInput, ev);
  const problems = [...ev.problems].sort((x, y) => severityRank[x.severity] - severityRank[y.severity]);
  const remedies: Remedy[] = [];
  const seen = new Set<string>();
  for (const p of problems) {
    for (const r of p.remedies) {
      if (seen.has(r.label)) continue;
      seen.add(r.label);
      remedies.push(r);
    }
  }
  const kvKnown = ev.memory !== null || input.availableKvGiB !== undefined || ev.settings.kvCacheMemoryBytes !== null;
  let verdict: PlanResult['verdict'];
  if (problems.some((p) => p.severity === 'error')) verdict = 'will-fail';
  else if (!kvKnown) verdict = 'unknown';
  else if (problems.some((p) => p.severity === 'warning')) verdict = 'tight';
  else verdict = 'fits';
  const kv = ev.kv;
  const L = ev.settings.maxModelLen.value;
  let summary: string;
  if (verdict === 'unknown') summary = problems.find((p) => p.kind === 'gpu_unknown')?.message ?? 'GPU memory unknown.';
  else if (verdict === 'will-fail' || verdict === 'tight')
    summary = `${verdict === 'tight' ? 'Tight' : 'Will fail'}: ${problems[0]?.message ?? ''}`;
  else {
    summary =
      `Fits: ${pyThousands(kv.kvCacheTokens)} KV tokens; ${pyFixed(kv.maxConcurrency)} requests of ${pyThousands(L)} tokens at once` +
      `${ev.settings.dp > 1 ? ` per GPU (${pyFixed(kv.maxConcurrencyTotal)} on ${ev.settings.dp})` : ''} (max-num-seqs ${ev.settings.maxNumSeqs.value}).`;
  }
  return {
    status: 'ok',
    verdict,
    summary,
    model: modelInfo(input.model.geometry),
    settings: settingsOut(ev.settings, input.gpu),
    memory: ev.memory,
    kv,
    logLines: ev.logLines,
    problems,
    remedies,
    assumptions: [...new Set(ev.assumptions)],
  };
}

/**
 * Reported mode, for the simulator and for checking a real start: given vLLM's "Available KV
 * cache memory" (GiB), the two lines it prints next, exactly ("GPU KV cache size: 208,320
 * tokens", "Maximum concurrency for 8,192 tokens per request: 98.20x"). Lines are absent when
 * vLLM would fail instead (no KV memory, max-model-len too long).
 */
export function predictKvLines(
  geometry: ModelGeometry,
  flags: FlagValues,
  availableKvGiB: number,
  vllmVersion?: string | null,
): { kvCacheSizeLine?: string; maxConcurrencyLine?: string; kvCacheTokens: number; maxConcurrency: number; result: PlanResult } {
  const result = plan({ model: { ok: true, geometry }, gpu: { memoryGiB: null }, flags, availableKvGiB, vllmVersion: vllmVersion ?? null });
  return {
    ...(result.logLines.kvCacheSize ? { kvCacheSizeLine: result.logLines.kvCacheSize } : {}),
    ...(result.logLines.maxConcurrency ? { maxConcurrencyLine: result.logLines.maxConcurrency } : {}),
    kvCacheTokens: result.kv?.kvCacheTokens ?? 0,
    maxConcurrency: result.kv?.maxConcurrency ?? 0,
    result,
  };
}
