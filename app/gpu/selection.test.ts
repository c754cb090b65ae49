import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGpuCsv } from './parse';
import { gpuSelectionEnv, parseGpuIndexList, torchCudaArchList } from './selection';

const gpus = (name: string) => parseGpuCsv(readFileSync(join(__dirname, 'fixtures', name, 'query-gpu.csv'), 'utf8')).gpus;

describe('torchCudaArchList', () => {
  it('dedups and sorts numerically', () => {
    expect(torchCudaArchList(['9.0', '9.0'])).toBe('9.0');
    expect(torchCudaArchList(['8.6', '8.0', '8.6'])).toBe('8.0;8.6');
    expect(torchCudaArchList(['10.0', '9.0', '12.0', '8.9'])).toBe('8.9;9.0;10.0;12.0');
  });
});

describe('gpuSelectionEnv', () => {
  it('two real H100s: CUDA_VISIBLE_DEVICES in index order with PCI_BUS_ID order, arch 9.0, DP 2', () => {
    expect(gpuSelectionEnv(gpus('h100x2-idle'), [1, 0, 1])).toEqual({
      indices: [0, 1],
      env: { CUDA_VISIBLE_DEVICES: '0,1', CUDA_DEVICE_ORDER: 'PCI_BUS_ID', TORCH_CUDA_ARCH_LIST: '9.0' },
      dataParallelSize: 2,
      issues: [],
    });
  });

  it('one GPU of two', () => {
    const s = gpuSelectionEnv(gpus('h100x2-idle'), [1]);
    expect(s.env.CUDA_VISIBLE_DEVICES).toBe('1');
    expect(s.dataParallelSize).toBe(1);
  });

  it('mixed GPUs: arch list of the selected ones only, and a warning about mixing', () => {
    const s = gpuSelectionEnv(gpus('mixed-4'), [3, 0, 1]);
    expect(s.env).toEqual({ CUDA_VISIBLE_DEVICES: '0,1,3', CUDA_DEVICE_ORDER: 'PCI_BUS_ID', TORCH_CUDA_ARCH_LIST: '8.0;8.6;9.0' });
    expect(s.dataParallelSize).toBe(3);
    expect(s.issues).toHaveLength(1);
    expect(s.issues[0]).toMatch(/different models/);
  });

  it('empty selection sets nothing (an empty CUDA_VISIBLE_DEVICES would hide every GPU)', () => {
    expect(gpuSelectionEnv(gpus('h100x2-idle'), [])).toEqual({ indices: [], env: {}, dataParallelSize: 0, issues: ['No GPU selected.'] });
  });

  it('unknown compute capability leaves TORCH_CUDA_ARCH_LIST out and says why', () => {
    const s = gpuSelectionEnv(gpus('na-fields'), [1]);
    expect(s.env.TORCH_CUDA_ARCH_LIST).toBeUndefined();
    expect(s.env.CUDA_VISIBLE_DEVICES).toBe('1');
    expect(s.issues.join(' ')).toMatch(/Compute capability unknown for GPU 1/);
  });

  it('an index nvidia-smi does not list is reported', () => {
    const s = gpuSelectionEnv(gpus('h100x2-idle'), [0, 5]);
    expect(s.issues[0]).toBe('GPU 5 is not present (nvidia-smi lists 0, 1).');
    expect(s.env.TORCH_CUDA_ARCH_LIST).toBeUndefined();
  });

  it('without GPU information keeps the indices and says the arch list is unknown', () => {
    const s = gpuSelectionEnv([], [0, 1]);
    expect(s.env).toEqual({ CUDA_VISIBLE_DEVICES: '0,1', CUDA_DEVICE_ORDER: 'PCI_BUS_ID' });
    expect(s.dataParallelSize).toBe(2);
    expect(s.issues[0]).toMatch(/No GPU information/);
  });
});

describe('parseGpuIndexList', () => {
  it('parses lists and "all"', () => {
    expect(parseGpuIndexList('1, 0,1')).toEqual([0, 1]);
    expect(parseGpuIndexList('all', gpus('mixed-4'))).toEqual([0, 1, 2, 3]);
  });
  it.each(['', '0,,1', 'a', '-1', '0;1', '1.5'])('rejects %j', (t) => {
    expect(() => parseGpuIndexList(t)).toThrow();
  });
  it('"all" without detected GPUs is an error', () => expect(() => parseGpuIndexList('all', [])).toThrow(/needs detected GPUs/));
});
