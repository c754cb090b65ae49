// Contract of the gpu module: GPU detection (nvidia-smi), host info, and the GPU selection that
// becomes CUDA_VISIBLE_DEVICES / TORCH_CUDA_ARCH_LIST / --data-parallel-size.
import { z } from 'zod';
import { Empty } from './common';

/** A process holding memory on a GPU (nvidia-smi --query-compute-apps). */
export const GpuProcess = z.object({
  pid: z.number().int().nonnegative(),
  /** Executable path as nvidia-smi reports it; null when hidden ("[Insufficient Permissions]", other PID namespace). */
  name: z.string().nullable(),
  /** GPU memory it holds, MiB; null where the driver does not say (WDDM, MIG, containers). */
  usedMiB: z.number().nonnegative().nullable(),
});
export type GpuProcess = z.infer<typeof GpuProcess>;

/** One GPU as nvidia-smi reports it. Every measured field is null when nvidia-smi says [N/A]. */
export const Gpu = z.object({
  /** nvidia-smi index (PCI bus order): the number CUDA_VISIBLE_DEVICES uses with CUDA_DEVICE_ORDER=PCI_BUS_ID. */
  index: z.number().int().nonnegative(),
  uuid: z.string(),
  name: z.string(),
  memoryTotalMiB: z.number().nonnegative().nullable(),
  memoryUsedMiB: z.number().nonnegative().nullable(),
  memoryFreeMiB: z.number().nonnegative().nullable(),
  utilizationPct: z.number().nonnegative().nullable(),
  temperatureC: z.number().nullable(),
  powerDrawW: z.number().nonnegative().nullable(),
  powerLimitW: z.number().nonnegative().nullable(),
  /** "9.0" for H100; null when neither nvidia-smi nor the name table knows it. */
  computeCap: z.string().nullable(),
  /** Where computeCap came from: the driver, or our name table (old drivers lack the field). */
  computeCapSource: z.enum(['nvidia-smi', 'name']).nullable(),
  driverVersion: z.string().nullable(),
  pciBusId: z.string().nullable(),
  /** Compute processes on this GPU ("who uses it"). */
  processes: z.array(GpuProcess),
});
export type Gpu = z.infer<typeof Gpu>;

/** One poll of nvidia-smi. `gpus` is empty when there is no usable GPU; `reason` then says why and what to do. */
export const GpuSnapshot = z.object({
  /** Epoch ms when the query finished. */
  at: z.number(),
  gpus: z.array(Gpu),
  /** Set when gpus is empty (no nvidia-smi, driver failure, timeout, unparsable output). */
  reason: z.string().optional(),
  /** Non-fatal problems: the process query failed, some lines could not be parsed. */
  warnings: z.array(z.string()).default([]),
  driverVersion: z.string().nullable(),
  /** Highest CUDA version the driver supports (nvidia-smi header); null when unknown. */
  cudaVersion: z.string().nullable(),
  /** The nvidia-smi that was run (VLLM_PANEL_NVIDIA_SMI or "nvidia-smi" from PATH). */
  nvidiaSmi: z.string(),
});
export type GpuSnapshot = z.infer<typeof GpuSnapshot>;

export const SystemInfo = z.object({
  cpu: z.object({
    brand: z.string(),
    manufacturer: z.string(),
    /** Logical cores (what OMP_NUM_THREADS and api-server-count are weighed against). */
    cores: z.number().int().nonnegative(),
    physicalCores: z.number().int().nonnegative(),
    speedGHz: z.number().nonnegative().nullable(),
  }),
  memory: z.object({
    totalBytes: z.number().nonnegative(),
    /** Memory a new process can get (MemAvailable on Linux), not just "free". */
    availableBytes: z.number().nonnegative(),
  }),
  os: z.object({
    platform: z.string(),
    distro: z.string(),
    release: z.string(),
    kernel: z.string(),
    arch: z.string(),
    hostname: z.string(),
  }),
});
export type SystemInfo = z.infer<typeof SystemInfo>;

/** What a GPU selection turns into for `vllm serve` (pure; see app/gpu/selection.ts). */
export const GpuSelection = z.object({
  /** Selected nvidia-smi indices, ascending, no duplicates. */
  indices: z.array(z.number().int().nonnegative()),
  /** Environment for the vLLM child: CUDA_VISIBLE_DEVICES, CUDA_DEVICE_ORDER, TORCH_CUDA_ARCH_LIST when known. */
  env: z.record(z.string(), z.string()),
  /** --data-parallel-size (the launcher runs TP=1, one engine per selected GPU). */
  dataParallelSize: z.number().int().nonnegative(),
  /** Problems with the selection: unknown index, compute capability unknown, mixed GPU models. */
  issues: z.array(z.string()),
});
export type GpuSelection = z.infer<typeof GpuSelection>;

export const GpuIndices = z.array(z.number().int().nonnegative().max(1023)).max(1024);

export const gpuCommands = {
  /** Queries nvidia-smi now (or returns the poller's snapshot when it is younger than maxAgeMs). */
  'gpu:list': { req: z.object({ maxAgeMs: z.number().int().nonnegative().optional() }).strict().optional(), res: GpuSnapshot },
  /** Starts (on: true) or stops (on: false) pushing `gpus` events every settings.gpuPollMs. Counted per caller. */
  'gpu:watch': {
    req: z.object({ on: z.boolean() }).strict(),
    res: z.object({ watching: z.boolean(), intervalMs: z.number().int().positive() }),
  },
  /** The GPUs the next launch uses (persisted next to the settings). */
  'gpu:selection': { req: Empty, res: GpuSelection },
  'gpu:select': { req: z.object({ indices: GpuIndices }).strict(), res: GpuSelection },
  'system:info': { req: Empty, res: SystemInfo },
} as const;

export const gpuEvents = {
  /** A fresh nvidia-smi snapshot, pushed while someone watches (gpu:watch). */
  gpus: GpuSnapshot,
  /** The selection changed (any window, any shell). */
  'gpu-selection': GpuSelection,
} as const;
