import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeCapFromName } from './compute-cap';
import { attachProcesses, isMissing, normaliseComputeCap, parseAppsCsv, parseGpuCsv, parseSmiHeader, splitCsvLine } from './parse';

const fx = (name: string, file: string) => readFileSync(join(__dirname, 'fixtures', name, file), 'utf8');

describe('splitCsvLine', () => {
  it('splits nvidia-smi ", " separated fields and trims extra spaces', () => {
    expect(splitCsvLine('0,  GPU-x ,NVIDIA H100 80GB HBM3,  81559 ')).toEqual(['0', 'GPU-x', 'NVIDIA H100 80GB HBM3', '81559']);
  });
  it('keeps commas and doubled quotes inside quoted fields', () => {
    expect(splitCsvLine('1, "Device, rev ""2""" , 3')).toEqual(['1', 'Device, rev "2"', '3']);
  });
  it('keeps an empty last field', () => {
    expect(splitCsvLine('a,')).toEqual(['a', '']);
  });
});

describe('missing values', () => {
  it.each(['[N/A]', '[Not Supported]', '[Insufficient Permissions]', '[Unknown Error]', 'N/A', '', '  '])('%j is missing', (v) => {
    expect(isMissing(v)).toBe(true);
  });
  it('a number is not missing', () => expect(isMissing('0')).toBe(false));
  it('normalises compute capabilities', () => {
    expect(normaliseComputeCap('9.0')).toBe('9.0');
    expect(normaliseComputeCap(' 8.6 ')).toBe('8.6');
    expect(normaliseComputeCap('12')).toBe('12.0');
    expect(normaliseComputeCap('[N/A]')).toBeNull();
    expect(normaliseComputeCap('sm_90')).toBeNull();
  });
});

describe('parseGpuCsv on real H100 output (fixtures/h100x2-*)', () => {
  it('reads both idle H100s exactly', () => {
    const { gpus, rejected } = parseGpuCsv(fx('h100x2-idle', 'query-gpu.csv'));
    expect(rejected).toEqual([]);
    expect(gpus).toHaveLength(2);
    expect(gpus[0]).toEqual({
      index: 0,
      uuid: 'GPU-a53906aa-26e5-53ec-c550-94040b63f8f7',
      name: 'NVIDIA H100 80GB HBM3',
      memoryTotalMiB: 81559,
      memoryUsedMiB: 0,
      memoryFreeMiB: 81079,
      utilizationPct: 0,
      temperatureC: 39,
      powerDrawW: 72.23,
      powerLimitW: 700,
      computeCap: '9.0',
      computeCapSource: 'nvidia-smi',
      driverVersion: '580.159.04',
      pciBusId: '00000000:00:06.0',
    });
    expect(gpus[1]?.index).toBe(1);
    expect(gpus[1]?.pciBusId).toBe('00000000:00:07.0');
  });

  it('reads the busy capture and attaches each python process to its own GPU', () => {
    const { gpus } = parseGpuCsv(fx('h100x2-busy', 'query-gpu.csv'));
    const { apps, rejected } = parseAppsCsv(fx('h100x2-busy', 'query-compute-apps.csv'));
    expect(rejected).toEqual([]);
    const joined = attachProcesses(gpus, apps);
    expect(joined.orphans).toEqual([]);
    expect(joined.gpus[0]?.memoryUsedMiB).toBe(3149);
    expect(joined.gpus[0]?.utilizationPct).toBe(93);
    expect(joined.gpus[0]?.processes).toEqual([{ pid: 1066, name: 'python3', usedMiB: 3140 }]);
    expect(joined.gpus[1]?.processes).toEqual([{ pid: 1067, name: 'python3', usedMiB: 2116 }]);
  });

  it('treats the real empty process list (no output) as no processes', () => {
    expect(parseAppsCsv(fx('h100x2-idle', 'query-compute-apps.csv'))).toEqual({ apps: [], rejected: [] });
  });

  it('reads CUDA and driver versions from the real plain nvidia-smi header', () => {
    expect(parseSmiHeader(fx('h100x2-idle', 'nvidia-smi.txt'))).toEqual({ cudaVersion: '13.0', driverVersion: '580.159.04' });
    expect(parseSmiHeader('garbage')).toEqual({ cudaVersion: null, driverVersion: null });
  });
});

