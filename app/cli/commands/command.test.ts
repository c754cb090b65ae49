import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main';

const FAKE = resolve(import.meta.dirname, '../../../scripts/fake-nvidia-smi.mjs');

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'vllm-panel-cli-'));
  // The CLI keeps its config (profiles.json, gpu-selection.json) under VLLM_PANEL_HOME.
  vi.stubEnv('VLLM_PANEL_HOME', home);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(home, { recursive: true, force: true });
});

function io(fixture = 'h100x2-idle') {
  const out: string[] = [];
  const err: string[] = [];
  const env = { ...process.env, VLLM_PANEL_NVIDIA_SMI: FAKE, FAKE_NVIDIA_SMI_FIXTURE: fixture };
  return {
    out,
    err,
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env, interrupted: new Promise<never>(() => {}) },
  };
}

describe('vllm-panel command', () => {
  it('prints the shell-quoted command for a profile (by name), GPUs from nvidia-smi', async () => {
    const t = io();
    expect(await runCli(['command', '--profile', 'LONG_CONTEXT'], t.io)).toBe(0);
    const text = t.out.join('\n');
    expect(text).toMatch(/^CUDA_VISIBLE_DEVICES=0,1 \\\n {2}CUDA_DEVICE_ORDER=PCI_BUS_ID \\\n {2}TORCH_CUDA_ARCH_LIST=9.0/);
    expect(text).toContain('vllm serve nvidia/NVIDIA-Nemotron-Nano-12B-v2 \\\n');
    expect(text).toContain('--max-model-len 65536');
    expect(text).toContain('--data-parallel-size 2');
  });

  it('--json gives {argv, env, issues}; --set and --gpus apply', async () => {
    const t = io();
    const code = await runCli(
      [
        'command',
        '--profile',
        'throughput',
        '--set',
        'max_num_seqs=40',
        '--set=max-model-len=48k',
        '--set',
        'no-enable-prefix-caching',
        '--gpus',
        '1',
        '--json',
      ],
      t.io,
    );
    expect(code, t.err.join('\n')).toBe(0);
    const r = JSON.parse(t.out.join('\n')) as { argv: string[]; env: Record<string, string>; issues: unknown[] };
    expect(r.argv).toEqual(
      expect.arrayContaining([
        '--max-num-seqs',
        '40',
        '--max-model-len',
        '48000',
        '--no-enable-prefix-caching',
        '--data-parallel-size',
        '1',
      ]),
    );
    expect(r.env.CUDA_VISIBLE_DEVICES).toBe('1');
    expect(Array.isArray(r.issues)).toBe(true);
  });

  it('bad flags exit 2 with the field named', async () => {
    const t = io();
    expect(await runCli(['command', '--set', 'max-num-seqs=lots'], t.io)).toBe(2);
    expect(t.err.join('\n')).toMatch(/^error max-num-seqs: /m);

    const u = io();
    expect(await runCli(['command', '--set', 'max-num-seqz=4'], u.io)).toBe(2);
    expect(u.err.join('\n')).toMatch(/error max-num-seqz: Unknown flag --max-num-seqz\. Did you mean --max-num-seqs/);
  });

  it('usage errors exit 2: unknown profile, bad GPU list, unknown option', async () => {
    for (const argv of [
      ['command', '--profile', 'NOPE'],
      ['command', '--gpus', 'zero'],
      ['command', '--frob'],
    ]) {
      const t = io();
      expect(await runCli(argv, t.io), argv.join(' ')).toBe(2);
    }
  });

  it('works without any GPU (no nvidia-smi)', async () => {
    const t = io();
    t.io.env.VLLM_PANEL_NVIDIA_SMI = join(home, 'missing-nvidia-smi');
    expect(await runCli(['command'], t.io)).toBe(0);
    expect(t.out.join('\n')).not.toContain('CUDA_VISIBLE_DEVICES');
  });
});

describe('vllm-panel export-script', () => {
  it('prints the launcher to stdout', async () => {
    const t = io();
    expect(await runCli(['export-script', '--profile', 'LOW_LATENCY'], t.io)).toBe(0);
    const text = t.out.join('\n');
    expect(text.startsWith('#!/usr/bin/env bash')).toBe(true);
    expect(text).toContain('--max-num-batched-tokens 4096');
    expect(spawnSync('bash', ['-n'], { input: text, timeout: 10_000 }).status).toBe(0);
  });

  it('--out writes an executable file (755) and refuses to overwrite without --force', async () => {
    const file = join(home, 'launch.sh');
    const t = io();
    expect(await runCli(['export-script', '--profile', 'THROUGHPUT', '--out', file], t.io)).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o755);
    expect(await readFile(file, 'utf8')).toContain('exec vllm serve');

    await writeFile(file, 'keep me');
    const again = io();
    expect(await runCli(['export-script', '--out', file], again.io)).toBe(2);
    expect(await readFile(file, 'utf8')).toBe('keep me');
    expect(await runCli(['export-script', '--out', file, '--force'], io().io)).toBe(0);
    expect(await readFile(file, 'utf8')).toContain('#!/usr/bin/env bash');
  });

  it('bad flags exit 2, name the field, and write nothing', async () => {
    const file = join(home, 'bad.sh');
    const t = io();
    expect(await runCli(['export-script', '--out', file, '--set', 'kv-cache-dtype=fp9'], t.io)).toBe(2);
    expect(t.err.join('\n')).toMatch(/error kv-cache-dtype:/);
    await expect(stat(file)).rejects.toThrow();
  });
});
