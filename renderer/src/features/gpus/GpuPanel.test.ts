import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { GpuSnapshot } from '../../stores/gpu-store';
import { GpuPanelView, type GpuPanelViewProps } from './GpuPanel';

const noop = () => {};
const base: GpuPanelViewProps = {
  snapshot: null,
  selection: null,
  system: null,
  status: 'loading',
  errorMessage: null,
  onToggle: noop,
  onRefresh: noop,
};
const render = (p: Partial<GpuPanelViewProps>) => renderToStaticMarkup(createElement(GpuPanelView, { ...base, ...p }));

const snapshot: GpuSnapshot = {
  at: 1,
  gpus: [
    {
      index: 0,
      uuid: 'GPU-a',
      name: 'NVIDIA H100 80GB HBM3',
      memoryTotalMiB: 81559,
      memoryUsedMiB: 3149,
      memoryFreeMiB: 77931,
      utilizationPct: 93,
      temperatureC: 59,
      powerDrawW: 693.03,
      powerLimitW: 700,
      computeCap: '9.0',
      computeCapSource: 'nvidia-smi',
      driverVersion: '580.159.04',
      pciBusId: '00000000:00:06.0',
      processes: [{ pid: 1066, name: 'python3', usedMiB: 3140 }],
    },
    {
      index: 1,
      uuid: 'GPU-b',
      name: 'Tesla T4',
      memoryTotalMiB: null,
      memoryUsedMiB: null,
      memoryFreeMiB: null,
      utilizationPct: null,
      temperatureC: null,
      powerDrawW: null,
      powerLimitW: null,
      computeCap: '7.5',
      computeCapSource: 'name',
      driverVersion: null,
      pciBusId: null,
      processes: [{ pid: 7, name: null, usedMiB: null }],
    },
  ],
  warnings: ['This driver has no compute_cap query'],
  driverVersion: '580.159.04',
  cudaVersion: '13.0',
  nvidiaSmi: 'nvidia-smi',
};

describe('GpuPanelView', () => {
  it('loading: an empty state saying what will appear', () => {
    const html = render({});
    expect(html).toContain('data-testid="gpu-panel-empty"');
    expect(html).toContain('Reading nvidia-smi');
  });

  it('no GPU: says so and shows the reason', () => {
    const html = render({ snapshot: { ...snapshot, gpus: [], reason: 'nvidia-smi was not found on PATH', warnings: [] } });
    expect(html).toContain('No NVIDIA GPU detected');
    expect(html).toMatch(/data-testid="gpu-empty-reason">nvidia-smi was not found on PATH</);
    expect(html).not.toContain('gpu-card-');
  });

  it('cards with ticks, memory meter, stats, processes and the env preview', () => {
    const html = render({
      snapshot,
      selection: {
        indices: [0],
        env: { CUDA_VISIBLE_DEVICES: '0', CUDA_DEVICE_ORDER: 'PCI_BUS_ID', TORCH_CUDA_ARCH_LIST: '9.0' },
        dataParallelSize: 1,
        issues: [],
      },
    });
    expect(html).toMatch(/data-testid="gpu-card-0"[^>]*data-selected="true"/);
    expect(html).toMatch(/data-testid="gpu-card-1"[^>]*data-selected="false"/);
    expect(html).toMatch(/<input id="gpu-select-0" type="checkbox" data-testid="gpu-select-0" checked=""\/>/);
    expect(html).toMatch(/<input id="gpu-select-1" type="checkbox" data-testid="gpu-select-1"\/>/);
    expect(html).toMatch(/<label for="gpu-select-0"/);
    expect(html).toMatch(
      /class="gpu-bar gpu-bar--ok" aria-hidden="true" data-pct="4"><div class="gpu-bar__fill" style="width:3.86[0-9]*%"/,
    );
    expect(html).toContain('data-testid="gpu-mem-0">3.1 / 79.6 GiB<');
    expect(html).toContain('class="gpu-bar gpu-bar--unknown" aria-hidden="true" data-pct=""');
    expect(html).toContain('93%');
    expect(html).toContain('693 W / 700 W');
    expect(html).toContain('CC 7.5*');
    expect(html).toContain('hidden (no permission)');
    expect(html).toContain('>1066<');
    expect(html).toContain('2 GPUs · driver 580.159.04 · CUDA 13.0');
    expect(html).toMatch(
      /data-testid="gpu-env-preview">CUDA_DEVICE_ORDER=PCI_BUS_ID\nCUDA_VISIBLE_DEVICES=0\nTORCH_CUDA_ARCH_LIST=9.0\n--data-parallel-size 1</,
    );
    expect(html).toContain('data-testid="gpu-warnings"');
  });

  it('shows selection issues', () => {
    const html = render({ snapshot, selection: { indices: [], env: {}, dataParallelSize: 0, issues: ['No GPU selected.'] } });
    expect(html).toMatch(/data-testid="gpu-env-preview"># no GPU selected</);
    expect(html).toMatch(/data-testid="gpu-selection-issues"><li>No GPU selected.<\/li>/);
  });
});
