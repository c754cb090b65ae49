// What the memory planner needs to know about a model, derived from its Hugging Face config.json.
// Pure module (no Node imports): the simulator uses it too. Loading from disk is model-config.ts.
//
// Layer kinds follow vLLM's KV-cache specs: full attention layers hold K/V per token; sliding-
// window layers hold at most a window; Mamba-2 / Mamba-1 / gated-delta-net ("linear attention")
// layers hold a fixed recurrent state per sequence; MLP / MoE layers hold nothing.
import { z } from 'zod';

export type LayerKind = 'attention' | 'sliding' | 'mamba' | 'mlp' | 'moe' | 'other';

/** Recurrent-state geometry (elements per layer, before dtype), for Mamba-1/2 and gated delta-net. */
export interface StateGeometry {
  variant: 'mamba2' | 'mamba1' | 'gdn';
  /** Mamba-2: heads × head_dim; Mamba-1: expand × hidden; GDN: value heads × value head dim. */
  dInner: number;
  nHeads: number;
  headDim: number;
  dState: number;
  nGroups: number;
  convKernel: number;
  expand: number;
  /** Mamba-2 SSD chunk size (vLLM aligns the block size to it when it caches Mamba prefixes). */
  chunkSize: number | null;
  /** GDN only: key heads and head dims. */
  keyHeads?: number;
  keyHeadDim?: number;
}

export interface QuantizationInfo {
  method: string;
  /** Bytes per parameter of quantized linear weights (scales included, roughly); null = unknown method. */
  linearBytes: number | null;
  /** Human description, e.g. "fp8 (compressed-tensors, 8-bit float)". */
  description: string;
}

export interface ModelGeometry {
  /** The id or path the user gave. */
  modelId: string;
  source: 'builtin' | 'local' | 'hf-cache';
  /** config.json that was read (absent for the built-in one). */
  configPath?: string;
  architecture: string;
  modelType: string;
  kind: 'dense' | 'hybrid';
  numLayers: number;
  /** Per layer, in order. */
  layers: LayerKind[];
  attentionLayers: number;
  slidingLayers: number;
  stateLayers: number;
  hiddenSize: number;
  intermediateSize: number;
  numAttentionHeads: number;
  numKvHeads: number;
  headDim: number;
  /** MLA (DeepSeek-style latent attention): K/V stored as one latent vector per token. */
  mla: { kvLoraRank: number; qkRopeHeadDim: number } | null;
  slidingWindow: number | null;
  vocabSize: number;
  maxPositionEmbeddings: number | null;
  tieWordEmbeddings: boolean;
  /** Checkpoint dtype (torch_dtype / dtype); the runtime dtype vLLM picks with --dtype auto. */
  torchDtype: 'bfloat16' | 'float16' | 'float32';
  quantization: QuantizationInfo | null;
  state: StateGeometry | null;
  /** HF config's own mamba_ssm_cache_dtype, which vLLM prefers over its default for 'auto'. */
  configMambaSsmCacheDtype: string | null;
  paramCount: number;
  weightBytes: number;
  weightSource: 'safetensors-index' | 'safetensors-size' | 'estimate';
  /** What the geometry could not be sure about. */
  notes: string[];
}

const PosInt = z.number().int().positive();
const NonNegInt = z.number().int().nonnegative();
const OptPosInt = PosInt.nullable().optional();

/**
 * The config.json keys the planner reads. Every key optional (models differ), types checked, and
 * unknown keys kept (passthrough) so nested text configs and new fields survive.
 */
