import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gpu } from '../contract/gpu';
import { PlanResult } from '../contract/planner';
import type { RunCommand } from '../host/deps';
import { makeTestCore } from '../test-support/core';
import { NEMOTRON_NANO_12B_V2 } from './model-geometry';
import { plannerGpuFromSnapshot } from './planner-handlers';

const noNvidiaSmi: RunCommand = async () => ({
  exitCode: null,
  stdout: '',
  stderr: '',
  timedOut: false,
  spawnError: 'spawn nvidia-smi ENOENT',
});

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function gpu(index: number, totalMiB: number | null, processes: Gpu['processes'] = [], usedMiB = 0): Gpu {
  return {
    index,
    uuid: `GPU-${index}`,
    name: 'NVIDIA H100 80GB HBM3',
    memoryTotalMiB: totalMiB,
    memoryUsedMiB: usedMiB,
    memoryFreeMiB: totalMiB === null ? null : totalMiB - usedMiB,
    utilizationPct: 0,
    temperatureC: 30,
    powerDrawW: 70,
    powerLimitW: 700,
    computeCap: '9.0',
    computeCapSource: 'nvidia-smi',
    driverVersion: '560.35.03',
    pciBusId: '00000000:01:00.0',
    processes,
  };
}

describe("'plan:compute' through the core", () => {
  it('plans the default model from its built-in config with explicit GPU memory; the result matches the contract', async () => {
    const t = await makeTestCore({ run: noNvidiaSmi, env: { HF_HOME: '/nonexistent-hf-home' } });
    cleanup = t.cleanup;
    const r = await t.core.invoke('plan:compute', {
      model: NEMOTRON_NANO_12B_V2,
      gpu: { memoryGiB: 79.2, name: 'NVIDIA H100 80GB HBM3' },
      flags: {
        'max-num-seqs': 64,
        'max-model-len': 32768,
        'mamba-ssm-cache-dtype': 'float32',
        'kv-cache-dtype': 'fp8_e5m2',
        'gpu-memory-utilization': 0.95,
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(PlanResult.safeParse(r.value).success).toBe(true);
    expect(r.value.verdict).toBe('fits');
    expect(r.value.model?.source).toBe('builtin');
    expect(r.value.kv?.blockSize).toBe(2608);
  });

  it('an unknown model is "estimate unavailable", not an error', async () => {
    const t = await makeTestCore({ run: noNvidiaSmi, env: { HF_HOME: join('/nonexistent-hf-home') } });
    cleanup = t.cleanup;
    const r = await t.core.invoke('plan:compute', { model: 'org/not-downloaded', gpu: { memoryGiB: 40 }, flags: {} });
    expect(r.ok && r.value.status).toBe('unavailable');
    expect(r.ok && r.value.summary).toMatch(/^Estimate unavailable: org\/not-downloaded is not in the Hugging Face cache/);
  });

  it('reads a local model folder relative to the core cwd and re-reads it when it changes', async () => {
    const t = await makeTestCore({ run: noNvidiaSmi, env: {} });
    cleanup = t.cleanup;
    await mkdir(join(t.dir, 'm'));
    const cfg = await readFile(join(import.meta.dirname, 'fixtures', 'qwen2.5-14b-instruct-fp8-dynamic-config.json'), 'utf8');
    await writeFile(join(t.dir, 'm', 'config.json'), cfg);
    const a = await t.core.invoke('plan:compute', { model: join(t.dir, 'm'), gpu: { memoryGiB: 79.2 }, flags: {} });
    expect(a.ok && a.value.model?.numLayers).toBe(48);
    await writeFile(join(t.dir, 'm', 'config.json'), cfg.replace('"num_hidden_layers": 48', '"num_hidden_layers": 40'));
    const later = new Date(Date.now() + 10_000);
    await utimes(join(t.dir, 'm', 'config.json'), later, later);
    const b = await t.core.invoke('plan:compute', { model: join(t.dir, 'm'), gpu: { memoryGiB: 79.2 }, flags: {} });
    expect(b.ok && b.value.model?.numLayers).toBe(40);
  });

  it('GPU indices without nvidia-smi → verdict unknown with the reason', async () => {
    const t = await makeTestCore({ run: noNvidiaSmi, env: { HF_HOME: '/nonexistent-hf-home' } });
    cleanup = t.cleanup;
    const r = await t.core.invoke('plan:compute', { model: NEMOTRON_NANO_12B_V2, gpu: { indices: [0] }, flags: {} });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.verdict).toBe('unknown');
    expect(r.value.summary.length).toBeGreaterThan(0);
  });

  it('rejects malformed requests at the boundary', async () => {
    const t = await makeTestCore({ run: noNvidiaSmi, env: {} });
    cleanup = t.cleanup;
    const r = await t.core.invokeUntrusted('plan:compute', { model: 'x/y', gpu: { memoryGiB: -1 }, flags: {} });
    expect(r.ok).toBe(false);
    const r2 = await t.core.invokeUntrusted('plan:compute', { model: 'x/y', gpu: { memoryGiB: 10, indices: [0] } });
    expect(r2.ok).toBe(false);
  });
});

describe('plannerGpuFromSnapshot', () => {
  it('takes the smallest GPU and the most memory in use, and CUDA-usable memory', () => {
    const g = plannerGpuFromSnapshot([gpu(0, 81559, [{ pid: 11, name: 'python', usedMiB: 2048 }], 2600), gpu(1, 81559, [], 500)], [0, 1]);
    expect(g.memoryGiB).toBeCloseTo(81559 / 1024 - 0.5, 6);
    expect(g.usedGiB).toBe(2);
    expect(g.count).toBe(2);
    expect(g.processes).toEqual([{ pid: 11, name: 'python', usedGiB: 2 }]);
    expect(g.name).toBe('NVIDIA H100 80GB HBM3');
  });

  it('unknown index, [N/A] memory, or no GPUs → memory null with a reason', () => {
    expect(plannerGpuFromSnapshot([gpu(0, 81559)], [3]).unknownReason).toContain('No GPU with index 3');
    expect(plannerGpuFromSnapshot([gpu(0, null)], [0]).memoryGiB).toBeNull();
    expect(plannerGpuFromSnapshot([], [0], 'nvidia-smi not found').unknownReason).toBe('nvidia-smi not found');
  });
});
