import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpuSnapshot } from '../../contract/gpu';
import { runCli } from '../main';

const FAKE = resolve(__dirname, '../../../scripts/fake-nvidia-smi.mjs');

function io(env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env, interrupted: new Promise<never>(() => {}) },
  };
}

// The fake nvidia-smi answers from app/gpu/fixtures. The CLI core takes its config dir from
// process.env (defaultPaths), so point that at a throw-away home for this file.
const base = { ...process.env, VLLM_PANEL_NVIDIA_SMI: FAKE };
let home = '';
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'vllm-panel-gpus-cli-'));
  process.env.VLLM_PANEL_HOME = home;
});
afterAll(() => {
  delete process.env.VLLM_PANEL_HOME;
  rmSync(home, { recursive: true, force: true });
});

describe('vllm-panel gpus', () => {
  it('prints a table with memory, load, compute capability and processes', async () => {
    const t = io({ ...base, FAKE_NVIDIA_SMI_FIXTURE: 'h100x2-busy' });
    expect(await runCli(['gpus'], t.io)).toBe(0);
    const text = t.out.join('\n');
    expect(text).toContain('driver 580.159.04, CUDA 13.0');
    expect(text).toMatch(/^0 +NVIDIA H100 80GB HBM3 +3\.1 \/ 79\.6 +93% +59C +693 \/ 700 +9\.0 +1066 python3 \(3\.1 GiB\)$/m);
    expect(text).toMatch(/^1 +NVIDIA H100 80GB HBM3 +2\.1 \/ 79\.6 +3% +36C +137 \/ 700 +9\.0 +1067 python3 \(2\.1 GiB\)$/m);
  });

  it('--json prints one snapshot document that matches the contract', async () => {
    const t = io({ ...base, FAKE_NVIDIA_SMI_FIXTURE: 'mixed-4' });
    expect(await runCli(['gpus', '--json'], t.io)).toBe(0);
    expect(t.out).toHaveLength(1);
    const snap = GpuSnapshot.parse(JSON.parse(t.out[0]!));
    expect(snap.gpus.map((g) => g.computeCap)).toEqual(['8.0', '8.6', '8.9', '9.0']);
  });

  it('shows "-" for [N/A] values and marks name-derived compute capabilities', async () => {
    const na = io({ ...base, FAKE_NVIDIA_SMI_FIXTURE: 'na-fields' });
    await runCli(['gpus'], na.io);
    expect(na.out.join('\n')).toMatch(/^0 +NVIDIA GH200 480GB +\? \/ 95\.6 +- +- +- \/ - +9\.0/m);
    const old = io({ ...base, FAKE_NVIDIA_SMI_FIXTURE: 'old-driver' });
    await runCli(['gpus'], old.io);
    expect(old.out.join('\n')).toMatch(/Tesla T4 .* 7\.5\*/);
    expect(old.out.join('\n')).toContain('warning: This driver has no compute_cap query');
  });

  it('exits 0 and prints the reason when there is no GPU', async () => {
    const t = io({ ...base, VLLM_PANEL_NVIDIA_SMI: '/nonexistent/nvidia-smi' });
    expect(await runCli(['gpus'], t.io)).toBe(0);
    expect(t.out[0]).toMatch(/^No NVIDIA GPU detected\. VLLM_PANEL_NVIDIA_SMI is set to "\/nonexistent\/nvidia-smi"/);
    const j = io({ ...base, FAKE_NVIDIA_SMI_FIXTURE: 'no-driver' });
    expect(await runCli(['gpus', '--json'], j.io)).toBe(0);
    expect(JSON.parse(j.out[0]!)).toMatchObject({ gpus: [], reason: expect.stringMatching(/NVIDIA driver/) });
  });

  it('rejects extra arguments with exit 2', async () => {
    const t = io(base);
    expect(await runCli(['gpus', '0'], t.io)).toBe(2);
    expect(t.err[0]).toContain("unexpected argument '0'");
  });
});
