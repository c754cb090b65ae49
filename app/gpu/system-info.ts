// CPU, RAM and OS through systeminformation. (Its graphics() is not used for NVIDIA GPUs: on a
// real H100 VM it matched no GPU and reported free system memory as VRAM; see issue 3.)
import si from 'systeminformation';
import { SystemInfo } from '../contract/gpu';

export type SystemInfoSource = () => Promise<SystemInfo>;

export const readSystemInfo: SystemInfoSource = async () => {
  const [cpu, mem, os] = await Promise.all([si.cpu(), si.mem(), si.osInfo()]);
  // systeminformation returns 0 / '' for what it cannot read; keep those, but never NaN.
  const speed = Number.isFinite(cpu.speed) && cpu.speed > 0 ? cpu.speed : null;
  return SystemInfo.parse({
    cpu: {
      brand: cpu.brand || 'unknown',
      manufacturer: cpu.manufacturer || 'unknown',
      cores: cpu.cores,
      physicalCores: cpu.physicalCores,
      speedGHz: speed,
    },
    memory: { totalBytes: mem.total, availableBytes: mem.available },
    os: {
      platform: os.platform,
      distro: os.distro,
      release: os.release,
      kernel: os.kernel,
      arch: os.arch,
      hostname: os.hostname,
    },
  });
};
