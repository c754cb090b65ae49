// Known GPU models (memory as torch reports it, bandwidth, dense bf16 TFLOPS) and the simulated
// machine described by VLLM_SIM_GPUS. Shared by the simulator (which behaves like that machine)
// and the panel (which plans a simulator launch against the same machine).
//
// `totalGiB` is what torch reports as total capacity (a bit below the marketing size):
// 39.39 GiB for an A100-40GB and 79.2 GiB for 80 GB cards (nemotron.md §4.4), 79.15 GiB in a
// real V0 log for an A100-80GB (vllm-runtime.md §2). Bandwidth and dense bf16 TFLOPS are the
// vendors' datasheet figures (SXM parts where there are several).

export interface GpuModel {
  name: string;
  totalGiB: number;
  memBwGBs: number;
  bf16Tflops: number;
}

export const GPU_MODELS: readonly GpuModel[] = [
  { name: 'A100-40GB', totalGiB: 39.39, memBwGBs: 1555, bf16Tflops: 312 },
  { name: 'A100-80GB', totalGiB: 79.15, memBwGBs: 2039, bf16Tflops: 312 },
  { name: 'H100-80GB', totalGiB: 79.19, memBwGBs: 3350, bf16Tflops: 989 },
  { name: 'H100-NVL', totalGiB: 93.09, memBwGBs: 3900, bf16Tflops: 835 },
  { name: 'H200', totalGiB: 139.8, memBwGBs: 4800, bf16Tflops: 989 },
  { name: 'B200', totalGiB: 178.35, memBwGBs: 8000, bf16Tflops: 2250 },
  { name: 'L40S', totalGiB: 44.39, memBwGBs: 864, bf16Tflops: 362 },
  { name: 'RTX-A6000', totalGiB: 47.41, memBwGBs: 768, bf16Tflops: 155 },
  { name: 'RTX-6000-ADA', totalGiB: 47.37, memBwGBs: 960, bf16Tflops: 364 },
  { name: 'RTX-4090', totalGiB: 23.53, memBwGBs: 1008, bf16Tflops: 165 },
  { name: 'RTX-3090', totalGiB: 23.56, memBwGBs: 936, bf16Tflops: 71 },
  { name: 'L4', totalGiB: 22.05, memBwGBs: 300, bf16Tflops: 121 },
  { name: 'A10G', totalGiB: 22.07, memBwGBs: 600, bf16Tflops: 70 },
];

export const DEFAULT_SIM_GPUS = 'A100-40GB';

const norm = (s: string) =>
  s
    .toUpperCase()
    .replace(/[\s_]/g, '-')
    .replace(/^NVIDIA-/, '');

export function findGpuModel(name: string): GpuModel | undefined {
  const n = norm(name);
  const exact = GPU_MODELS.find((g) => norm(g.name) === n || norm(g.name).replace(/-/g, '') === n.replace(/-/g, ''));
  if (exact) return exact;
  // "80GB" / "24GiB": a generic card of that size with A100-80GB-class speed.
  const m = /^(\d+(?:\.\d+)?)(GB|GIB)$/.exec(n);
  if (m)
    return {
      name: `GPU-${m[1]}GB`,
      totalGiB: m[2] === 'GIB' ? Number(m[1]) : (Number(m[1]) * 1e9) / 2 ** 30 - 0.6,
      memBwGBs: 2039,
      bf16Tflops: 312,
    };
  return undefined;
}

export interface SimGpu extends GpuModel {
  /** Index on the machine (nvidia-smi numbering). */
  physicalIndex: number;
  /** GiB already used by other processes. */
  usedGiB: number;
}

/**
 * The simulated machine from VLLM_SIM_GPUS ("A100-40GB" default, "H100-80GB:2", "A100-40GB,L40S"),
 * VLLM_SIM_GPU_USED_GIB (one value for all GPUs or a comma list) and CUDA_VISIBLE_DEVICES (which
 * of them the process sees, renumbered from 0 as CUDA does).
 */
export function parseSimGpus(env: Record<string, string | undefined>): { ok: true; gpus: SimGpu[] } | { ok: false; message: string } {
  const spec = (env.VLLM_SIM_GPUS ?? '').trim() || DEFAULT_SIM_GPUS;
  const machine: GpuModel[] = [];
  for (const part of spec.split(',')) {
    const [name, countText] = part.trim().split(':') as [string, string | undefined];
    const model = findGpuModel(name);
    if (!model)
      return {
        ok: false,
        message: `VLLM_SIM_GPUS: unknown GPU '${name}' (known: ${GPU_MODELS.map((g) => g.name).join(', ')}, or a size like 48GB)`,
      };
    const count = countText === undefined ? 1 : Number(countText);
    if (!Number.isInteger(count) || count < 1 || count > 16) return { ok: false, message: `VLLM_SIM_GPUS: bad count in '${part}'` };
    for (let i = 0; i < count; i++) machine.push(model);
  }
  const usedText = (env.VLLM_SIM_GPU_USED_GIB ?? '').trim();
  const used = usedText === '' ? [] : usedText.split(',').map((x) => Number(x.trim()));
  if (used.some((u) => !Number.isFinite(u) || u < 0))
    return { ok: false, message: `VLLM_SIM_GPU_USED_GIB: expected GiB numbers, got '${usedText}'` };
  const all: SimGpu[] = machine.map((m, i) => ({ ...m, physicalIndex: i, usedGiB: used.length === 1 ? used[0]! : (used[i] ?? 0) }));
  const visible = env.CUDA_VISIBLE_DEVICES;
  if (visible === undefined || visible.trim() === '') return { ok: true, gpus: all };
  const picked: SimGpu[] = [];
  for (const idx of visible.split(',')) {
    const n = Number(idx.trim());
    // CUDA stops enumerating at the first invalid entry.
    if (!Number.isInteger(n) || n < 0 || n >= all.length) break;
    picked.push(all[n]!);
  }
  return { ok: true, gpus: picked };
}
