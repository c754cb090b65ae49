// Pure display logic of the fit gauge (tested in fit-gauge-model.test.ts): memory segments,
// number formatting, and what to ask the planner for.
import type { CommandArg, CommandResult, Remedy } from '../../contract';

export type PlanResult = CommandResult<'plan:compute'>;

export type PlanRequestArg = CommandArg<'plan:compute'>;
export type FlagValues = PlanRequestArg['flags'];

export interface GaugeSegment {
  key: 'others' | 'weights' | 'overhead' | 'kv' | 'headroom';
  label: string;
  gib: number;
  /** Share of the GPU's total memory, 0–100. */
  pct: number;
}

/**
 * The stacked bar, left to right: memory other processes hold, then what this vLLM takes
 * (weights, overhead, KV cache) inside its gpu-memory-utilization budget, then the headroom
 * left outside it. `overflowGiB` > 0 when the budget does not fit in what is free.
 */
export function gaugeSegments(r: PlanResult): { segments: GaugeSegment[]; overflowGiB: number } {
  const m = r.memory;
  if (!m || !(m.totalGiB > 0)) return { segments: [], overflowGiB: 0 };
  const inBudgetOverhead = m.overhead.totalGiB - (m.overhead.cudaGraphsInBudget ? 0 : m.overhead.cudaGraphsGiB);
  const kv = Math.max(0, m.kvAvailableGiB);
  const raw: Omit<GaugeSegment, 'pct'>[] = [
    { key: 'others', label: 'Used by other processes', gib: m.usedByOthersGiB },
    { key: 'weights', label: 'Weights', gib: m.weightsGiB },
    { key: 'overhead', label: 'Activations, CUDA graphs, runtime', gib: inBudgetOverhead },
    { key: 'kv', label: 'KV cache', gib: kv },
  ];
  const taken = raw.reduce((s, x) => s + x.gib, 0);
  raw.push({ key: 'headroom', label: 'Free headroom', gib: Math.max(0, m.totalGiB - taken) });
  const overflowGiB = Math.max(0, taken - m.totalGiB);
  // Scale to the larger of total and what is asked for, so an overflowing plan still draws.
  const scale = Math.max(m.totalGiB, taken);
  return { segments: raw.filter((x) => x.gib > 0).map((x) => ({ ...x, pct: (x.gib / scale) * 100 })), overflowGiB };
}

export function fmtInt(n: number): string {
  const s = String(Math.trunc(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}

export function fmtGiB(x: number, digits = 1): string {
  return `${x.toFixed(digits)} GiB`;
}

export const VERDICT_TEXT: Record<PlanResult['verdict'], string> = {
  fits: 'Fits',
  tight: 'Tight',
  'will-fail': 'Will fail',
  unknown: 'Unknown',
};

/**
 * Remedies the gauge offers as buttons: flag changes and GPU selections (the profile store applies
 * them). Stopping another process is left to the GPU panel, where the user sees what it is.
 */
export function isApplicable(r: Remedy): boolean {
  return r.action?.type === 'set-flag' || r.action?.type === 'unset-flag' || r.action?.type === 'select-gpus';
}

/** "98.20 × 8,192-token requests" — the concurrency line under the verdict. */
export function concurrencyText(r: PlanResult): string | null {
  if (!r.kv || !r.settings || r.kv.numBlocks === 0) return null;
  const s = r.settings;
  const per = `${r.kv.maxConcurrency.toFixed(2)} × ${fmtInt(s.maxModelLen.value)}-token requests`;
  const total = s.dataParallelSize > 1 ? ` per GPU (${r.kv.maxConcurrencyTotal.toFixed(1)} on ${s.dataParallelSize})` : '';
  return `${per}${total} · max-num-seqs ${s.maxNumSeqs.value}`;
}

/** GPU sizes to plan for when no GPU is detected or selected (usable GiB as CUDA reports them; nemotron.md §4.4). */
export const GPU_PRESETS: readonly { id: string; label: string; gib: number }[] = [
  { id: '24', label: '24 GB (RTX 4090, L4)', gib: 23.99 },
  { id: '40', label: '40 GB (A100-40GB)', gib: 39.4 },
  { id: '48', label: '48 GB (L40S, A6000)', gib: 44.4 },
  { id: '80', label: '80 GB (A100/H100-80GB)', gib: 79.2 },
  { id: '141', label: '141 GB (H200)', gib: 139.8 },
];
export const DEFAULT_PRESET_ID = '80';

/**
 * The request for the planner: the selected GPUs (the core reads their memory and who uses it
 * from nvidia-smi) or, without any, a preset size.
 */
export function planRequest(input: {
  model: string;
  flags: FlagValues;
  selectedIndices: readonly number[];
  gpusDetected: number;
  presetId: string;
  vllmVersion?: string | null;
}): PlanRequestArg {
  const useSelection = input.selectedIndices.length > 0 && input.gpusDetected > 0;
  const preset =
    GPU_PRESETS.find((p) => p.id === input.presetId) ??
    (GPU_PRESETS.find((p) => p.id === DEFAULT_PRESET_ID) as (typeof GPU_PRESETS)[number]);
  return {
    model: input.model,
    gpu: useSelection ? { indices: [...input.selectedIndices] } : { memoryGiB: preset.gib, count: 1 },
    flags: input.flags,
    ...(input.vllmVersion ? { vllmVersion: input.vllmVersion } : {}),
  };
}
