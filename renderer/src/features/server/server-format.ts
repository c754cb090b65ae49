// Pure formatting for the server controls, the start view and the failure card.
import type { PhaseName, ServerStateDto, StopReport } from '../../contract';

type State = ServerStateDto;

/** 5 s → "0:05", 62 s → "1:02", 3723 s → "1:02:03". Negative (clock skew) counts as 0. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Short durations for phase rows: "0.4 s", "12 s", "3:05". */
export function formatPhaseDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  return formatElapsed(ms);
}

export const STATUS_LABELS: Record<State['status'], string> = {
  idle: 'Not running',
  preflight: 'Checking',
  starting: 'Starting',
  ready: 'Ready',
  stopping: 'Stopping',
  stopped: 'Stopped',
  failed: 'Failed',
  crashed: 'Crashed',
};

/** Pill colour family of a status. */
export function statusTone(status: State['status'] | null): 'idle' | 'busy' | 'ok' | 'err' {
  switch (status) {
    case 'ready':
      return 'ok';
    case 'preflight':
    case 'starting':
    case 'stopping':
      return 'busy';
    case 'failed':
    case 'crashed':
      return 'err';
    default:
      return 'idle';
  }
}

/**
 * What the elapsed clock next to the status shows, or null: time since start while starting,
 * uptime once ready, how long the run lasted after it ended.
 */
export function elapsedFor(s: State | null, now: number): { label: string; ms: number } | null {
  if (!s || s.startedAt === null) return null;
  switch (s.status) {
    case 'preflight':
    case 'starting':
      return { label: 'starting for', ms: now - s.startedAt };
    case 'ready':
    case 'stopping':
      return { label: 'up', ms: now - (s.readyAt ?? s.startedAt) };
    case 'failed':
    case 'crashed':
    case 'stopped':
      return s.endedAt !== null ? { label: 'ran', ms: s.endedAt - s.startedAt } : null;
    default:
      return null;
  }
}

export const PHASE_ORDER: readonly PhaseName[] = [
  'resolve-model',
  'download',
  'load-weights',
  'compile',
  'memory-profiling',
  'kv-cache',
  'cuda-graphs',
  'api-server',
  'ready',
];

export const PHASE_LABELS: Record<PhaseName, string> = {
  'resolve-model': 'Resolve model',
  download: 'Download',
  'load-weights': 'Load weights',
  compile: 'Compile',
  'memory-profiling': 'Memory profiling',
  'kv-cache': 'KV cache',
  'cuda-graphs': 'CUDA graphs',
  'api-server': 'API server',
  ready: 'Ready',
};

/** Phases that report a percent in the log (tqdm bars). */
export const PERCENT_PHASES: ReadonlySet<PhaseName> = new Set<PhaseName>(['load-weights', 'cuda-graphs']);

export type PhaseRowState = 'done' | 'current' | 'failed' | 'interrupted' | 'skipped' | 'pending';

export interface PhaseRow {
  name: PhaseName;
  label: string;
  state: PhaseRowState;
  /** ms spent in the phase (running clock for the current one), null when not reached. */
  ms: number | null;
  /** 0–100 for the current phase when the log shows a bar. */
  percent: number | null;
}

/** State of the phase the run is in (or ended in). */
function currentRowState(s: State, name: PhaseName): PhaseRowState {
  if (name === 'ready' && s.readyAt !== null) return 'done';
  switch (s.status) {
    case 'failed':
    case 'crashed':
      return 'failed';
    case 'stopped':
      return 'interrupted';
    case 'ready':
      return 'done';
    default:
      return 'current'; // preflight, starting, stopping
  }
}

/**
 * One row per phase. A phase is done when a later one began, current while the run is in it,
 * skipped when the run went past it without it (cached weights skip the download), failed when
 * the run died in it, interrupted when the user stopped it there. Durations run from a phase's
 * start to the next phase's start (or now / the end of the run for the last one reached).
 */
