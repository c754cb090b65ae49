import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execaRun, type RunCommand, type RunResult } from '../host/deps';
import { queryGpus } from './query';

const FIXTURES = join(__dirname, 'fixtures');
const FAKE = resolve(__dirname, '../../scripts/fake-nvidia-smi.mjs');
const now = () => 1_700_000_000_000;
const ok = (stdout: string): RunResult => ({ exitCode: 0, stdout, stderr: '', timedOut: false });

/** Answers like nvidia-smi from a fixture folder, recording every call. */
function fixtureRun(name: string, calls: { file: string; args: readonly string[] }[] = []): RunCommand {
  const read = (f: string) => {
    const p = join(FIXTURES, name, f);
    return existsSync(p) ? readFileSync(p, 'utf8') : '';
  };
  return async (file, args) => {
    calls.push({ file, args });
    if (args[0]?.startsWith('--query-gpu=')) return ok(read('query-gpu.csv'));
    if (args[0]?.startsWith('--query-compute-apps=')) return ok(read('query-compute-apps.csv'));
    return ok(read('nvidia-smi.txt'));
  };
}

describe('queryGpus', () => {
  it('builds a snapshot from the real busy H100 capture, with the CUDA version from the header', async () => {
    const calls: { file: string; args: readonly string[] }[] = [];
    const s = await queryGpus({ run: fixtureRun('h100x2-busy', calls), env: {}, now, withHeader: true });
    expect(s.reason).toBeUndefined();
    expect(s.gpus.map((g) => g.processes.map((p) => p.pid))).toEqual([[1066], [1067]]);
    expect(s).toMatchObject({ at: now(), driverVersion: '580.159.04', cudaVersion: '13.0', nvidiaSmi: 'nvidia-smi', warnings: [] });
    expect(calls.map((c) => c.args)).toEqual([
      [
        '--query-gpu=index,uuid,name,memory.total,memory.used,memory.free,utilization.gpu,temperature.gpu,power.draw,power.limit,compute_cap,driver_version,pci.bus_id',
        '--format=csv,noheader,nounits',
      ],
      ['--query-compute-apps=gpu_uuid,pid,process_name,used_memory', '--format=csv,noheader,nounits'],
      [],
    ]);
  });

  it('skips the header query unless asked, and keeps a CUDA version it was given', async () => {
    const calls: { file: string; args: readonly string[] }[] = [];
    const s = await queryGpus({ run: fixtureRun('h100-single', calls), env: {}, now, cudaVersion: '12.8' });
    expect(calls).toHaveLength(2);
    expect(s.cudaVersion).toBe('12.8');
  });

  it('uses VLLM_PANEL_NVIDIA_SMI as the program and passes a timeout', async () => {
    const seen: { file: string; timeout?: number }[] = [];
    const run: RunCommand = async (file, args, opts) => {
      seen.push({ file, timeout: opts?.timeoutMs });
      return fixtureRun('h100-single')(file, args, opts);
    };
    const s = await queryGpus({ run, env: { VLLM_PANEL_NVIDIA_SMI: '/opt/nv/nvidia-smi' }, now, timeoutMs: 1234 });
    expect(seen.every((c) => c.file === '/opt/nv/nvidia-smi' && c.timeout === 1234)).toBe(true);
    expect(s.nvidiaSmi).toBe('/opt/nv/nvidia-smi');
  });

  const failing =
    (r: Partial<RunResult>): RunCommand =>
    async () => ({ exitCode: null, stdout: '', stderr: '', timedOut: false, ...r });

  it('missing nvidia-smi → no GPUs and a reason that says what to do', async () => {
    const s = await queryGpus({ run: failing({ spawnError: 'spawn nvidia-smi ENOENT' }), env: {}, now });
    expect(s.gpus).toEqual([]);
    expect(s.reason).toMatch(/not found on PATH/);
    expect(s.reason).toMatch(/VLLM_PANEL_NVIDIA_SMI/);
  });

  it('a bad VLLM_PANEL_NVIDIA_SMI path is named in the reason', async () => {
    const s = await queryGpus({ run: failing({ spawnError: 'spawn /x ENOENT' }), env: { VLLM_PANEL_NVIDIA_SMI: '/x' }, now });
    expect(s.reason).toMatch(/VLLM_PANEL_NVIDIA_SMI is set to "\/x"/);
  });

  it('a timeout is reported, never thrown', async () => {
    const s = await queryGpus({ run: failing({ timedOut: true }), env: {}, now, timeoutMs: 10_000 });
    expect(s.gpus).toEqual([]);
    expect(s.reason).toMatch(/did not answer within 10 s/);
  });

  it.each([
    [9, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.", /cannot talk to the NVIDIA driver/],
    [18, 'Failed to initialize NVML: Driver/library version mismatch', /Reboot/],
    [6, 'No devices were found', /found no NVIDIA GPU/],
    [4, 'Insufficient Permissions', /refused access/],
    [3, 'something odd', /failed \(exit code 3\): something odd/],
  ])('exit %i (%s) → a specific reason', async (code, text, re) => {
    const s = await queryGpus({ run: failing({ exitCode: code, stdout: `${text}\n` }), env: {}, now });
    expect(s.gpus).toEqual([]);
    expect(s.reason).toMatch(re);
  });

  it('garbage output → no GPUs, the reason quotes it', async () => {
    const s = await queryGpus({ run: fixtureRun('garbage'), env: {}, now });
    expect(s.gpus).toEqual([]);
    expect(s.reason).toMatch(/502 Bad Gateway/);
  });

  it('empty output → no GPUs with a reason', async () => {
    const s = await queryGpus({ run: async () => ok(''), env: {}, now });
    expect(s.reason).toMatch(/listed no GPU/);
  });

  it('a failed process query keeps the GPUs and adds a warning', async () => {
    const base = fixtureRun('h100-single');
    const run: RunCommand = async (file, args, opts) =>
      args[0]?.startsWith('--query-compute-apps=')
        ? { exitCode: 15, stdout: 'Unknown Error', stderr: '', timedOut: false }
        : base(file, args, opts);
    const s = await queryGpus({ run, env: {}, now });
    expect(s.gpus).toHaveLength(1);
    expect(s.warnings[0]).toMatch(/Could not list the processes/);
  });

  it('old driver: retries without compute_cap after the real "not a valid field" reply', async () => {
    const invalid = readFileSync(join(FIXTURES, 'real-invalid-field.txt'), 'utf8').replace('bogus_field', 'compute_cap');
    const base = fixtureRun('old-driver');
    const calls: string[] = [];
    const run: RunCommand = async (file, args, opts) => {
      calls.push(args[0] ?? '');
      if (args[0]?.includes('compute_cap')) return { exitCode: 2, stdout: invalid, stderr: '', timedOut: false };
      return base(file, args, opts);
    };
    const s = await queryGpus({ run, env: {}, now });
    expect(s.gpus.map((g) => g.computeCap)).toEqual(['7.0', '7.5']);
    expect(s.warnings[0]).toMatch(/no compute_cap query/);
    expect(calls.filter((c) => c.startsWith('--query-gpu='))).toHaveLength(2);
  });

  it('warns about ignored lines next to good rows', async () => {
    const good = readFileSync(join(FIXTURES, 'h100-single', 'query-gpu.csv'), 'utf8');
    const s = await queryGpus({
      run: async (_f, a) => ok(a[0]?.startsWith('--query-gpu=') ? `WARNING: infoROM is corrupted\n${good}` : ''),
      env: {},
      now,
    });
    expect(s.gpus).toHaveLength(1);
    expect(s.warnings[0]).toMatch(/infoROM/);
  });
});

describe('scripts/fake-nvidia-smi.mjs through the real runner', () => {
  const env = (fixture: string) => ({ ...process.env, VLLM_PANEL_NVIDIA_SMI: FAKE, FAKE_NVIDIA_SMI_FIXTURE: fixture });

  it('serves a fixture the parser reads back fully', async () => {
    const s = await queryGpus({ run: execaRun, env: env('mixed-4'), now, withHeader: true });
    expect(s.gpus.map((g) => g.name)).toEqual(['NVIDIA A100-SXM4-80GB', 'NVIDIA RTX A6000', 'NVIDIA GeForce RTX 4090', 'NVIDIA H100 PCIe']);
    expect(s.cudaVersion).toBe('12.4');
    expect(s.warnings).toEqual([]);
  });

  it('plays an old driver (compute_cap rejected with exit 2) end to end', async () => {
    const s = await queryGpus({ run: execaRun, env: env('old-driver'), now });
    expect(s.gpus.map((g) => g.computeCapSource)).toEqual(['name', 'name']);
  });

  it('plays a missing driver', async () => {
    const s = await queryGpus({ run: execaRun, env: env('no-driver'), now });
    expect(s.gpus).toEqual([]);
    expect(s.reason).toMatch(/cannot talk to the NVIDIA driver/);
  });

  it('a real timeout kills a slow nvidia-smi and reports it', async () => {
    const s = await queryGpus({ run: execaRun, env: { ...env('h100-single'), FAKE_NVIDIA_SMI_DELAY_MS: '5000' }, now, timeoutMs: 300 });
    expect(s.gpus).toEqual([]);
    expect(s.reason).toMatch(/did not answer/);
  });

  it('a path that does not exist', async () => {
    const s = await queryGpus({ run: execaRun, env: { ...process.env, VLLM_PANEL_NVIDIA_SMI: '/nonexistent/nvidia-smi' }, now });
    expect(s.reason).toMatch(/could not be run \(no such file\)/);
  });
});
