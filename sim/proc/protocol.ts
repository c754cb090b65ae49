// Messages between the simulator's processes (Node IPC channel, JSON serialisation):
//   API server ──init/add/abort/shutdown──▶ EngineCore_DPn ──phase/…──▶ Worker_TPk
//   API server ◀──ready/out/failed────────── EngineCore_DPn ◀──done/failed── Worker_TPk
// Outputs are batched per engine tick: one message carries every step finished in that tick,
// each step as flat number arrays, so the API server's per-token cost stays tiny.
import type { SimConfig } from '../config';
import type { SimMemoryPlan } from '../memory';

export interface EngineInit {
  t: 'init';
  cfg: SimConfig;
  plan: SimMemoryPlan;
  dpRank: number;
  /** GPU indices (within the visible list) used by this engine's TP ranks. */
  gpuIndices: number[];
}

export interface AddRequest {
  t: 'add';
  id: number;
  promptLen: number;
  hashes: number[];
  maxTokens: number;
  /** Natural output length; -1 = never (ignore_eos). */
  eosAt: number;
}

export type ApiToEngine = EngineInit | AddRequest | { t: 'abort'; id: number } | { t: 'shutdown' };

export interface StepOut {
  /** Step start and end, epoch ms (engine clock = wall clock of the same machine). */
  start: number;
  end: number;
  tokens: number;
  /** Flat triples: id, new tokens, finish reason (0 none, 1 stop, 2 length). */
  out: number[];
  /** Flat pairs: id, prefix-cache hit tokens, for requests first scheduled in this step. */
  sched: number[];
}

export interface TickOut {
  t: 'out';
  steps: StepOut[];
  running: number;
  waiting: number;
  kvUsage: number;
  preemptions: number;
  prefixQueries: number;
  prefixHits: number;
}

export type EngineToApi = { t: 'ready'; numGpuBlocks: number } | TickOut;

export type EngineToWorker =
  | { t: 'init'; cfg: SimConfig; plan: SimMemoryPlan; rank: number; gpuIndex: number; dpRank: number }
  | { t: 'phase'; phase: WorkerPhase }
  | { t: 'shutdown' };

export type WorkerPhase = 'init_device' | 'load_model' | 'compile' | 'profile' | 'capture';

export type WorkerToEngine = { t: 'up' } | { t: 'done'; phase: WorkerPhase } | { t: 'failed'; phase: WorkerPhase; error: string };
