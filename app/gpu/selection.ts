// Pure: what a set of selected GPUs means for `vllm serve`. The command builder calls these.
import type { Gpu, GpuSelection } from '../contract/gpu';

type GpuLike = Pick<Gpu, 'index' | 'name' | 'computeCap'>;

/** Numeric order of "major.minor" strings ("8.6" < "8.9" < "9.0" < "10.0" < "12.0"). */
function ccKey(cc: string): number {
  const [maj, min] = cc.split('.').map(Number);
  return (maj ?? 0) * 100 + (min ?? 0);
}

/** TORCH_CUDA_ARCH_LIST from compute capabilities: deduplicated, ascending, ";"-separated ("8.0;8.6"). */
export function torchCudaArchList(computeCaps: readonly string[]): string {
  return [...new Set(computeCaps)].sort((a, b) => ccKey(a) - ccKey(b)).join(';');
}

/** Ascending, deduplicated indices. */
export function normaliseIndices(indices: readonly number[]): number[] {
  return [...new Set(indices)].sort((a, b) => a - b);
}

/**
 * Parses a user's GPU list ("0,1", "0, 2", "all") against what nvidia-smi reported.
 * Returns the indices, or throws an Error whose message names the bad part.
 */
export function parseGpuIndexList(text: string, gpus: readonly Pick<Gpu, 'index'>[] = []): number[] {
  const t = text.trim();
  if (t === 'all') {
    if (gpus.length === 0) throw new Error('"all" needs detected GPUs, and nvidia-smi reported none; list indices instead (e.g. 0,1)');
    return gpus.map((g) => g.index).sort((a, b) => a - b);
  }
  if (t === '') throw new Error('empty GPU list; give indices like 0,1');
  const out: number[] = [];
  for (const part of t.split(',')) {
    const p = part.trim();
    if (!/^\d{1,4}$/.test(p)) throw new Error(`"${p}" is not a GPU index; give nvidia-smi indices like 0,1`);
    out.push(Number(p));
  }
  return normaliseIndices(out);
}

/**
 * The environment and parallelism for running vLLM on `selected` (nvidia-smi indices).
 *
 * - CUDA_VISIBLE_DEVICES lists the indices in nvidia-smi order, and CUDA_DEVICE_ORDER=PCI_BUS_ID
 *   makes CUDA number devices the way nvidia-smi does (CUDA's default, FASTEST_FIRST, can differ
 *   on machines with mixed GPUs, so index 1 in nvidia-smi could be another card in CUDA).
 * - TORCH_CUDA_ARCH_LIST is set only when every selected GPU's compute capability is known.
 * - data-parallel-size = number of GPUs (the launcher we replace runs TP=1, one engine per GPU).
 * - An empty selection sets nothing: CUDA_VISIBLE_DEVICES="" would hide every GPU.
 */
export function gpuSelectionEnv(gpus: readonly GpuLike[], selected: readonly number[]): GpuSelection {
  const indices = normaliseIndices(selected);
  const issues: string[] = [];
  if (indices.length === 0) {
    return { indices, env: {}, dataParallelSize: 0, issues: ['No GPU selected.'] };
  }
  const env: Record<string, string> = {
    CUDA_VISIBLE_DEVICES: indices.join(','),
    CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
  };
  const byIndex = new Map(gpus.map((g) => [g.index, g]));
  const chosen: GpuLike[] = [];
  if (gpus.length === 0) {
    issues.push('No GPU information (nvidia-smi reported none), so TORCH_CUDA_ARCH_LIST is not set and the indices are unchecked.');
  } else {
    const missing = indices.filter((i) => !byIndex.has(i));
    if (missing.length > 0) {
      const known = [...byIndex.keys()].sort((a, b) => a - b).join(', ');
      issues.push(`GPU ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not present (nvidia-smi lists ${known}).`);
    }
    for (const i of indices) {
      const g = byIndex.get(i);
      if (g) chosen.push(g);
    }
    const unknownCc = chosen.filter((g) => g.computeCap === null);
    if (unknownCc.length > 0) {
      issues.push(
        `Compute capability unknown for GPU ${unknownCc.map((g) => `${g.index} (${g.name})`).join(', ')}, so TORCH_CUDA_ARCH_LIST is not set.`,
      );
    } else if (chosen.length > 0 && missing.length === 0) {
      env.TORCH_CUDA_ARCH_LIST = torchCudaArchList(chosen.map((g) => g.computeCap as string));
    }
    const names = [...new Set(chosen.map((g) => g.name))];
    if (names.length > 1) {
      issues.push(
        `Selected GPUs are different models (${names.join(', ')}): data-parallel engines each get one GPU, so the smallest memory and slowest card set the pace.`,
      );
    }
  }
  return { indices, env, dataParallelSize: indices.length, issues };
}