describe('parseGpuCsv on synthetic fixtures', () => {
  it('one H100', () => {
    const { gpus } = parseGpuCsv(fx('h100-single', 'query-gpu.csv'));
    expect(gpus.map((g) => [g.index, g.name, g.computeCap])).toEqual([[0, 'NVIDIA H100 80GB HBM3', '9.0']]);
  });

  it('mixed GPUs: every compute capability and process, hidden names and [N/A] memory as null', () => {
    const { gpus } = parseGpuCsv(fx('mixed-4', 'query-gpu.csv'));
    expect(gpus.map((g) => g.computeCap)).toEqual(['8.0', '8.6', '8.9', '9.0']);
    const { apps } = parseAppsCsv(fx('mixed-4', 'query-compute-apps.csv'));
    const joined = attachProcesses(gpus, apps).gpus;
    expect(joined[1]?.processes).toEqual([]);
    // sorted by memory, the unknown-memory process last
    expect(joined[2]?.processes).toEqual([
      { pid: 6001, name: '/home/ann/miniconda3/envs/sd/bin/python', usedMiB: 4096 },
      { pid: 5151, name: '/usr/lib/xorg/Xorg', usedMiB: 512 },
      { pid: 5152, name: null, usedMiB: null },
    ]);
  });

  it('[N/A], [Not Supported], [Insufficient Permissions] and N/A become null; a quoted name with a comma survives', () => {
    const { gpus, rejected } = parseGpuCsv(fx('na-fields', 'query-gpu.csv'));
    expect(rejected).toEqual([]);
    const [gh, dev, l4] = gpus;
    expect(gh).toMatchObject({
      name: 'NVIDIA GH200 480GB',
      uuid: 'GPU-22222222-0000-0000-0000-000000000000',
      memoryTotalMiB: 97871,
      memoryUsedMiB: null,
      memoryFreeMiB: null,
      utilizationPct: null,
      temperatureC: null,
      powerDrawW: null,
      powerLimitW: null,
      computeCap: '9.0',
    });
    expect(dev).toMatchObject({
      name: 'NVIDIA Graphics Device, rev 2',
      utilizationPct: null,
      powerDrawW: null,
      computeCap: null,
      computeCapSource: null,
    });
    expect(l4).toMatchObject({ memoryUsedMiB: null, utilizationPct: null, temperatureC: 41, pciBusId: null, computeCap: '8.9' });
    expect(parseAppsCsv(fx('na-fields', 'query-compute-apps.csv'))).toEqual({ apps: [], rejected: [] });
  });

  it('garbage gives no GPU and reports every line it refused', () => {
    const { gpus, rejected } = parseGpuCsv(fx('garbage', 'query-gpu.csv'));
    expect(gpus).toEqual([]);
    expect(rejected).toHaveLength(3);
    expect(parseAppsCsv(fx('garbage', 'query-compute-apps.csv')).rejected).toEqual(['this is not csv at all']);
  });

  it('old drivers: parses the list without compute_cap and takes it from the name', () => {
    const fields = [
      'index',
      'uuid',
      'name',
      'memory.total',
      'memory.used',
      'memory.free',
      'utilization.gpu',
      'temperature.gpu',
      'power.draw',
      'power.limit',
      'driver_version',
      'pci.bus_id',
    ];
    const { gpus } = parseGpuCsv(fx('old-driver', 'query-gpu.csv'), fields);
    expect(gpus.map((g) => [g.name, g.computeCap, g.computeCapSource, g.driverVersion])).toEqual([
      ['Tesla V100-SXM2-32GB', '7.0', 'name', '470.182.03'],
      ['Tesla T4', '7.5', 'name', '470.182.03'],
    ]);
  });

  it('sorts rows by index even if printed out of order, and rejects rows with a wrong field count', () => {
    const line = fx('h100-single', 'query-gpu.csv').trim();
    const other = line.replace(/^0,/, '1,');
    const { gpus, rejected } = parseGpuCsv(`${other}\n${line}\n${line.split(',').slice(0, 5).join(',')}\n`);
    expect(gpus.map((g) => g.index)).toEqual([0, 1]);
    expect(rejected).toHaveLength(1);
  });

  it('collects processes on a GPU that is not in the list as orphans', () => {
    const { gpus } = parseGpuCsv(fx('h100-single', 'query-gpu.csv'));
    const { apps } = parseAppsCsv(fx('h100x2-busy', 'query-compute-apps.csv'));
    const r = attachProcesses(gpus, apps);
    expect(r.gpus[0]?.processes.map((p) => p.pid)).toEqual([1066]);
    expect(r.orphans.map((o) => o.pid)).toEqual([1067]);
  });
});

describe('computeCapFromName', () => {
  it.each([
    ['NVIDIA H100 80GB HBM3', '9.0'],
    ['NVIDIA H200', '9.0'],
    ['NVIDIA GH200 480GB', '9.0'],
    ['NVIDIA A100-SXM4-80GB', '8.0'],
    ['NVIDIA A10G', '8.6'],
    ['NVIDIA RTX A6000', '8.6'],
    ['NVIDIA GeForce RTX 3090', '8.6'],
    ['NVIDIA L40S', '8.9'],
    ['NVIDIA L4', '8.9'],
    ['NVIDIA GeForce RTX 4090', '8.9'],
    ['NVIDIA RTX 6000 Ada Generation', '8.9'],
    ['Tesla V100-SXM2-32GB', '7.0'],
    ['Tesla T4', '7.5'],
    ['NVIDIA B200', '10.0'],
    ['NVIDIA GeForce RTX 5090', '12.0'],
    ['Tesla P100-PCIE-16GB', '6.0'],
  ])('%s → %s', (name, cc) => expect(computeCapFromName(name)).toBe(cc));
  it('unknown names give null', () => expect(computeCapFromName('NVIDIA Graphics Device')).toBeNull());
});