export const HfConfigSchema = z
  .object({
    architectures: z.array(z.string()).nullable().optional(),
    model_type: z.string().optional(),
    num_hidden_layers: OptPosInt,
    n_layer: OptPosInt,
    hidden_size: OptPosInt,
    d_model: OptPosInt,
    intermediate_size: OptPosInt,
    moe_intermediate_size: OptPosInt,
    shared_expert_intermediate_size: OptPosInt,
    num_attention_heads: OptPosInt,
    num_key_value_heads: OptPosInt,
    head_dim: OptPosInt,
    attention_head_dim: OptPosInt,
    kv_channels: OptPosInt,
    vocab_size: OptPosInt,
    max_position_embeddings: OptPosInt,
    tie_word_embeddings: z.boolean().nullable().optional(),
    torch_dtype: z.string().nullable().optional(),
    dtype: z.string().nullable().optional(),
    hidden_act: z.string().nullable().optional(),
    mlp_hidden_act: z.string().nullable().optional(),
    hybrid_override_pattern: z.string().nullable().optional(),
    layers_block_type: z.array(z.string()).nullable().optional(),
    layer_types: z.array(z.string()).nullable().optional(),
    attn_layer_period: OptPosInt,
    attn_layer_offset: NonNegInt.nullable().optional(),
    sliding_window: PosInt.nullable().optional(),
    mamba_num_heads: OptPosInt,
    mamba_n_heads: OptPosInt,
    mamba_head_dim: OptPosInt,
    mamba_d_head: OptPosInt,
    ssm_state_size: OptPosInt,
    mamba_d_state: OptPosInt,
    state_size: OptPosInt,
    n_groups: OptPosInt,
    mamba_n_groups: OptPosInt,
    conv_kernel: OptPosInt,
    mamba_d_conv: OptPosInt,
    expand: z.number().positive().nullable().optional(),
    mamba_expand: z.number().positive().nullable().optional(),
    chunk_size: OptPosInt,
    mamba_chunk_size: OptPosInt,
    mamba_ssm_cache_dtype: z.string().nullable().optional(),
    linear_num_value_heads: OptPosInt,
    linear_num_key_heads: OptPosInt,
    linear_key_head_dim: OptPosInt,
    linear_value_head_dim: OptPosInt,
    linear_conv_kernel_dim: OptPosInt,
    num_experts: NonNegInt.nullable().optional(),
    num_local_experts: NonNegInt.nullable().optional(),
    n_routed_experts: NonNegInt.nullable().optional(),
    n_shared_experts: NonNegInt.nullable().optional(),
    kv_lora_rank: OptPosInt,
    qk_rope_head_dim: OptPosInt,
    quantization_config: z.record(z.string(), z.unknown()).nullable().optional(),
    text_config: z.record(z.string(), z.unknown()).nullable().optional(),
    llm_config: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .passthrough();
export type HfConfig = z.infer<typeof HfConfigSchema>;

/** Extra facts from next to config.json. */
export interface WeightFacts {
  /** `metadata.total_size` of model.safetensors.index.json (bytes of all stored tensors). */
  indexTotalSize?: number;
  /** Size of a single model.safetensors (no index). */
  singleFileSize?: number;
}

export type GeometryResult = { ok: true; geometry: ModelGeometry } | { ok: false; reason: string };

/** Bytes per element of a dtype name as HF configs and vLLM flags spell them. */
export function dtypeBytes(name: string | null | undefined): number | null {
  switch ((name ?? '').toLowerCase().replace(/^torch\./, '')) {
    case 'bfloat16':
    case 'bf16':
    case 'float16':
    case 'fp16':
    case 'half':
      return 2;
    case 'float32':
    case 'fp32':
    case 'float':
      return 4;
    case 'fp8':
    case 'fp8_e4m3':
    case 'fp8_e5m2':
    case 'fp8_inc':
    case 'fp8_ds_mla':
    case 'float8_e4m3fn':
    case 'float8_e5m2':
      return 1;
    default:
      return null;
  }
}

function normaliseDtype(name: string | null | undefined): ModelGeometry['torchDtype'] {
  const n = (name ?? '').toLowerCase().replace(/^torch\./, '');
  if (n === 'float16' || n === 'fp16' || n === 'half') return 'float16';
  if (n === 'float32' || n === 'fp32' || n === 'float') return 'float32';
  return 'bfloat16';
}

function first<T>(...xs: (T | null | undefined)[]): T | undefined {
  for (const x of xs) if (x !== undefined && x !== null) return x;
  return undefined;
}

/** Nemotron-H `hybrid_override_pattern`: M = Mamba-2, * = attention, - = MLP, E = MoE. */
function layersFromPattern(pattern: string): LayerKind[] | string {
  const out: LayerKind[] = [];
  for (const ch of pattern) {
    if (ch === 'M') out.push('mamba');
    else if (ch === '*') out.push('attention');
    else if (ch === '-') out.push('mlp');
    else if (ch === 'E') out.push('moe');
    else return `hybrid_override_pattern has an unknown layer symbol '${ch}'`;
  }
  return out;
}

/** `layers_block_type` / `layer_types` entries as different model families spell them. */
function layerKindFromName(name: string): LayerKind {
  const n = name.toLowerCase();
  if (n === 'attention' || n === 'full_attention' || n === 'attn' || n === 'global' || n === 'full') return 'attention';
  if (n === 'sliding_attention' || n === 'sliding' || n === 'local' || n === 'local_attention') return 'sliding';
  if (n === 'mamba' || n === 'mamba2' || n === 'm' || n === 'linear_attention' || n === 'ssm') return 'mamba';
  if (n === 'mlp' || n === 'ffn' || n === 'dense') return 'mlp';
  if (n === 'moe') return 'moe';
  return 'other';
}

/** Bytes per quantized linear-weight parameter for the quantization methods vLLM loads. */
export function quantizationInfo(q: Record<string, unknown> | null | undefined): QuantizationInfo | null {
  if (!q) return null;
  const method = String(q.quant_method ?? q.quant_algo ?? 'unknown').toLowerCase();
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);
  // 4-bit group-quantized formats carry one 16-bit scale (+ zero) per group of 128: ~ +0.03 B/param.
  const groupScale = 4 / 128;
  switch (method) {
    case 'fp8':
    case 'fbgemm_fp8':
    case 'ptpc_fp8':
      return { method, linearBytes: 1, description: `${method} (8-bit float weights)` };
    case 'modelopt': {
      const algo = String(q.quant_algo ?? (q.quantization as Record<string, unknown> | undefined)?.quant_algo ?? '').toUpperCase();
      if (algo.includes('FP4'))
        return { method, linearBytes: 0.5 + 1 / 16, description: `modelopt ${algo} (4-bit float, 1 scale byte per 16)` };
      return { method, linearBytes: 1, description: `modelopt ${algo || 'FP8'} (8-bit float weights)` };
    }
    case 'compressed-tensors': {
      const groups = q.config_groups as Record<string, { weights?: { num_bits?: unknown } }> | undefined;
      const bits = groups
        ? Object.values(groups)
            .map((g) => num(g?.weights?.num_bits))
            .find((b) => b !== null)
        : null;
      if (bits) {
        return { method, linearBytes: bits / 8 + (bits < 8 ? groupScale : 0), description: `compressed-tensors ${bits}-bit weights` };
      }
      return { method, linearBytes: null, description: 'compressed-tensors (bit width not found)' };
    }
    case 'awq':
    case 'gptq':
    case 'awq_marlin':
    case 'gptq_marlin':
    case 'auto-round':
    case 'hqq': {
      const bits = num(q.bits) ?? num(q.w_bit) ?? num(q.nbits) ?? 4;
      return { method, linearBytes: bits / 8 + groupScale, description: `${method} ${bits}-bit weights` };
    }
    case 'bitsandbytes':
      if (q.load_in_4bit === true) return { method, linearBytes: 0.5 + groupScale, description: 'bitsandbytes 4-bit' };
      return { method, linearBytes: 1, description: 'bitsandbytes 8-bit' };
    case 'mxfp4':
      return { method, linearBytes: 0.5 + 1 / 32, description: 'mxfp4 (4-bit float, 1 scale byte per 32)' };
    case 'gguf':
      return { method, linearBytes: null, description: 'gguf (bit width varies per tensor)' };
    default:
      return { method, linearBytes: null, description: `${method} (unknown to the planner)` };
  }
}

/** The text model's config of a multimodal checkpoint (text_config / llm_config) merged over the top level. */
function effectiveConfig(raw: HfConfig): HfConfig | string {
  const nested = raw.text_config ?? raw.llm_config;
  if (!nested) return raw;
  const parsed = HfConfigSchema.safeParse(nested);
  if (!parsed.success) return `config.json text_config: ${formatIssue(parsed.error.issues)}`;
  const merged: Record<string, unknown> = { ...raw };
  for (const [k, v] of Object.entries(parsed.data)) if (v !== undefined && v !== null) merged[k] = v;
  // The top-level architectures name the multimodal wrapper, which is what vLLM resolves.
  if (raw.architectures) merged.architectures = raw.architectures;
  return merged as HfConfig;
}

export function formatIssue(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const i = issues[0];
  if (!i) return 'invalid';
  return i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message;
}

/**
 * ModelGeometry from a raw config.json object. `raw` is validated here (unknown input).
 * Errors are values: `{ ok: false, reason }` with the field named.
 */
export function geometryFromConfig(
  raw: unknown,
  meta: { modelId: string; source: ModelGeometry['source']; configPath?: string },
  weights: WeightFacts = {},
): GeometryResult {
  const parsed = HfConfigSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `config.json is not valid: ${formatIssue(parsed.error.issues)}` };
  const cfg = effectiveConfig(parsed.data);
  if (typeof cfg === 'string') return { ok: false, reason: cfg };
  const notes: string[] = [];

  const modelType = cfg.model_type ?? 'unknown';
  const architecture = cfg.architectures?.[0] ?? modelType;
  const hidden = first(cfg.hidden_size, cfg.d_model);
  const vocab = cfg.vocab_size;
  if (!hidden) return { ok: false, reason: 'config.json has no hidden_size' };
  if (!vocab) return { ok: false, reason: 'config.json has no vocab_size' };

  // Layer list: explicit per-layer types first, then the Nemotron-H pattern, then Jamba's period.
  let layers: LayerKind[] | undefined;
  if (cfg.hybrid_override_pattern) {
    const l = layersFromPattern(cfg.hybrid_override_pattern);
    if (typeof l === 'string') return { ok: false, reason: l };
    layers = l;
  } else if (cfg.layers_block_type?.length) {
    layers = cfg.layers_block_type.map(layerKindFromName);
  } else if (cfg.layer_types?.length) {
    layers = cfg.layer_types.map(layerKindFromName);
  }
  const numLayersCfg = first(cfg.num_hidden_layers, cfg.n_layer);
  if (!layers) {
    if (!numLayersCfg) return { ok: false, reason: 'config.json has no num_hidden_layers' };
    if (cfg.attn_layer_period) {
      const period = cfg.attn_layer_period;
      const offset = cfg.attn_layer_offset ?? 0;
      layers = Array.from({ length: numLayersCfg }, (_, i) => (i % period === offset ? 'attention' : 'mamba'));
    } else {
      layers = Array.from({ length: numLayersCfg }, () => 'attention' as LayerKind);
    }
  } else if (numLayersCfg && numLayersCfg !== layers.length) {
    notes.push(`num_hidden_layers (${numLayersCfg}) differs from the layer pattern's length (${layers.length}); the pattern is used.`);
  }
  const unknownLayers = layers.filter((l) => l === 'other').length;
  if (unknownLayers > 0) notes.push(`${unknownLayers} layer(s) of a type the planner does not know were counted as holding no cache.`);
  // Layer types that vLLM runs without any KV (MLP-only) mean "attention+MLP in one layer" for dense configs.
  const nemotronStyle = cfg.hybrid_override_pattern != null || layers.some((l) => l === 'mlp' || l === 'moe');

  const numHeads = cfg.num_attention_heads;
  if (!numHeads) return { ok: false, reason: 'config.json has no num_attention_heads' };
  const numKvHeads = cfg.num_key_value_heads ?? numHeads;
  const headDim = first(cfg.head_dim, cfg.attention_head_dim, cfg.kv_channels) ?? Math.floor(hidden / numHeads);
  const intermediate = cfg.intermediate_size ?? 4 * hidden;
  const mla = cfg.kv_lora_rank ? { kvLoraRank: cfg.kv_lora_rank, qkRopeHeadDim: cfg.qk_rope_head_dim ?? 64 } : null;

  let attentionLayers = layers.filter((l) => l === 'attention').length;
  let slidingLayers = layers.filter((l) => l === 'sliding').length;
  const stateLayers = layers.filter((l) => l === 'mamba').length;
  const slidingWindow = cfg.sliding_window ?? null;
  if (slidingLayers > 0 && !slidingWindow) {
    notes.push('Sliding-window layers without sliding_window in config.json are counted as full attention.');
    attentionLayers += slidingLayers;
    slidingLayers = 0;
  }

  // Recurrent state geometry.
  let state: StateGeometry | null = null;
  if (stateLayers > 0) {
    const gdn = cfg.linear_num_value_heads != null || cfg.layer_types?.some((t) => t === 'linear_attention');
    const convKernel = first(cfg.linear_conv_kernel_dim, cfg.conv_kernel, cfg.mamba_d_conv) ?? 4;
    const chunkSize = first(cfg.chunk_size, cfg.mamba_chunk_size) ?? null;
    if (gdn) {
      const nv = cfg.linear_num_value_heads;
      const nk = cfg.linear_num_key_heads ?? nv;
      const dk = cfg.linear_key_head_dim;
      const dv = cfg.linear_value_head_dim ?? dk;
      if (!nv || !nk || !dk || !dv)
        return { ok: false, reason: 'config.json: linear-attention layers need linear_num_value_heads and linear_key_head_dim' };
      state = {
        variant: 'gdn',
        dInner: nv * dv,
        nHeads: nv,
        headDim: dv,
        dState: dk,
        nGroups: nk,
        convKernel,
        expand: 1,
        chunkSize,
        keyHeads: nk,
        keyHeadDim: dk,
      };
    } else {
      const nHeads = first(cfg.mamba_num_heads, cfg.mamba_n_heads);
      const mHeadDim = first(cfg.mamba_head_dim, cfg.mamba_d_head);
      const dState = first(cfg.ssm_state_size, cfg.mamba_d_state, cfg.state_size);
      const expand = first(cfg.expand, cfg.mamba_expand) ?? 2;
      const nGroups = first(cfg.n_groups, cfg.mamba_n_groups) ?? 1;
      if (!dState) return { ok: false, reason: 'config.json: Mamba layers but no ssm_state_size / mamba_d_state' };
      if (nHeads && mHeadDim) {
        state = { variant: 'mamba2', dInner: nHeads * mHeadDim, nHeads, headDim: mHeadDim, dState, nGroups, convKernel, expand, chunkSize };
      } else {
        // Mamba-1 (Jamba, falcon-mamba): state is (d_inner × d_state), d_inner = expand × hidden.
        const dInner = Math.round(expand * hidden);
        state = { variant: 'mamba1', dInner, nHeads: 1, headDim: dInner, dState, nGroups: 1, convKernel, expand, chunkSize };
      }
    }
  }
  const kind: ModelGeometry['kind'] = stateLayers > 0 ? 'hybrid' : 'dense';
  if (attentionLayers + slidingLayers === 0 && stateLayers === 0) {
    return { ok: false, reason: 'config.json describes no attention or Mamba layers' };
  }

  // Parameter count (weights estimate when no safetensors index is at hand).
  const gatedMlp = !/relu2|squared_relu/.test(String(cfg.mlp_hidden_act ?? cfg.hidden_act ?? '').toLowerCase());
  const mlpMatrices = gatedMlp ? 3 : 2;
  const experts = first(cfg.num_experts, cfg.num_local_experts, cfg.n_routed_experts) ?? 0;
  const moeInter = cfg.moe_intermediate_size ?? intermediate;
  const sharedInter = cfg.shared_expert_intermediate_size ?? (cfg.n_shared_experts ? cfg.n_shared_experts * moeInter : 0);
  const mlpParams = mlpMatrices * hidden * intermediate;
  const moeParams =
    experts > 0 ? experts * mlpMatrices * hidden * moeInter + mlpMatrices * hidden * sharedInter + hidden * experts : mlpParams;
  const attnParams = mla
    ? // MLA: compressed KV projection + up-projections; approximate as q/o full plus the latent path.
      2 * hidden * numHeads * headDim + hidden * (mla.kvLoraRank + mla.qkRopeHeadDim) + mla.kvLoraRank * numHeads * headDim * 2
    : hidden * numHeads * headDim + 2 * hidden * numKvHeads * headDim + numHeads * headDim * hidden;
  let stateParams = 0;
  if (state) {
    const s = state;
    if (s.variant === 'mamba2') {
      const convDim = s.dInner + 2 * s.nGroups * s.dState;
      stateParams =
        hidden * (2 * s.dInner + 2 * s.nGroups * s.dState + s.nHeads) +
        convDim * (s.convKernel + 1) +
        s.dInner * hidden +
        s.dInner +
        3 * s.nHeads;
    } else if (s.variant === 'mamba1') {
      const dtRank = Math.ceil(hidden / 16);
      stateParams =
        hidden * 2 * s.dInner +
        s.dInner * (s.convKernel + 1) +
        s.dInner * (dtRank + 2 * s.dState) +
        dtRank * s.dInner +
        s.dInner * s.dState +
        s.dInner * hidden;
    } else {
      const nk = s.keyHeads ?? s.nGroups;
      const dk = s.keyHeadDim ?? s.dState;
      const convDim = 2 * nk * dk + s.dInner;
      stateParams = hidden * (2 * nk * dk + 2 * s.dInner + 2 * s.nHeads) + convDim * s.convKernel + s.dInner * hidden;
    }
  }
  let layerParams = 0;
  for (const l of layers) {
    const mixer = l === 'attention' || l === 'sliding' ? attnParams : l === 'mamba' ? stateParams : 0;
    let ffn = 0;
    if (nemotronStyle) ffn = l === 'mlp' ? mlpParams : l === 'moe' ? moeParams : 0;
    else ffn = experts > 0 ? moeParams : mlpParams;
    layerParams += mixer + ffn + 2 * hidden; // + two RMSNorm weight vectors
  }
  const tie = cfg.tie_word_embeddings ?? false;
  const embedParams = vocab * hidden * (tie ? 1 : 2);
  const paramCount = layerParams + embedParams + hidden;

  const torchDtype = normaliseDtype(cfg.torch_dtype ?? cfg.dtype);
  // vLLM --dtype auto runs 16-bit checkpoints as they are and fp32 checkpoints in 16-bit too.
  const baseBytes = 2;
  if (torchDtype === 'float32') notes.push('float32 checkpoint: vLLM runs it in 16-bit with --dtype auto; weights counted at 2 bytes.');
  const quantization = quantizationInfo(cfg.quantization_config);
  let estimate: number;
  if (quantization && quantization.linearBytes !== null) {
    estimate =
      (layerParams - layers.length * 2 * hidden) * quantization.linearBytes +
      (embedParams + layers.length * 2 * hidden + hidden) * baseBytes;
  } else {
    if (quantization) notes.push(`Quantization ${quantization.description}: weights estimated at ${baseBytes} bytes/param (upper bound).`);
    estimate = paramCount * baseBytes;
  }
  let weightBytes = estimate;
  let weightSource: ModelGeometry['weightSource'] = 'estimate';
  if (weights.indexTotalSize && weights.indexTotalSize > 0) {
    weightBytes = weights.indexTotalSize;
    weightSource = 'safetensors-index';
    // An fp32 checkpoint stores 4 bytes/param but vLLM loads it in 16-bit.
    if (torchDtype === 'float32' && !quantization) weightBytes = weightBytes / 2;
  } else if (weights.singleFileSize && weights.singleFileSize > 0) {
    weightBytes = weights.singleFileSize;
    weightSource = 'safetensors-size';
    if (torchDtype === 'float32' && !quantization) weightBytes = weightBytes / 2;
  }
  if (cfg.sliding_window && slidingLayers === 0 && attentionLayers > 0 && cfg.layer_types == null && /mistral/i.test(modelType)) {
    notes.push('sliding_window is set but layer_types is not: all layers are counted as full attention (an over-estimate of KV need).');
  }

  return {
    ok: true,
    geometry: {
      modelId: meta.modelId,
      source: meta.source,
      ...(meta.configPath ? { configPath: meta.configPath } : {}),
      architecture,
      modelType,
      kind,
      numLayers: layers.length,
      layers,
      attentionLayers,
      slidingLayers,
      stateLayers,
      hiddenSize: hidden,
      intermediateSize: intermediate,
      numAttentionHeads: numHeads,
      numKvHeads,
      headDim,
      mla,
      slidingWindow: slidingLayers > 0 ? slidingWindow : null,
      vocabSize: vocab,
      maxPositionEmbeddings: cfg.max_position_embeddings ?? null,
      tieWordEmbeddings: tie,
      torchDtype,
      quantization,
      state,
      configMambaSsmCacheDtype: cfg.mamba_ssm_cache_dtype ?? null,
      paramCount,
      weightBytes,
      weightSource,
      notes,
    },
  };
}

