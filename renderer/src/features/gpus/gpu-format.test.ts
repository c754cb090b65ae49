import { describe, expect, it } from 'vitest';
import { envPreviewLines, gib, headline, memoryLevel, memoryPct, memoryText, powerText, processName, systemLine } from './gpu-format';

describe('gpu-format', () => {
  it('memory in GiB and percent, with unknowns', () => {
    expect(gib(81559)).toBe('79.6');
    expect(memoryText({ memoryUsedMiB: 3149, memoryTotalMiB: 81559 })).toBe('3.1 / 79.6 GiB');
    expect(memoryText({ memoryUsedMiB: null, memoryTotalMiB: 97871 })).toBe('? / 95.6 GiB');
    expect(memoryPct({ memoryUsedMiB: 40960, memoryTotalMiB: 81920 })).toBe(50);
    expect(memoryPct({ memoryUsedMiB: null, memoryTotalMiB: 1 })).toBeNull();
    expect(memoryPct({ memoryUsedMiB: 1, memoryTotalMiB: 0 })).toBeNull();
  });

  it('bar levels', () => {
    expect([memoryLevel(null), memoryLevel(0.5), memoryLevel(50), memoryLevel(95)]).toEqual(['unknown', 'ok', 'busy', 'full']);
  });

  it('power and process names', () => {
    expect(powerText({ powerDrawW: 693.03, powerLimitW: 700 })).toBe('693 W / 700 W');
    expect(powerText({ powerDrawW: null, powerLimitW: null })).toBe('n/a');
    expect(processName('/opt/venv/bin/python3')).toBe('python3');
    expect(processName(null)).toMatch(/hidden/);
  });

  it('env preview lines in launcher order, nothing for an empty selection', () => {
    expect(
      envPreviewLines({
        indices: [0, 1],
        env: { CUDA_VISIBLE_DEVICES: '0,1', TORCH_CUDA_ARCH_LIST: '9.0', CUDA_DEVICE_ORDER: 'PCI_BUS_ID' },
        dataParallelSize: 2,
        issues: [],
      }),
    ).toEqual(['CUDA_DEVICE_ORDER=PCI_BUS_ID', 'CUDA_VISIBLE_DEVICES=0,1', 'TORCH_CUDA_ARCH_LIST=9.0', '--data-parallel-size 2']);
    expect(envPreviewLines({ indices: [], env: {}, dataParallelSize: 0, issues: [] })).toEqual([]);
    expect(envPreviewLines(null)).toEqual([]);
  });

  it('headline and system line', () => {
    expect(
      headline({
        at: 0,
        gpus: [{} as never, {} as never],
        warnings: [],
        driverVersion: '580.159.04',
        cudaVersion: '13.0',
        nvidiaSmi: 'nvidia-smi',
      }),
    ).toBe('2 GPUs · driver 580.159.04 · CUDA 13.0');
    expect(systemLine(null)).toBeNull();
    expect(
      systemLine({
        cpu: { brand: 'EPYC 9654', manufacturer: 'AMD', cores: 32, physicalCores: 16, speedGHz: 2.4 },
        memory: { totalBytes: 256 * 1024 ** 3, availableBytes: 200 * 1024 ** 3 },
        os: { platform: 'linux', distro: 'Ubuntu', release: '24.04', kernel: '6.8', arch: 'x64', hostname: 'h' },
      }),
    ).toBe('EPYC 9654 (32 threads) · RAM 200 of 256 GiB free · Ubuntu 24.04');
  });
});
