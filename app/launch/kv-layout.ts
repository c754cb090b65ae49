// vLLM's KV-cache packing (V1 engine, hybrid KV-cache manager), as a pure model:
//   nemotron.md §4.2 steps 1–7, checked against real v0.13 logs (vllm-logs 07, 10) by
//   planner.conformance.test.ts. The same arithmetic covers dense models (one group of all
//   attention layers), hybrid Mamba/attention models, and sliding-window + full attention.
//
// Terms: a "page" is one block of one layer; every layer type shares one page size (vLLM pads
// the Mamba state page up to the attention page, after raising the attention block size until
// its page is ≥ the Mamba page). Layers are split into groups of `groupSize` layers per type;
// a KV "block id" allocates one page in each of the `groupSize` tensors.

export interface KvLayoutInput {
  /** Full-attention layers (grow with sequence length). */
  attentionLayers: number;
  /** Sliding-window layers (grow up to the window). */
  slidingLayers: number;
  /** Mamba / linear-attention layers (fixed state per sequence). */
  stateLayers: number;
  /** K+V bytes per token per attention layer (2 × kv_heads × head_dim × kv_dtype_bytes, per TP rank). */
  attnBytesPerToken: number;
  /** Conv + SSM state bytes per state layer per sequence (unpadded). */
  statePageBytes: number;
  /** --block-size; null = vLLM's choice (16 for attention, raised for hybrids). */
  blockSizeFlag: number | null;
  slidingWindow: number | null;
  maxNumBatchedTokens: number;
  /** Pure state models (no attention): Mamba's block size is max_model_len. */
  maxModelLen: number;
}

export interface KvGroupType {
  type: 'attention' | 'sliding' | 'state';
  layers: number;
  groups: number;
  paddingLayers: number;
}

export interface KvLayout {
  blockSize: number;
  /** True when vLLM raised the block size itself (hybrid): it logs "Setting attention block size to N". */
  blockSizeRaised: boolean;
  pageBytes: number;
  /** (page − state page) / state page × 100 for hybrids, else null. */
  mambaPaddingPct: number | null;
  groupSize: number;
  types: KvGroupType[];
  numGroups: number;
  input: KvLayoutInput;
}

/**
 * Attention backends need block sizes in multiples of 16 (FlashAttention / FlashInfer; MLA needs
 * more): vLLM's `kernel_block_alignment_size` (v0.13 config for hybrid models). Observed: 992 for
 * Nemotron-3-Nano-4B with fp8 KV (vllm-logs 07) = 16 × 62.
 */
export const KERNEL_BLOCK_ALIGNMENT = 16;
/** vLLM's default --block-size on CUDA. */
export const DEFAULT_BLOCK_SIZE = 16;

const cdiv = (a: number, b: number): number => Math.ceil(a / b);

export function kvLayout(input: KvLayoutInput): KvLayout {
  const attnLike = input.attentionLayers + input.slidingLayers;
  let blockSize = input.blockSizeFlag ?? DEFAULT_BLOCK_SIZE;
  let blockSizeRaised = false;
  let pageBytes: number;
  let mambaPaddingPct: number | null = null;
  if (input.stateLayers > 0 && attnLike > 0) {
    // Smallest multiple of the alignment whose attention page holds a whole Mamba page (§4.2 step 3).
    const needed = KERNEL_BLOCK_ALIGNMENT * cdiv(input.statePageBytes, KERNEL_BLOCK_ALIGNMENT * input.attnBytesPerToken);
    if (input.blockSizeFlag === null || input.blockSizeFlag < needed) {
      blockSize = needed;
      blockSizeRaised = true;
    }
    pageBytes = blockSize * input.attnBytesPerToken;
    mambaPaddingPct = pageBytes === input.statePageBytes ? 0 : ((pageBytes - input.statePageBytes) / input.statePageBytes) * 100;
  } else if (input.stateLayers > 0) {
    // State only (pure Mamba): one block per sequence, block size = max_model_len.
    blockSize = input.maxModelLen;
    pageBytes = input.statePageBytes;
  } else {
    pageBytes = blockSize * input.attnBytesPerToken;
  }

  const counts: { type: KvGroupType['type']; layers: number }[] = [
    { type: 'attention' as const, layers: input.attentionLayers },
    { type: 'sliding' as const, layers: input.slidingLayers },
    { type: 'state' as const, layers: input.stateLayers },
  ].filter((c) => c.layers > 0);
  // vLLM `_get_kv_cache_groups_uniform_page_size`: the group size is the smallest type's layer
  // count, or the largest when the types are within 25 % of each other (fewer padding layers).
  const min = Math.min(...counts.map((c) => c.layers));
  const max = Math.max(...counts.map((c) => c.layers));
  const groupSize = max < min * 1.25 ? max : min;
  const types = counts.map((c) => {
    const rem = c.layers % groupSize;
    return { type: c.type, layers: c.layers, groups: cdiv(c.layers, groupSize), paddingLayers: rem === 0 ? 0 : groupSize - rem };
  });
  return {
    blockSize,
    blockSizeRaised,
    pageBytes,
    mambaPaddingPct,
    groupSize,
    types,
    numGroups: types.reduce((s, t) => s + t.groups, 0),
    input,
  };
}

