// How long one engine step takes on the simulated GPU: a roofline model.
//
//   t = overhead + max(weights / (BW·MBU), tokens · 2·params / (FLOPS·MFU))
//               + (Σ context · kv_bytes_per_token + seqs · 2 · state_bytes) / (BW·MBU)
//
// * Every step streams all weights once (memory bound); prefill tokens add matmul FLOPs (2 per
//   parameter per token) and win once a step carries more than ~150 tokens on an A100.
// * Attention reads the KV of every scheduled request's context; Mamba layers read and write
//   their per-sequence state each step (nemotron.md §4.1: ~142 MiB per sequence with fp32 SSM).
// * overhead: scheduling, sampling and launch cost not hidden by async scheduling (~1.5 ms).
// * MBU 0.75 / MFU 0.55: typical achieved fractions of datasheet bandwidth / dense bf16 FLOPS.
// Consequences the panel can observe: a decode step of one sequence costs almost as much as one of
// 64 (THROUGHPUT gets more tokens/s from bigger batches), while a step that also carries a 16384-
// token prefill chunk takes ~1.6 s on an A100 (THROUGHPUT's inter-token latency under load),
// four times LOW_LATENCY's 4096-token chunks.
// VLLM_SIM_SPEED divides the result (the engine runs faster than real time).

export interface GpuPerf {
  /** Datasheet memory bandwidth, GB/s. */
  memBwGBs: number;
  /** Dense bf16 tensor throughput, TFLOPS. */
  bf16Tflops: number;
}

export interface CostParams {
  gpu: GpuPerf;
  tensorParallel: number;
  /** Weight bytes held by one GPU. */
  weightBytesPerGpu: number;
  /** Total parameters of the model (dense-equivalent, active). */
  activeParams: number;
  /** KV bytes per token of context on one GPU (all attention layers). */
  kvBytesPerToken: number;
  /** Recurrent state bytes per sequence on one GPU (0 for dense models). */
  stateBytesPerSeq: number;
}

const MBU = 0.75;
const MFU = 0.55;
const OVERHEAD_S = 0.0015;
/** Per-step all-reduce/synchronisation cost with tensor parallelism (NVLink-class). */
const TP_SYNC_S = 0.0005;

export function stepSeconds(p: CostParams, tokens: number, seqs: number, contextTokens: number): number {
  if (tokens <= 0) return 0;
  const bw = p.gpu.memBwGBs * 1e9 * MBU;
  const flops = p.gpu.bf16Tflops * 1e12 * MFU;
  const weights = p.weightBytesPerGpu / bw;
  const compute = (tokens * 2 * p.activeParams) / p.tensorParallel / flops;
  const kv = (contextTokens * p.kvBytesPerToken + seqs * 2 * p.stateBytesPerSeq) / bw;
  return OVERHEAD_S + Math.max(weights, compute) + kv + (p.tensorParallel > 1 ? TP_SYNC_S : 0);
}