export function phaseRows(s: State | null, now: number): PhaseRow[] {
  const started = (s?.phaseStartedAt ?? {}) as Partial<Record<PhaseName, number>>;
  const curIdx = s?.phase ? PHASE_ORDER.indexOf(s.phase) : -1;
  const reached = PHASE_ORDER.filter((p) => started[p] !== undefined);
  return PHASE_ORDER.map((name, i) => {
    const at = started[name];
    let state: PhaseRowState = 'pending';
    if (s && curIdx >= 0) {
      if (i < curIdx) state = at === undefined ? 'skipped' : 'done';
      else if (i === curIdx) state = currentRowState(s, name);
    }
    let ms: number | null = null;
    if (at !== undefined && name !== 'ready') {
      const next = reached.find((p) => PHASE_ORDER.indexOf(p) > i);
      const nextAt = next ? started[next] : undefined;
      const end = nextAt ?? (state === 'current' ? now : (s?.endedAt ?? now));
      ms = end - at;
    }
    const percent = state === 'current' && PERCENT_PHASES.has(name) ? (s?.percent ?? null) : null;
    return { name, label: PHASE_LABELS[name], state, ms, percent };
  });
}

export interface FactRow {
  /** Key of the fact (test id `fact-<key>`). */
  key: string;
  label: string;
  value: string;
}

