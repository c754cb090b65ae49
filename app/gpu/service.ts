// The GPU module's long-lived state inside one core: the poller, the latest snapshot and the
// persisted GPU selection. Other modules (command builder, server supervisor) reach the same
// instance through gpuService(ctx) instead of re-running nvidia-smi or re-reading the file.
import { join } from 'node:path';
import { z } from 'zod';
import { GpuIndices, type GpuSelection, type GpuSnapshot, type SystemInfo } from '../contract/gpu';
import type { CoreContext } from '../host/context';
import { PanelError } from '../host/context';
import { loadJson, saveJson } from '../store/json-file';
import { GpuPoller } from './poller';
import { queryGpus } from './query';
import { gpuSelectionEnv, normaliseIndices } from './selection';
import { readSystemInfo, type SystemInfoSource } from './system-info';

const SelectionFile = z.object({ indices: GpuIndices });

/** How old a snapshot may be when a selection is checked against it (one default poll interval). */
const SELECTION_SNAPSHOT_MAX_AGE_MS = 2000;

export interface GpuServiceOptions {
  systemInfo?: SystemInfoSource;
}

export class GpuService {
  readonly poller: GpuPoller;
  private saved: number[] | null | undefined;
  private readonly file: string;
  private readonly systemInfoSource: SystemInfoSource;

  constructor(
    private readonly ctx: CoreContext,
    opts: GpuServiceOptions = {},
  ) {
    this.file = join(ctx.deps.paths.configDir, 'gpu-selection.json');
    this.systemInfoSource = opts.systemInfo ?? readSystemInfo;
    this.poller = new GpuPoller({
      query: ({ withHeader, cudaVersion }) =>
        queryGpus({ run: ctx.deps.run, env: ctx.deps.env, now: ctx.deps.clock.now, withHeader, cudaVersion }),
      intervalMs: () => ctx.settings.get().gpuPollMs,
      clock: ctx.deps.clock,
      onSnapshot: (s) => ctx.emit('gpus', s),
    });
    ctx.onDispose(() => this.poller.dispose());
  }

  snapshot(maxAgeMs = 0): Promise<GpuSnapshot> {
    return this.poller.get(maxAgeMs);
  }

  systemInfo(): Promise<SystemInfo> {
    return this.systemInfoSource();
  }

  /** The saved selection, or null when the user never chose (then every detected GPU is used). */
  private async savedIndices(): Promise<number[] | null> {
    if (this.saved === undefined) {
      const r = await loadJson(this.file, SelectionFile.nullable(), () => null);
      if (r.problem) this.ctx.emit('notice', { level: 'warning', message: r.problem.message, at: this.ctx.deps.clock.now() });
      this.saved = r.value ? normaliseIndices(r.value.indices) : null;
    }
    return this.saved;
  }

  /** The selection the next launch uses, with its env and data-parallel size. */
  async selection(): Promise<GpuSelection> {
    const snap = await this.snapshot(SELECTION_SNAPSHOT_MAX_AGE_MS);
    const saved = await this.savedIndices();
    return gpuSelectionEnv(snap.gpus, saved ?? snap.gpus.map((g) => g.index));
  }

  async select(indices: number[]): Promise<GpuSelection> {
    const wanted = normaliseIndices(indices);
    const snap = await this.snapshot(SELECTION_SNAPSHOT_MAX_AGE_MS);
    if (snap.gpus.length > 0) {
      const known = new Set(snap.gpus.map((g) => g.index));
      const missing = wanted.filter((i) => !known.has(i));
      if (missing.length > 0) {
        const present = [...known].sort((a, b) => a - b);
        throw new PanelError(
          'unknown_gpu',
          `No GPU with index ${missing.join(', ')}: nvidia-smi lists ${present.join(', ')}.`,
          [{ label: `Select GPU ${present.join(', ')}`, action: { type: 'select-gpus', gpus: present } }],
          'indices',
        );
      }
    }
    await saveJson(this.file, { indices: wanted });
    this.saved = wanted;
    const sel = gpuSelectionEnv(snap.gpus, wanted);
    this.ctx.emit('gpu-selection', sel);
    return sel;
  }
}

const services = new WeakMap<CoreContext, GpuService>();

/** The one GpuService of a core (created on first use). */
export function gpuService(ctx: CoreContext, opts?: GpuServiceOptions): GpuService {
  let s = services.get(ctx);
  if (!s) {
    s = new GpuService(ctx, opts);
    services.set(ctx, s);
  }
  return s;
}
