// 'plan:compute' for the core: loads the model config (memoized per config.json + mtime), turns a
// GPU selection into per-GPU memory via the gpu module's 'gpu:list', and runs the planner.
import type { Gpu } from '../contract/gpu';
import type { CoreContext, Handlers } from '../host/context';
import { ModelConfigCache } from './model-config';
import { type PlannerGpu, plan, usableGiBFromNvidiaSmi } from './planner';

type PlannerHandlers = Pick<Handlers, 'plan:compute'>;

/** nvidia-smi is slow (tens of ms): reuse a snapshot this young while the user types. */
export const PLAN_GPU_SNAPSHOT_MAX_AGE_MS = 5_000;

/** The planner's view of several selected GPUs: the smallest one, with the most memory in use (every DP rank must fit). */
export function plannerGpuFromSnapshot(gpus: readonly Gpu[], indices: readonly number[], reason?: string): PlannerGpu {
  const unique = [...new Set(indices)];
  if (gpus.length === 0)
    return { memoryGiB: null, count: unique.length, unknownReason: reason ?? 'No GPU found (nvidia-smi reported none).' };
  const selected = unique.map((i) => gpus.find((g) => g.index === i));
  const missing = unique.filter((_, k) => selected[k] === undefined);
  if (missing.length > 0)
    return {
      memoryGiB: null,
      count: unique.length,
      unknownReason: `No GPU with index ${missing.join(', ')} (nvidia-smi lists ${gpus.map((g) => g.index).join(', ')}).`,
    };
  const found = selected as Gpu[];
  if (found.some((g) => g.memoryTotalMiB === null))
    return { memoryGiB: null, count: unique.length, unknownReason: 'nvidia-smi did not report the GPU memory size ([N/A]).' };
  let memoryGiB = Number.POSITIVE_INFINITY;
  let usedGiB = 0;
  const processes: NonNullable<PlannerGpu['processes']> = [];
  for (const g of found) {
    memoryGiB = Math.min(memoryGiB, usableGiBFromNvidiaSmi(g.memoryTotalMiB as number));
    // Prefer the processes' own numbers: memory.used also counts what the driver reserves,
    // which usableGiBFromNvidiaSmi already took off the total.
    const procMiB = g.processes.reduce((s, p) => s + (p.usedMiB ?? 0), 0);
    const usedMiB = g.processes.length > 0 && g.processes.every((p) => p.usedMiB !== null) ? procMiB : (g.memoryUsedMiB ?? 0);
    usedGiB = Math.max(usedGiB, usedMiB / 1024);
    for (const p of g.processes) processes.push({ pid: p.pid, name: p.name, usedGiB: p.usedMiB === null ? null : p.usedMiB / 1024 });
  }
  const names = [...new Set(found.map((g) => g.name))];
  return { memoryGiB, usedGiB, count: unique.length, name: names.length === 1 ? (names[0] as string) : names.join(' + '), processes };
}

export function plannerHandlers(ctx: CoreContext): PlannerHandlers {
  const configs = new ModelConfigCache();
  return {
    'plan:compute': async (req) => {
      const loaded = await configs.load(req.model, {
        env: ctx.deps.env,
        cwd: ctx.deps.paths.cwd,
        ...(req.hfHome ? { hfHome: req.hfHome } : {}),
      });
      let gpu: PlannerGpu;
      if ('indices' in req.gpu) {
        try {
          const snap = await ctx.call('gpu:list', { maxAgeMs: PLAN_GPU_SNAPSHOT_MAX_AGE_MS });
          gpu = plannerGpuFromSnapshot(snap.gpus, req.gpu.indices, snap.reason);
        } catch (err) {
          gpu = { memoryGiB: null, count: req.gpu.indices.length, unknownReason: `Could not read the GPUs: ${(err as Error).message}` };
        }
      } else {
        gpu = {
          memoryGiB: req.gpu.memoryGiB,
          ...(req.gpu.usedGiB !== undefined ? { usedGiB: req.gpu.usedGiB } : {}),
          ...(req.gpu.count !== undefined ? { count: req.gpu.count } : {}),
          ...(req.gpu.name !== undefined ? { name: req.gpu.name } : {}),
        };
      }
      return plan({
        model: loaded.ok ? { ok: true, geometry: loaded.geometry } : { ok: false, reason: loaded.reason },
        gpu,
        flags: req.flags,
        ...(req.availableKvGiB !== undefined ? { availableKvGiB: req.availableKvGiB } : {}),
        vllmVersion: req.vllmVersion ?? null,
      });
    },
  };
}