const gib = (n: number) => `${n.toFixed(2)} GiB`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n)} s`;

/** The extracted facts worth showing, in reading order; facts the log did not (yet) show are left out. */
export function factRows(facts: State['facts']): FactRow[] {
  const rows: FactRow[] = [];
  const add = (key: string, label: string, value: string | undefined) => {
    if (value !== undefined) rows.push({ key, label, value });
  };
  add('vllmVersion', 'vLLM version', facts.vllmVersion);
  add('architecture', 'Architecture', facts.architecture);
  add('maxModelLen', 'Max model len', facts.maxModelLen !== undefined ? int(facts.maxModelLen) : undefined);
  add('attentionBackend', 'Attention backend', facts.attentionBackend);
  add('kvCacheDtype', 'KV cache dtype', facts.kvCacheDtype);
  if (facts.weightsGiB !== undefined || facts.modelLoadS !== undefined || facts.weightsLoadS !== undefined) {
    const t = facts.modelLoadS ?? facts.weightsLoadS;
    add(
      'weights',
      'Weights',
      [facts.weightsGiB !== undefined ? gib(facts.weightsGiB) : null, t !== undefined ? `loaded in ${secs(t)}` : null]
        .filter(Boolean)
        .join(', '),
    );
  }
  add('compile', 'torch.compile', facts.compileS !== undefined ? secs(facts.compileS) : undefined);
  add('availableKvGiB', 'Available KV cache', facts.availableKvGiB !== undefined ? gib(facts.availableKvGiB) : undefined);
  add('gpuKvCacheTokens', 'GPU KV cache', facts.gpuKvCacheTokens !== undefined ? `${int(facts.gpuKvCacheTokens)} tokens` : undefined);
  add(
    'maxConcurrency',
    'Max concurrency',
    facts.maxConcurrency
      ? `${facts.maxConcurrency.x.toFixed(2)}× at ${int(facts.maxConcurrency.tokensPerRequest)} tokens/request`
      : undefined,
  );
  if (facts.cudaGraphGiB !== undefined || facts.cudaGraphS !== undefined) {
    add(
      'cudaGraph',
      'CUDA graphs',
      [
        facts.cudaGraphGiB !== undefined ? gib(facts.cudaGraphGiB) : null,
        facts.cudaGraphS !== undefined ? `captured in ${secs(facts.cudaGraphS)}` : null,
      ]
        .filter(Boolean)
        .join(', '),
    );
  }
  add('readyUrl', 'Ready URL', facts.readyUrl);
  return rows;
}

export interface ComparisonRow {
  key: string;
  label: string;
  predicted: string | null;
  reported: string | null;
  /** reported / predicted − 1 when both are known (e.g. −0.12 = 12 % below the prediction). */
  delta: number | null;
}

/** The planner's prediction next to what vLLM reported; null when there is no prediction. */
export function comparisonRows(s: State | null): ComparisonRow[] | null {
  const p = s?.prediction;
  if (!s || !p) return null;
  const f = s.facts;
  const row = (key: string, label: string, pred: number | null, rep: number | undefined, fmt: (n: number) => string): ComparisonRow => ({
    key,
    label,
    predicted: pred === null ? null : fmt(pred),
    reported: rep === undefined ? null : fmt(rep),
    delta: pred !== null && rep !== undefined && pred !== 0 ? rep / pred - 1 : null,
  });
  return [
    row('weightsGiB', 'Weights', p.weightsGiB, f.weightsGiB, gib),
    row('availableKvGiB', 'KV cache memory', p.availableKvGiB, f.availableKvGiB, gib),
    row('gpuKvCacheTokens', 'KV cache tokens', p.gpuKvCacheTokens, f.gpuKvCacheTokens, int),
    row('maxConcurrency', 'Max concurrency', p.maxConcurrency, f.maxConcurrency?.x, (n) => `${n.toFixed(2)}×`),
  ];
}

/** +23 %, −5.0 %, and "0 %" when the two agree to within 0.05 %. */
export function formatDelta(d: number): string {
  const pct = d * 100;
  if (Math.abs(pct) < 0.05) return '0 %';
  return `${pct > 0 ? '+' : '−'}${Math.abs(pct).toFixed(Math.abs(pct) < 10 ? 1 : 0)} %`;
}

/** One sentence about a stop: how long, how many processes, escalation, survivors, GPU memory. */
export function stopSummary(r: StopReport): string {
  const n = r.killed.length;
  const parts = [`Stopped ${n} process${n === 1 ? '' : 'es'} in ${(r.durationMs / 1000).toFixed(1)} s`];
  parts.push(r.escalated ? 'some ignored SIGTERM and were killed (SIGKILL)' : 'all exited on SIGTERM');
  parts.push(r.survivors.length === 0 ? 'none survived' : `${r.survivors.length} still alive`);
  if (r.gpuMemoryReleased === true) parts.push('GPU memory released');
  else if (r.gpuMemoryReleased === false) parts.push('GPU memory still held');
  return `${parts.join('; ')}.`;
}

/** "GiB" text for a leftover's GPU memory, or null. */
export const leftoverMemory = (mib: number | null): string | null => (mib && mib > 0 ? `${(mib / 1024).toFixed(1)} GiB` : null);

/** Human name of a diagnosis error kind ("kv_cache_too_small_for_max_model_len" → "KV cache too small for max model len"). */
export function errorKindLabel(kind: string): string {
  const s = kind
    .replace(/_/g, ' ')
    .replace(/\bkv\b/g, 'KV')
    .replace(/\bcuda\b/g, 'CUDA')
    .replace(/\boom\b/g, 'out of memory');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The diagnosis numbers in a readable order with labels; unknown keys keep their name. */
export function diagnosisNumbers(numbers: Record<string, number>): { key: string; label: string; value: string }[] {
  const labels: Record<string, string> = {
    maxModelLen: 'max-model-len',
    estimatedMaxModelLen: 'Longest that fits',
    gpuKvCacheTokens: 'KV cache tokens',
    maxConcurrency: 'Max concurrency',
    maxConcurrencyTokens: 'Tokens per request',
    availableKvCacheGiB: 'Available KV cache (GiB)',
    availableKvGiB: 'Available KV cache (GiB)',
    neededKvGiB: 'KV cache needed (GiB)',
    weightsGiB: 'Weights (GiB)',
    port: 'Port',
  };
  const order = Object.keys(labels);
  return Object.entries(numbers)
    .sort(([a], [b]) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99))
    .map(([key, v]) => ({
      key,
      label: labels[key] ?? key,
      value: key === 'port' ? String(v) : Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(2),
    }));
}
