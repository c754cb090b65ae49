// The simulated start's memory outcome, decided by the panel's own planner (app/launch/planner.ts)
// for the simulated GPU — so a plan that says "will fail" fails here in the same way, with the
// planner's predicted vLLM text. The planner also supplies the exact KV-cache log lines.
//
// Geometry: the model's config.json from a local folder or the Hugging Face cache, or the built-in
// Nemotron-Nano-12B-v2 config (app/launch/model-config.ts). A model the panel cannot find gets a
// stand-in dense config sized from its name ("…-0.6B", "…-8B"; 8B when the name has no size), so
// any model id can be "served" — a real vLLM would download the real config instead.

import type { PlanResult } from '../app/contract/planner';
import { loadModelConfig } from '../app/launch/model-config';
import { geometryFromConfig, type ModelGeometry } from '../app/launch/model-geometry';
import { plan } from '../app/launch/planner';
import type { FlagValues } from '../app/launch/types';
import type { SimGpu } from './gpu';

export type SimFailureKind =
  | 'insufficient_free_memory'
  | 'cuda_oom'
  | 'no_kv_cache_memory'
  | 'kv_cache_too_small_for_max_model_len'
  | 'mamba_cache_blocks_exceeded';

export interface SimMemoryPlan {
  architecture: string;
  modelType: string;
  hybrid: boolean;
  maxPositionEmbeddings: number | null;
  maxModelLen: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  gpuMemoryUtilization: number;
  totalGiB: number;
  /** Weights on one GPU ("Model loading took X GiB memory"). */
  weightsGiB: number;
  availableKvGiB: number;
  numGpuBlocks: number;
  blockSize: number;
  /** Pool blocks one request takes per `blockSize` tokens (attention-like groups). */
  attnGroups: number;
  /** Pool blocks one running request holds regardless of length (Mamba groups). */
  stateBlocksPerSeq: number;
  kvCacheTokens: number;
  maxConcurrency: number;
  cudaGraphsGiB: number;
  enforceEager: boolean;
  prefixCaching: boolean;
  kvCacheDtype: string;
  mambaSsmCacheDtype: string | null;
  logLines: PlanResult['logLines'];
  /** The first failure in vLLM's order of checks, with vLLM's exception text. */
  failure: { kind: SimFailureKind; message: string } | null;
  /** Cost-model inputs. */
  activeParams: number;
  kvBytesPerToken: number;
  stateBytesPerSeq: number;
  /** Safetensors shards for the loading bar (~5 GB each, as HF checkpoints are split). */
  shards: number;
  /** Where the geometry came from (logged nowhere, kept for tests and README). */
  geometrySource: string;
}

const FAILURE_ORDER: SimFailureKind[] = [
  'insufficient_free_memory',
  'cuda_oom',
  'no_kv_cache_memory',
  'kv_cache_too_small_for_max_model_len',
  'mamba_cache_blocks_exceeded',
];

/** Dense stand-in configs by parameter count (shapes of the Qwen3 family: 0.6B, 1.7B, 4B, 8B, 14B, 32B; Llama-3 70B). */
const STANDIN: { params: number; cfg: Record<string, number> }[] = [
  {
    params: 0.6e9,
    cfg: {
      hidden_size: 1024,
      num_hidden_layers: 28,
      num_attention_heads: 16,
      num_key_value_heads: 8,
      head_dim: 128,
      intermediate_size: 3072,
    },
  },
  {
    params: 1.7e9,
    cfg: {
      hidden_size: 2048,
      num_hidden_layers: 28,
      num_attention_heads: 16,
      num_key_value_heads: 8,
      head_dim: 128,
      intermediate_size: 6144,
    },
  },
  {
    params: 4e9,
    cfg: {
      hidden_size: 2560,
      num_hidden_layers: 36,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      head_dim: 128,
      intermediate_size: 9728,
    },
  },
  {
    params: 8e9,
    cfg: {
      hidden_size: 4096,
      num_hidden_layers: 36,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      head_dim: 128,
      intermediate_size: 12288,
    },
  },
  {
    params: 14e9,
    cfg: {
      hidden_size: 5120,
      num_hidden_layers: 40,
      num_attention_heads: 40,
      num_key_value_heads: 8,
      head_dim: 128,
      intermediate_size: 17408,
    },
  },
  {
    params: 32e9,
    cfg: {
      hidden_size: 5120,
      num_hidden_layers: 64,
      num_attention_heads: 64,
      num_key_value_heads: 8,
      head_dim: 128,
      intermediate_size: 25600,
    },
  },
  {
    params: 70e9,
    cfg: {
      hidden_size: 8192,
      num_hidden_layers: 80,
      num_attention_heads: 64,
      num_key_value_heads: 8,
      head_dim: 128,
      intermediate_size: 28672,
    },
  },
];

function architectureFromName(model: string): string {
  const n = model.toLowerCase();
  if (n.includes('qwen3')) return 'Qwen3ForCausalLM';
  if (n.includes('qwen2') || n.includes('qwen')) return 'Qwen2ForCausalLM';
  if (n.includes('mistral')) return 'MistralForCausalLM';
  if (n.includes('gemma')) return 'Gemma2ForCausalLM';
  if (n.includes('phi')) return 'Phi3ForCausalLM';
  return 'LlamaForCausalLM';
}