// -------------------------------------------------------------------------------------------
// Built-in config for the default model, so planning works before the download.

export const NEMOTRON_NANO_12B_V2 = 'nvidia/NVIDIA-Nemotron-Nano-12B-v2';

/**
 * nvidia/NVIDIA-Nemotron-Nano-12B-v2 geometry from ../shared/reference/nemotron.md §1 (NeMo
 * providers for the 12B; n_groups 8 and conv_kernel 4 are the Nano-v2 family values, unverified
 * for the 12B config.json itself). 62 layers = 28 Mamba-2 + 28 MLP + 6 attention.
 */
export const NEMOTRON_NANO_12B_V2_CONFIG = Object.freeze({
  architectures: ['NemotronHForCausalLM'],
  model_type: 'nemotron_h',
  num_hidden_layers: 62,
  hybrid_override_pattern: 'M-M-M-M*-M-M-M-M*-M-M-M-M*-M-M-M-M*-M-M-M-M*-M-M-M-M*-M-M-M-M-',
  hidden_size: 5120,
  intermediate_size: 20480,
  mlp_hidden_act: 'relu2',
  num_attention_heads: 40,
  num_key_value_heads: 8,
  head_dim: 128,
  mamba_num_heads: 128,
  mamba_head_dim: 80,
  ssm_state_size: 128,
  n_groups: 8,
  conv_kernel: 4,
  expand: 2,
  vocab_size: 131072,
  max_position_embeddings: 131072,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
});

const BUILTIN_CONFIGS: Readonly<Record<string, object>> = {
  [NEMOTRON_NANO_12B_V2.toLowerCase()]: NEMOTRON_NANO_12B_V2_CONFIG,
};

/** The built-in config for a model id (case-insensitive), if the panel ships one. */
export function builtinConfig(modelId: string): object | undefined {
  return BUILTIN_CONFIGS[modelId.trim().toLowerCase()];
}

export function builtinGeometry(modelId: string): GeometryResult | undefined {
  const cfg = builtinConfig(modelId);
  if (!cfg) return undefined;
  const r = geometryFromConfig(cfg, { modelId, source: 'builtin' });
  if (r.ok)
    r.geometry.notes.push(
      'Built-in geometry from the reference (nemotron.md §1); the downloaded config.json wins once it is in the HF cache.',
    );
  return r;
}