/** vLLM `get_num_blocks`: `int(available_memory // page_size // num_layers)` with num_layers = group size. */
export function numBlocks(layout: KvLayout, availableBytes: number): number {
  if (availableBytes <= 0) return 0;
  return Math.max(0, Math.floor(Math.floor(Math.floor(availableBytes) / layout.pageBytes) / layout.groupSize));
}

/** "GPU KV cache size: N tokens": `num_blocks // len(kv_cache_groups) * min_block_size`. */
export function reportedTokens(layout: KvLayout, blocks: number): number {
  return Math.floor(blocks / layout.numGroups) * layout.blockSize;
}

/** Blocks one request of `len` tokens needs in one group of `type` (each spec's max_memory_usage / page). */
export function blocksForType(layout: KvLayout, type: KvGroupType['type'], len: number): number {
  const bs = layout.blockSize;
  if (type === 'attention') return cdiv(len, bs);
  if (type === 'sliding') {
    // SlidingWindowSpec: window − 1 + one step's tokens, capped at the length, +1 for misalignment.
    const w = layout.input.slidingWindow ?? len;
    return cdiv(Math.min(w - 1 + layout.input.maxNumBatchedTokens, len), bs) + 1;
  }
  // MambaSpec with mamba_cache_mode "none": one state page per sequence.
  return 1;
}

/** Blocks one request of `len` tokens takes from the shared pool (all groups). */
export function blocksPerRequest(layout: KvLayout, len: number): number {
  return layout.types.reduce((s, t) => s + t.groups * blocksForType(layout, t.type, len), 0);
}

/** "Maximum concurrency for L tokens per request": num_blocks / blocks per request. */
export function maxConcurrency(layout: KvLayout, blocks: number, len: number): number {
  return blocks / blocksPerRequest(layout, len);
}

/**
 * Bytes vLLM's `check_enough_kv_cache_memory` needs for one request of `len` tokens: summed
 * per layer (no padding layers), compared with the available KV memory before any allocation.
 */
export function neededBytes(layout: KvLayout, len: number): number {
  return layout.types.reduce((s, t) => s + t.layers * blocksForType(layout, t.type, len) * layout.pageBytes, 0);
}

/**
 * vLLM `estimate_max_model_len`: the largest length in [1, upTo] whose needed bytes fit (binary
 * search, as vLLM does); 0 when not even one token fits.
 */
export function estimateMaxModelLen(layout: KvLayout, availableBytes: number, upTo: number): number {
  const fits = (len: number) => neededBytes(layout, len) <= availableBytes;
  if (upTo < 1 || !fits(1)) return 0;
  let left = 1;
  let right = upTo;
  let result = 1;
  while (left <= right) {
    const mid = Math.floor((left + right) / 2);
    if (fits(mid)) {
      result = mid;
      left = mid + 1;
    } else right = mid - 1;
  }
  return result;
}
