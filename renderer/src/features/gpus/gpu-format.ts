// Pure display helpers for the GPU panel (tested in gpu-format.test.ts).
import type { Gpu, GpuSelection, GpuSnapshot, SystemInfo } from '../../stores/gpu-store';

const MIB_PER_GIB = 1024;

export function gib(mib: number | null, digits = 1): string {
  return mib === null ? '?' : (mib / MIB_PER_GIB).toFixed(digits);
}

/** Used memory as a share of total, 0–100; null when either is unknown. */
export function memoryPct(g: Pick<Gpu, 'memoryUsedMiB' | 'memoryTotalMiB'>): number | null {
  if (g.memoryUsedMiB === null || g.memoryTotalMiB === null || g.memoryTotalMiB <= 0) return null;
  return Math.min(100, Math.max(0, (g.memoryUsedMiB / g.memoryTotalMiB) * 100));
}

export function memoryText(g: Pick<Gpu, 'memoryUsedMiB' | 'memoryTotalMiB'>): string {
  return `${gib(g.memoryUsedMiB)} / ${gib(g.memoryTotalMiB)} GiB`;
}

/**
 * Bar colour: above 90 % a launch with --gpu-memory-utilization 0.95 cannot get its share, and
 * above 5 % something else already holds memory worth checking.
 */
export function memoryLevel(pct: number | null): 'ok' | 'busy' | 'full' | 'unknown' {
  if (pct === null) return 'unknown';
  if (pct >= 90) return 'full';
  if (pct >= 5) return 'busy';
  return 'ok';
}

export function stat(value: number | null, unit: string, digits = 0): string {
  return value === null ? 'n/a' : `${value.toFixed(digits)}${unit}`;
}

export function powerText(g: Pick<Gpu, 'powerDrawW' | 'powerLimitW'>): string {
  if (g.powerDrawW === null && g.powerLimitW === null) return 'n/a';
  return `${stat(g.powerDrawW, ' W')} / ${stat(g.powerLimitW, ' W')}`;
}

export function processName(name: string | null): string {
  if (name === null) return 'hidden (no permission)';
  // nvidia-smi gives full paths; the last part is what people recognise.
  const parts = name.split('/');
  return parts[parts.length - 1] || name;
}

/** The lines of the environment preview, in the order a launcher script would set them. */
export function envPreviewLines(sel: GpuSelection | null): string[] {
  if (!sel || sel.indices.length === 0) return [];
  const order = ['CUDA_DEVICE_ORDER', 'CUDA_VISIBLE_DEVICES', 'TORCH_CUDA_ARCH_LIST'];
  const keys = [...order.filter((k) => k in sel.env), ...Object.keys(sel.env).filter((k) => !order.includes(k))];
  return [...keys.map((k) => `${k}=${sel.env[k]}`), `--data-parallel-size ${sel.dataParallelSize}`];
}

export function headline(s: GpuSnapshot): string {
  const n = s.gpus.length;
  const parts = [`${n} GPU${n === 1 ? '' : 's'}`];
  if (s.driverVersion) parts.push(`driver ${s.driverVersion}`);
  if (s.cudaVersion) parts.push(`CUDA ${s.cudaVersion}`);
  return parts.join(' · ');
}

export function systemLine(sys: SystemInfo | null): string | null {
  if (!sys) return null;
  const gb = (b: number) => (b / 1024 ** 3).toFixed(0);
  return `${sys.cpu.brand} (${sys.cpu.cores} threads) · RAM ${gb(sys.memory.availableBytes)} of ${gb(sys.memory.totalBytes)} GiB free · ${sys.os.distro} ${sys.os.release}`.trim();
}