/** A dense config.json for a model the panel has no config for, sized from "<n>B" in its name. */
export function standInConfig(model: string): Record<string, unknown> {
  const m = /(\d+(?:\.\d+)?)\s*[bB](?![a-zA-Z])/.exec(model.split('/').pop() ?? model);
  const want = m ? Number(m[1]) * 1e9 : 8e9;
  const best = STANDIN.reduce((a, b) => (Math.abs(Math.log(b.params / want)) < Math.abs(Math.log(a.params / want)) ? b : a));
  const arch = architectureFromName(model);
  return {
    architectures: [arch],
    model_type: arch.replace(/ForCausalLM$/, '').toLowerCase(),
    ...best.cfg,
    vocab_size: arch.startsWith('Qwen') ? 151936 : 128256,
    max_position_embeddings: arch === 'Qwen3ForCausalLM' ? 40960 : 32768,
    tie_word_embeddings: best.params < 2e9,
    torch_dtype: 'bfloat16',
    hidden_act: 'silu',
  };
}

export async function loadGeometry(model: string, env: NodeJS.ProcessEnv): Promise<ModelGeometry> {
  const r = await loadModelConfig(model, { env });
  if (r.ok) return r.geometry;
  const g = geometryFromConfig(standInConfig(model), { modelId: model, source: 'builtin' });
  if (!g.ok) throw new Error(`stand-in config invalid: ${g.reason}`);
  g.geometry.notes.push(`No config.json found for ${model} (${r.reason}); the simulator uses a stand-in dense config.`);
  return g.geometry;
}

export interface PlanInput {
  geometry: ModelGeometry;
  /** GPUs of this data-parallel rank (TP group). */
  gpus: SimGpu[];
  flags: FlagValues;
  version: string;
}

export function simPlan(input: PlanInput): SimMemoryPlan {
  const g = input.geometry;
  const gpu = input.gpus[0]!;
  const usedGiB = Math.max(...input.gpus.map((x) => x.usedGiB));
  const tp = input.gpus.length;
  const flags: FlagValues = { ...input.flags, 'tensor-parallel-size': tp, 'data-parallel-size': 1 };
  const r = plan({
    model: { ok: true, geometry: g },
    gpu: { memoryGiB: gpu.totalGiB, usedGiB, count: tp, name: gpu.name },
    flags,
    vllmVersion: input.version,
  });
  if (r.status !== 'ok' || !r.kv || !r.settings || !r.memory) throw new Error(`planner gave no plan: ${r.reason ?? r.summary}`);
  const kv = r.kv;
  const errors = r.problems.filter((p) => p.severity === 'error');
  let failure: SimMemoryPlan['failure'] = null;
  for (const kind of FAILURE_ORDER) {
    const p = errors.find((e) => e.kind === kind);
    if (p) {
      failure = { kind, message: p.vllmMessage ?? p.message };
      break;
    }
  }
  const attnGroups = kv.groups.filter((x) => x.type !== 'state').reduce((s, x) => s + x.groups, 0);
  const stateBlocksPerSeq = kv.groups.filter((x) => x.type === 'state').reduce((s, x) => s + x.groups, 0);
  const explicitPrefix = input.flags['enable-prefix-caching'];
  return {
    architecture: g.architecture,
    modelType: g.modelType,
    hybrid: g.kind === 'hybrid',
    maxPositionEmbeddings: g.maxPositionEmbeddings,
    maxModelLen: r.settings.maxModelLen.value,
    maxNumSeqs: r.settings.maxNumSeqs.value,
    maxNumBatchedTokens: r.settings.maxNumBatchedTokens.value,
    gpuMemoryUtilization: r.settings.gpuMemoryUtilization.value,
    totalGiB: gpu.totalGiB,
    weightsGiB: r.memory.weightsGiB,
    availableKvGiB: r.memory.kvAvailableGiB,
    numGpuBlocks: kv.numBlocks,
    blockSize: kv.blockSize,
    attnGroups: Math.max(1, attnGroups),
    stateBlocksPerSeq,
    kvCacheTokens: kv.kvCacheTokens,
    maxConcurrency: kv.maxConcurrency,
    cudaGraphsGiB: r.memory.overhead.cudaGraphsGiB,
    enforceEager: r.settings.enforceEager,
    // vLLM decides when the flag is absent: on for dense models, off for hybrids (vllm-logs 07: NemotronH ran with enable_prefix_caching=False).
    prefixCaching: typeof explicitPrefix === 'boolean' ? explicitPrefix : g.kind !== 'hybrid',
    kvCacheDtype: r.settings.kvCacheDtype,
    mambaSsmCacheDtype: r.settings.mambaSsmCacheDtype,
    logLines: r.logLines,
    failure,
    activeParams: g.paramCount,
    kvBytesPerToken: kv.kvBytesPerToken,
    stateBytesPerSeq: kv.stateBytesPerSequence,
    shards: Math.max(1, Math.ceil(g.weightBytes / 5e9)),
    geometrySource: g.source,
  };
}
