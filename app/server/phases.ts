// Startup phases and facts from vLLM's log lines (../shared/reference/vllm-runtime.md §2, checked
// against the real logs in vllm-logs/). Matching is on message text only, never on file names or
// line numbers, which change between releases.
import type { LogEntry } from './log/log-store';

export const PHASES = [
  'resolve-model',
  'download',
  'load-weights',
  'compile',
  'memory-profiling',
  'kv-cache',
  'cuda-graphs',
  'api-server',
  'ready',
] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_LABELS: Record<Phase, string> = {
  'resolve-model': 'Resolve model & config',
  download: 'Download weights',
  'load-weights': 'Load weights',
  compile: 'torch.compile',
  'memory-profiling': 'Memory profiling',
  'kv-cache': 'Allocate KV cache',
  'cuda-graphs': 'Capture CUDA graphs',
  'api-server': 'Start API server',
  ready: 'Ready',
};

/**
 * Usual upper bounds (seconds) per phase on a workstation, for the stall warning: a phase that
 * runs 3× past its bound without progress is flagged. Sources: the real logs (load 10–60 s for
 * 4–30 GB, compile 20–90 s first run, CUDA graphs 5–30 s) with generous slack; downloads depend on
 * the network, so they only warn when the log is silent.
 */
export const USUAL_PHASE_SECONDS: Record<Phase, number> = {
  'resolve-model': 60,
  download: 1800,
  'load-weights': 300,
  compile: 300,
  'memory-profiling': 120,
  'kv-cache': 60,
  'cuda-graphs': 180,
  'api-server': 60,
  ready: Number.POSITIVE_INFINITY,
};
export const STALL_FACTOR = 3;

export interface StartFacts {
  vllmVersion?: string;
  architecture?: string;
  maxModelLen?: number;
  maxNumBatchedTokens?: number;
  attentionBackend?: string;
  kvCacheDtype?: string;
  weightsGiB?: number;
  weightsLoadS?: number;
  modelLoadS?: number;
  compileS?: number;
  availableKvGiB?: number;
  gpuKvCacheTokens?: number;
  maxConcurrency?: { tokensPerRequest: number; x: number };
  cudaGraphGiB?: number;
  cudaGraphS?: number;
  initEngineS?: number;
  readyUrl?: string;
  /** Hybrid models: attention block size vLLM chose. */
  attentionBlockSize?: number;
  nonDefaultArgs?: string;
}

export interface PhaseState {
  phase: Phase;
  /** 0–100 within the phase when the log shows a progress bar (weights, CUDA graphs). */
  percent: number | null;
  /** ms timestamps when each reached phase began. */
  startedAt: Partial<Record<Phase, number>>;
  facts: StartFacts;
}

type Rule = { re: RegExp; phase?: Phase; fact?: (m: RegExpExecArray, f: StartFacts) => void; percent?: true };

const num = (s: string | undefined) => (s === undefined ? undefined : Number(s.replace(/,/g, '')));

