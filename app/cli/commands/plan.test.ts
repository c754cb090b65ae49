import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanResult } from '../../contract/planner';
import { runCli } from '../main';

const FAKE_SMI = resolve(__dirname, '../../../scripts/fake-nvidia-smi.mjs');
const FIXTURES = resolve(__dirname, '../../launch/fixtures');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vllm-panel-plan-cli-'));
  await mkdir(join(dir, 'nemo4b'));
  await copyFile(join(FIXTURES, 'nemotron-3-nano-4b-fp8-config.json'), join(dir, 'nemo4b', 'config.json'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function io(extra: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  // An empty HF home: the default model comes from the built-in config.
  const env = { ...process.env, HF_HOME: join(dir, 'hf'), HF_HUB_CACHE: undefined, ...extra };
  return {
    out,
    err,
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env, interrupted: new Promise<never>(() => {}) },
  };
}

describe('vllm-panel plan', () => {
  it('plans a built-in profile on an 80 GB GPU: table, predicted log lines, verdict', async () => {
    const t = io();
    expect(await runCli(['plan', '--gpu-mem-gib', '79.2', '--profile', 'THROUGHPUT'], t.io)).toBe(0);
    const text = t.out.join('\n');
    expect(text).toContain(
      'Model       nvidia/NVIDIA-Nemotron-Nano-12B-v2 (built-in config) · hybrid: 6 attention + 28 Mamba of 62 layers',
    );
    expect(text).toMatch(/^Weights +22\.93 GiB \(estimated from config\.json\)$/m);
    expect(text).toContain('Setting attention block size to 2608 tokens');
    expect(text).toMatch(/^ {2}GPU KV cache size: [\d,]+ tokens$/m);
    expect(text).toMatch(/^Verdict: FITS — Fits: /m);
  });

  it('--json prints the PlanResult', async () => {
    const t = io();
    expect(await runCli(['plan', '--gpu-mem-gib=39.4', '--profile', 'long-context', '--json'], t.io)).toBe(0);
    const r = PlanResult.parse(JSON.parse(t.out.join('\n')));
    expect(r.verdict).toBe('fits');
    expect(r.settings?.maxModelLen.value).toBe(65536);
    expect(r.settings?.maxNumSeqs.value).toBe(32);
  });

  it('exit 1 with the fixes when it will fail; --set values are typed like vLLM does', async () => {
    const t = io();
    expect(await runCli(['plan', '--gpu-mem-gib', '39.4', '--profile', 'throughput', '--set', 'max_num_seqs=1k'], t.io)).toBe(1);
    const text = t.out.join('\n');
    expect(text).toMatch(/^Verdict: WILL-FAIL — Will fail: max-num-seqs 1000 exceeds the \d+ Mamba cache blocks/m);
    expect(text).toMatch(/^ {2}- Lower max-num-seqs to \d+ {3}\(--set max-num-seqs=\d+\)$/m);
    expect(text).toContain('vLLM: max_num_seqs (1000) exceeds available Mamba cache blocks');
  });

  it('--available-kv-gib predicts the lines a real v0.13 log printed (vllm-logs 07)', async () => {
    const t = io();
    const argv = ['plan', '--model', join(dir, 'nemo4b'), '--available-kv-gib', '11.15', '--vllm-version', '0.13.0'];
    expect(await runCli([...argv, '--set', 'max-model-len=8192', '--set', 'kv-cache-dtype=fp8'], t.io)).toBe(0);
    const text = t.out.join('\n');
    expect(text).toContain('  GPU KV cache size: 208,320 tokens');
    expect(text).toContain('  Maximum concurrency for 8,192 tokens per request: 98.20x');
  });

  it('uses the selected GPUs from nvidia-smi when no size is given', async () => {
    const t = io({ VLLM_PANEL_NVIDIA_SMI: FAKE_SMI, FAKE_NVIDIA_SMI_FIXTURE: 'h100x2-busy' });
    const code = await runCli(['plan', '--profile', 'THROUGHPUT', '--json'], t.io);
    const r = PlanResult.parse(JSON.parse(t.out.join('\n')));
    expect(code).toBe(0);
    expect(r.memory?.totalGiB).toBeGreaterThan(78);
    expect(r.memory?.usedByOthersGiB).toBeGreaterThan(0);
    expect(r.settings?.gpuName).toContain('H100');
  });

  it('exit 3 and the reason when the model config is not available', async () => {
    const t = io();
    expect(await runCli(['plan', '--model', 'org/never-downloaded', '--gpu-mem-gib', '80'], t.io)).toBe(3);
    expect(t.out.join('\n')).toMatch(/Verdict: UNKNOWN — Estimate unavailable: org\/never-downloaded is not in the Hugging Face cache/);
  });

  it('usage errors exit 2', async () => {
    for (const argv of [
      ['plan', '--gpu-mem-gib', 'lots'],
      ['plan', '--gpu-mem-gib', '-3'],
      ['plan', '--gpus', '1.5', '--gpu-mem-gib', '80'],
      ['plan', '--frobnicate'],
      ['plan', '--set'],
      ['plan', '--gpu-mem-gib', '80', '--set', '=3'],
    ]) {
      const t = io();
      expect(await runCli(argv, t.io), argv.join(' ')).toBe(2);
    }
  });
});