// Order matters only within one line; each rule is tried against every line.
const RULES: Rule[] = [
  { re: /vLLM API server version (\S+)/, phase: 'resolve-model', fact: (m, f) => void (f.vllmVersion = m[1]) },
  { re: /█\s+version\s+v?(\d+\.\d+\S*)/, phase: 'resolve-model', fact: (m, f) => void (f.vllmVersion = m[1]) },
  { re: /non-default args: (\{.*\})/, phase: 'resolve-model', fact: (m, f) => void (f.nonDefaultArgs = m[1]) },
  { re: /Resolved architecture: (\w+)/, phase: 'resolve-model', fact: (m, f) => void (f.architecture = m[1]) },
  { re: /Using max model len (\d+)/, fact: (m, f) => void (f.maxModelLen = num(m[1])) },
  { re: /Using (fp8\w*) data type to store kv cache/, fact: (m, f) => void (f.kvCacheDtype = m[1]) },
  { re: /Chunked prefill is enabled with max_num_batched_tokens=(\d+)/, fact: (m, f) => void (f.maxNumBatchedTokens = num(m[1])) },
  { re: /Setting attention block size to (\d+) tokens/, fact: (m, f) => void (f.attentionBlockSize = num(m[1])) },
  { re: /Time spent downloading weights for|Downloading .*(?:safetensors|\.bin)/, phase: 'download' },
  { re: /Starting to load model /, phase: 'load-weights' },
  { re: /Using (\w+) attention backend/, fact: (m, f) => void (f.attentionBackend = m[1]) },
  { re: /Loading (?:safetensors|pt) checkpoint shards:\s+(\d+)%/, phase: 'load-weights', percent: true },
  { re: /Loading weights took ([\d.]+) seconds/, fact: (m, f) => void (f.weightsLoadS = num(m[1])) },
  {
    re: /Model loading took ([\d.]+) GiB memory and ([\d.]+) seconds/,
    fact: (m, f) => {
      f.weightsGiB = num(m[1]);
      f.modelLoadS = num(m[2]);
    },
  },
  { re: /Loading model weights took ([\d.]+) GB/, fact: (m, f) => void (f.weightsGiB = num(m[1])) },
  {
    re: /for vLLM's torch\.compile|Dynamo bytecode transform time|Compiling a graph for|Directly load the compiled graph/,
    phase: 'compile',
  },
  { re: /torch\.compile takes ([\d.]+) s in total/, phase: 'memory-profiling', fact: (m, f) => void (f.compileS = num(m[1])) },
  { re: /Memory profiling takes|Estimated CUDA graph memory/, phase: 'memory-profiling' },
  { re: /Available KV cache memory: (-?[\d.]+) GiB/, phase: 'kv-cache', fact: (m, f) => void (f.availableKvGiB = num(m[1])) },
  { re: /GPU KV cache size: ([\d,]+) tokens/, phase: 'kv-cache', fact: (m, f) => void (f.gpuKvCacheTokens = num(m[1])) },
  {
    re: /Maximum concurrency for ([\d,]+) tokens per request: ([\d.]+)x/,
    phase: 'kv-cache',
    fact: (m, f) => void (f.maxConcurrency = { tokensPerRequest: num(m[1])!, x: num(m[2])! }),
  },
  { re: /Capturing CUDA graphs[^:]*:\s+(\d+)%/, phase: 'cuda-graphs', percent: true },
  {
    re: /Graph capturing finished in (\d+) secs, took (-?[\d.]+) GiB/,
    fact: (m, f) => {
      f.cudaGraphS = num(m[1]);
      f.cudaGraphGiB = num(m[2]);
    },
  },
  {
    re: /init engine \(profile, create kv cache, warmup model\) took ([\d.]+) seconds/,
    phase: 'api-server',
    fact: (m, f) => void (f.initEngineS = num(m[1])),
  },
  { re: /Starting vLLM API server (?:\d+ )?on (http:\/\/\S+)/, phase: 'api-server', fact: (m, f) => void (f.readyUrl = m[1]) },
  { re: /Available routes are:|Started server process/, phase: 'api-server' },
  { re: /Application startup complete\./, phase: 'ready' },
];

/** Tracks the startup phase and collects facts as log lines arrive. Phases only move forward. */
export class PhaseTracker {
  readonly state: PhaseState;

  constructor(private readonly startedAt: number) {
    this.state = { phase: 'resolve-model', percent: null, startedAt: { 'resolve-model': startedAt }, facts: {} };
  }

  /** Feeds one line; returns true when phase, percent or facts changed. */
  feed(entry: Pick<LogEntry, 'text' | 'ts'>): boolean {
    let changed = false;
    const text = entry.text;
    for (const r of RULES) {
      const m = r.re.exec(text);
      if (!m) continue;
      r.fact?.(m, this.state.facts);
      if (r.fact) changed = true;
      if (r.phase) changed = this.advance(r.phase, entry.ts) || changed;
      if (r.percent && r.phase === this.state.phase) {
        const p = Number(m[1]);
        if (p !== this.state.percent) {
          this.state.percent = p;
          changed = true;
        }
      }
    }
    return changed;
  }

  /** Moves to `phase` if it is later than the current one (also used by the /health poller). */
  advance(phase: Phase, ts: number): boolean {
    if (PHASES.indexOf(phase) <= PHASES.indexOf(this.state.phase)) return false;
    this.state.phase = phase;
    this.state.percent = null;
    this.state.startedAt[phase] = ts;
    return true;
  }

  /** A stall warning when the current phase runs far past its usual time; else undefined. */
  stall(now: number): { phase: Phase; seconds: number; usual: number } | undefined {
    const phase = this.state.phase;
    const since = this.state.startedAt[phase] ?? this.startedAt;
    const seconds = (now - since) / 1000;
    const usual = USUAL_PHASE_SECONDS[phase];
    return seconds > usual * STALL_FACTOR ? { phase, seconds, usual } : undefined;
  }
}
