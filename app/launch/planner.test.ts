import { describe, expect, it } from 'vitest';
import { PlanResult } from '../contract/planner';
import { blocksPerRequest, estimateMaxModelLen, kvLayout, neededBytes, numBlocks, reportedTokens } from './kv-layout';
import { builtinGeometry, geometryFromConfig, type ModelGeometry, NEMOTRON_NANO_12B_V2 } from './model-geometry';
import { parseHumanInt, plan, predictKvLines } from './planner';
import { GiB, pyFixed, pyThousands } from './planner-format';
import { BUILTIN_PROFILES } from './profiles';

function nemotron(): ModelGeometry {
  const r = builtinGeometry(NEMOTRON_NANO_12B_V2);
  if (!r?.ok) throw new Error('built-in geometry missing');
  return r.geometry;
}

function geometry(cfg: object, id = 'test/model'): ModelGeometry {
  const r = geometryFromConfig(cfg, { modelId: id, source: 'local' });
  if (!r.ok) throw new Error(r.reason);
  return r.geometry;
}

/** Llama-3.1-8B geometry (public config.json values). */
const LLAMA_8B = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 4096,
  intermediate_size: 14336,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  vocab_size: 128256,
  max_position_embeddings: 131072,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
};

/** Qwen2.5-0.5B-sized dense model (tied embeddings). */
const SMALL_DENSE = {
  architectures: ['Qwen2ForCausalLM'],
  model_type: 'qwen2',
  hidden_size: 896,
  intermediate_size: 4864,
  num_hidden_layers: 24,
  num_attention_heads: 14,
  num_key_value_heads: 2,
  vocab_size: 151936,
  max_position_embeddings: 32768,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
};

const LAUNCHER = { 'mamba-ssm-cache-dtype': 'float32', 'max-num-seqs': 64 } as const;

describe('Nemotron-Nano-12B-v2 geometry (nemotron.md §1)', () => {
  it('has 62 layers: 28 Mamba-2, 28 MLP, 6 attention at 7, 16, 25, 34, 43, 52', () => {
    const g = nemotron();
    expect(g.kind).toBe('hybrid');
    expect(g.numLayers).toBe(62);
    expect(g.stateLayers).toBe(28);
    expect(g.layers.filter((l) => l === 'mlp')).toHaveLength(28);
    expect(g.layers.flatMap((l, i) => (l === 'attention' ? [i] : []))).toEqual([7, 16, 25, 34, 43, 52]);
    expect(g.numKvHeads).toBe(8);
    expect(g.headDim).toBe(128);
  });

  it('counts 12.31 B parameters → 22.93 GiB of bf16 weights', () => {
    const g = nemotron();
    expect(g.paramCount / 1e9).toBeCloseTo(12.31, 2);
    expect(g.weightBytes / GiB).toBeCloseTo(22.93, 2);
    expect(g.weightSource).toBe('estimate');
  });
});

describe('per-component sizes (nemotron.md §4.1)', () => {
  it('KV per token: 24 KiB bf16, 12 KiB fp8 (6 attention layers only)', () => {
    const bf16 = plan({ model: { ok: true, geometry: nemotron() }, gpu: { memoryGiB: 79.2 }, flags: { ...LAUNCHER } });
    expect(bf16.kv?.kvBytesPerToken).toBe(24_576);
    const fp8 = plan({
      model: { ok: true, geometry: nemotron() },
      gpu: { memoryGiB: 79.2 },
      flags: { ...LAUNCHER, 'kv-cache-dtype': 'fp8_e5m2' },
    });
    expect(fp8.kv?.kvBytesPerToken).toBe(12_288);
    expect(fp8.settings?.kvCacheBytes).toBe(1);
  });

  it('Mamba state per sequence: 148,865,024 B with fp32 SSM, 28 × 2,695,168 B with bf16', () => {
    const f32 = plan({ model: { ok: true, geometry: nemotron() }, gpu: { memoryGiB: 79.2 }, flags: { ...LAUNCHER } });
    expect(f32.kv?.stateConvBytesPerLayer).toBe(73_728);
    expect(f32.kv?.stateSsmBytesPerLayer).toBe(5_242_880);
    expect(f32.kv?.stateBytesPerSequence).toBe(148_865_024);
    const bf16 = plan({
      model: { ok: true, geometry: nemotron() },
      gpu: { memoryGiB: 79.2 },
      flags: { ...LAUNCHER, 'mamba-ssm-cache-dtype': 'bfloat16' },
    });
    expect(bf16.kv?.stateBytesPerSequence).toBe(28 * 2_695_168);
  });
});

describe('hybrid block packing (nemotron.md §4.2)', () => {
  it('bf16 KV: block 1312 tokens, page 5,373,952 B, groups of 6 (1 attention + 5 Mamba), 2 padding layers', () => {
    const r = plan({ model: { ok: true, geometry: nemotron() }, gpu: { memoryGiB: 79.2 }, flags: { ...LAUNCHER } });
    const kv = r.kv!;
    expect(kv.blockSize).toBe(1312);
    expect(kv.pageBytes).toBe(5_373_952);
    expect(kv.groupSize).toBe(6);
    expect(kv.groups.map((g) => [g.type, g.groups, g.paddingLayers])).toEqual([
      ['attention', 1, 0],
      ['state', 5, 2],
    ]);
    expect(r.logLines.blockSize).toBe(
      'Setting attention block size to 1312 tokens to ensure that attention page size is >= mamba page size.',
    );
    expect(r.logLines.mambaPadding).toBe(
      'Padding mamba page size by 1.08% to ensure that mamba page size and attention page size are exactly equal.',
    );
    expect(r.logLines.paddingLayers).toBe('Add 2 padding layers, may waste at most 7.14% KV cache memory');
  });

  it('fp8 KV → block 2608; bf16 SSM → block 672', () => {
    const fp8 = plan({
      model: { ok: true, geometry: nemotron() },
      gpu: { memoryGiB: 79.2 },
      flags: { ...LAUNCHER, 'kv-cache-dtype': 'fp8' },
    });
    expect(fp8.kv?.blockSize).toBe(2608);
    const ssm16 = plan({
      model: { ok: true, geometry: nemotron() },
      gpu: { memoryGiB: 79.2 },
      flags: { ...LAUNCHER, 'mamba-ssm-cache-dtype': 'bfloat16' },
    });
    expect(ssm16.kv?.blockSize).toBe(672);
  });

  it('blocks per request: 8k → 12, 32k → 30, 128k → 105 (step 7)', () => {
    for (const [len, blocks] of [
      [8192, 12],
      [32768, 30],
      [131072, 105],
    ] as const) {
      const r = plan({ model: { ok: true, geometry: nemotron() }, gpu: { memoryGiB: 79.2 }, flags: { ...LAUNCHER, 'max-model-len': len } });
      expect(r.kv?.blocksPerRequest).toBe(blocks);
    }
  });

  it('a user --block-size below the Mamba page is raised, one above it is kept', () => {
    const small = plan({ model: { ok: true, geometry: nemotron() }, gpu: { memoryGiB: 79.2 }, flags: { ...LAUNCHER, 'block-size': 16 } });
    expect(small.kv?.blockSize).toBe(1312);
    const big = plan({ model: { ok: true, geometry: nemotron() }, gpu: { memoryGiB: 79.2 }, flags: { ...LAUNCHER, 'block-size': 2048 } });
    expect(big.kv?.blockSize).toBe(2048);
    expect(big.logLines.blockSize).toBeUndefined();
  });
});

describe('worked estimates (nemotron.md §4.4: bf16 weights/KV, fp32 SSM, util 0.90, TP 1)', () => {
  // [usable GiB, util, GPU name, KV_avail ≈, blocks, "GPU KV cache size" ≈, concurrency 8k / 32k / 128k ≈]
  const rows = [
    [39.4, 0.9, 'NVIDIA A100-SXM4-40GB', 10.0, 333, 72_000, [27, 11, 3]],
    [44.4, 0.9, 'NVIDIA L40S', 14.5, 483, 105_000, [40, 16, 4.6]],
    [79.2, 0.9, 'NVIDIA H100 80GB HBM3', 45.3, 1509, 329_000, [125, 50, 14]],
    [79.2, 0.92, 'NVIDIA H100 80GB HBM3', 46.9, 1562, 341_000, [130, 52, 15]],
  ] as const;
  for (const [mem, util, name, kvAvail, blocks, tokens, conc] of rows) {
    it(`${mem} GiB at util ${util}: ≈ ${kvAvail} GiB KV, ≈ ${blocks} blocks, ≈ ${tokens} tokens`, () => {
      [8192, 32768, 131072].forEach((len, i) => {
        const r = plan({
          model: { ok: true, geometry: nemotron() },
          gpu: { memoryGiB: mem, name },
          flags: { 'gpu-memory-utilization': util, 'mamba-ssm-cache-dtype': 'float32', 'max-model-len': len, 'max-num-seqs': 64 },
        });
        expect(r.verdict).toBe('fits');
        // The table rounds KV to 0.1 GiB (±0.05), blocks follow (±1), tokens to ~1,000, concurrency to whole numbers.
        expect(Math.abs(r.memory!.kvAvailableGiB - kvAvail)).toBeLessThanOrEqual(0.05);
        expect(Math.abs(r.kv!.numBlocks - blocks)).toBeLessThanOrEqual(1);
        expect(Math.abs(r.kv!.kvCacheTokens - tokens)).toBeLessThanOrEqual(1000);
        expect(Math.abs(r.kv!.maxConcurrency - (conc[i] as number))).toBeLessThanOrEqual(1);
      });
    });
  }

  it('24 GB: does not fit in bf16 (weights alone ≈ 22.9 GiB); fixes split the model or offload', () => {
    const r = plan({
      model: { ok: true, geometry: nemotron() },
      gpu: { memoryGiB: 23.99, name: 'NVIDIA GeForce RTX 4090' },
      flags: { ...LAUNCHER },
    });
    expect(r.verdict).toBe('will-fail');
    expect(r.problems[0]?.kind).toBe('cuda_oom');
    expect(r.problems[0]?.vllmMessage).toMatch(
      /^CUDA out of memory\. Tried to allocate [\d.]+ GiB\. GPU 0 has a total capacity of 23\.99 GiB/,
    );
    const labels = r.remedies.map((x) => x.label);
    expect(labels).toContain('Add a GPU: split the model over 2 GPUs (tensor-parallel-size 2)');
    expect(labels).toContain('Quantize the weights to fp8 on load (quantization fp8)');
    expect(labels.some((l) => l.startsWith('Offload '))).toBe(true);
    // Every offered remedy really fixes the start.
    for (const remedy of r.remedies) {
      if (remedy.action?.type !== 'set-flag') continue;
      const next = plan({
        model: { ok: true, geometry: nemotron() },
        gpu: { memoryGiB: 23.99, count: remedy.action.flag === 'tensor-parallel-size' ? 2 : 1 },
        flags: { ...LAUNCHER, [remedy.action.flag]: remedy.action.value },
      });
      expect(
        next.problems.filter((p) => p.severity === 'error'),
        remedy.label,
      ).toEqual([]);
    }
  });
});

describe('failures and their fixes', () => {
  it('max-num-seqs above the Mamba cache blocks fails with vLLM\'s text and "Lower max-num-seqs to N"', () => {
    const r = plan({
      model: { ok: true, geometry: nemotron() },
      gpu: { memoryGiB: 39.4 },
      flags: { 'gpu-memory-utilization': 0.9, 'mamba-ssm-cache-dtype': 'float32', 'max-num-seqs': 350 },
    });
    expect(r.verdict).toBe('will-fail');
    const p = r.problems.find((x) => x.kind === 'mamba_cache_blocks_exceeded')!;
    const blocks = r.kv!.numBlocks;
    expect(blocks).toBe(334);
    expect(p.vllmMessage).toBe(
      `max_num_seqs (350) exceeds available Mamba cache blocks (${blocks}). Each decode sequence requires one Mamba cache block, so CUDA graph capture cannot proceed. Please lower max_num_seqs to at most ${blocks} or increase gpu_memory_utilization.`,
    );
    // vLLM says "at most 334"; the estimate's fix leaves room for the high overhead assumption (0.5 GiB ≈ 16 blocks).
    const fix = r.remedies[0]!;
    expect(fix.label).toMatch(/^Lower max-num-seqs to \d+$/);
    const seqs = fix.action?.type === 'set-flag' ? (fix.action.value as number) : 0;
    expect(seqs).toBeGreaterThan(blocks - 20);
    expect(seqs).toBeLessThan(blocks);
    const fixed = plan({
      model: { ok: true, geometry: nemotron() },
      gpu: { memoryGiB: 39.4 },
      flags: { 'gpu-memory-utilization': 0.9, 'mamba-ssm-cache-dtype': 'float32', 'max-num-seqs': seqs },
    });
    expect(fixed.verdict).toBe('fits');
    expect(r.remedies.map((x) => x.label)).toContain('Raise gpu-memory-utilization to 0.95');
    // The default max-num-seqs (256 below 70 GiB) fits; enforce-eager skips the check.
    expect(
      plan({
        model: { ok: true, geometry: nemotron() },
        gpu: { memoryGiB: 39.4 },
        flags: { 'gpu-memory-utilization': 0.9, 'mamba-ssm-cache-dtype': 'float32' },
      }).verdict,
    ).toBe('fits');
    expect(
      plan({
        model: { ok: true, geometry: nemotron() },
        gpu: { memoryGiB: 39.4 },
        flags: { 'gpu-memory-utilization': 0.9, 'mamba-ssm-cache-dtype': 'float32', 'max-num-seqs': 350, 'enforce-eager': true },
      }).problems.some((x) => x.kind === 'mamba_cache_blocks_exceeded'),
    ).toBe(false);
    // vLLM 0.13 fails at CUDA graph capture instead (and sizes the KV cache before capturing: ~1 GiB more, 367 blocks).
    const old = plan({
      model: { ok: true, geometry: nemotron() },
      gpu: { memoryGiB: 39.4 },
      flags: { 'gpu-memory-utilization': 0.9, 'mamba-ssm-cache-dtype': 'float32', 'max-num-seqs': 400 },
      vllmVersion: '0.13.0',
    });
    const oldProblem = old.problems.find((x) => x.kind === 'mamba_cache_blocks_exceeded');
    expect(oldProblem?.message).toContain('367 Mamba cache blocks');
    expect(oldProblem?.message).toContain('vLLM 0.13.0 fails while capturing CUDA graphs');
    expect(oldProblem?.vllmMessage).toBeUndefined();
    expect(old.verdict).toBe('will-fail');
  });

  it('the default max-num-seqs at util 0.6 on an 80 GB H100 (1024) is refused, on an 80 GB A100 (256) it fits', () => {
    const flags = { 'mamba-ssm-cache-dtype': 'float32', 'gpu-memory-utilization': 0.6 };
    const h100 = plan({ model: { ok: true, geometry: nemotron() }, gpu: { memoryGiB: 79.2, name: 'NVIDIA H100 80GB HBM3' }, flags });
    expect(h100.settings?.maxNumSeqs).toEqual({ value: 1024, source: 'default' });
    expect(h100.settings?.maxNumBatchedTokens).toEqual({ value: 8192, source: 'default' });
    expect(h100.problems[0]?.kind).toBe('mamba_cache_blocks_exceeded');
    const a100 = plan({ model: { ok: true, geometry: nemotron() }, gpu: { memoryGiB: 79.2, name: 'NVIDIA A100-SXM4-80GB' }, flags });
    expect(a100.settings?.maxNumSeqs.value).toBe(256);
    expect(a100.verdict).toBe('fits');
  });

  it('max-model-len too long for the KV cache: the reference message, "Set max-model-len ≤ N", fp8 KV when it helps', () => {
    // vllm-runtime.md §7: 131072 tokens need 16.00 GiB; 4.21 GiB available → estimated 34480 (Llama-3.1-8B, bf16 KV).
    const r = plan({ model: { ok: true, geometry: geometry(LLAMA_8B) }, gpu: { memoryGiB: null }, flags: {}, availableKvGiB: 4.21 });
    const p = r.problems.find((x) => x.kind === 'kv_cache_too_small_for_max_model_len')!;
    expect(p.vllmMessage).toBe(
      "To serve at least one request with the model's max seq len (131072), (16.00 GiB KV cache is needed, which is larger than the available KV cache memory (4.21 GiB). Based on the available memory, the estimated maximum model length is 34480. Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.",
    );
    expect(r.kv?.maxModelLenThatFits).toBe(34480);
    expect(r.remedies[0]).toEqual({
      label: 'Set max-model-len ≤ 33792',
      action: { type: 'set-flag', flag: 'max-model-len', value: 33792 },
    });
    // 8 GiB at fp8 still exceed 4.21 GiB: fp8 KV is not offered as a fix here.
    expect(r.remedies.map((x) => x.label)).not.toContain('Use fp8 KV cache (kv-cache-dtype fp8_e5m2)');
    expect(r.logLines.kvCacheSize).toBeUndefined();
    const r2 = plan({
      model: { ok: true, geometry: geometry(LLAMA_8B) },
      gpu: { memoryGiB: null },
      flags: { 'max-model-len': 49152 },
      availableKvGiB: 4.21,
    });
    expect(r2.remedies.map((x) => x.label)).toContain('Use fp8 KV cache (kv-cache-dtype fp8_e5m2)');
  });

  it('other processes holding memory: the "Free memory on device" text, lower utilization, stop the process', () => {
    // vllm-runtime.md §7: "Free memory on device cuda:0 (7.34/15.49 GiB) … (0.8, 12.39 GiB)".
    const r = plan({
      model: { ok: true, geometry: geometry(SMALL_DENSE) },
      gpu: { memoryGiB: 15.49, usedGiB: 8.15, processes: [{ pid: 4242, name: 'python3', usedGiB: 8.15 }] },
      flags: { 'gpu-memory-utilization': 0.8 },
    });
    expect(r.verdict).toBe('will-fail');
    const p = r.problems.find((x) => x.kind === 'insufficient_free_memory')!;
    expect(p.vllmMessage).toBe(
      'Free memory on device cuda:0 (7.34/15.49 GiB) on startup is less than desired GPU memory utilization (0.8, 12.39 GiB). Decrease GPU memory utilization or reduce GPU memory used by other processes.',
    );
    expect(r.remedies).toContainEqual({
      label: 'Lower gpu-memory-utilization to 0.47',
      action: { type: 'set-flag', flag: 'gpu-memory-utilization', value: 0.47 },
    });
    expect(r.remedies).toContainEqual({
      label: 'Stop process 4242 (python3), which holds 8.15 GiB',
      action: { type: 'kill-process', pid: 4242 },
    });
  });

  it("negative available KV memory: no_kv_cache_memory with vLLM's text", () => {
    const r = plan({
      model: { ok: true, geometry: nemotron() },
      gpu: { memoryGiB: 39.4 },
      flags: { ...LAUNCHER, 'gpu-memory-utilization': 0.6 },
    });
    expect(r.verdict).toBe('will-fail');
    expect(r.problems[0]?.kind).toBe('no_kv_cache_memory');
    expect(r.problems[0]?.vllmMessage).toBe(
      'No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine. See https://docs.vllm.ai/en/latest/configuration/conserving_memory/ for more details.',
    );
    expect(r.remedies.map((x) => x.label)).toContain('Raise gpu-memory-utilization to 0.95');
  });

  it('max-model-len above the model limit is refused', () => {
    const r = plan({ model: { ok: true, geometry: geometry(SMALL_DENSE) }, gpu: { memoryGiB: 79.2 }, flags: { 'max-model-len': 65536 } });
    expect(r.problems[0]?.kind).toBe('max_model_len_exceeds_model');
    expect(r.remedies[0]?.action).toEqual({ type: 'set-flag', flag: 'max-model-len', value: 32768 });
  });

  it('tight when the pessimistic overhead would break it', () => {
    // ~0.45 GiB of KV left at the estimate: fits nominally, not with 0.5 GiB more overhead.
    const r = plan({
      model: { ok: true, geometry: nemotron() },
      gpu: { memoryGiB: 39.4 },
      flags: { ...LAUNCHER, 'gpu-memory-utilization': 0.657, 'max-model-len': 4096, 'max-num-seqs': 8 },
    });
    expect(r.memory!.kvAvailableGiB).toBeGreaterThan(0);
    expect(r.memory!.kvAvailableGiB).toBeLessThan(0.5);
    expect(r.verdict).toBe('tight');
    expect(r.problems.find((p) => p.severity === 'warning')?.message).toMatch(/^Tight:/);
  });
});

describe('the launcher profiles', () => {
  for (const p of BUILTIN_PROFILES) {
    it(`${p.name} fits one 80 GB H100 and one 40 GB A100`, () => {
      for (const [mem, name] of [
        [79.2, 'NVIDIA H100 80GB HBM3'],
        [39.4, 'NVIDIA A100-SXM4-40GB'],
      ] as const) {
        const r = plan({ model: { ok: true, geometry: nemotron() }, gpu: { memoryGiB: mem, name }, flags: p.flags });
        expect(r.verdict, `${p.name} on ${name}: ${r.summary}`).toBe('fits');
        expect(r.kv!.kvBytesPerToken).toBe(12_288); // launcher: fp8_e5m2 KV
        expect(PlanResult.safeParse(r).success).toBe(true);
      }
    });
  }
});

describe('dense models and other layouts', () => {
  it('dense: every layer holds KV, block 16, tokens = blocks × 16', () => {
    const r = plan({ model: { ok: true, geometry: geometry(LLAMA_8B) }, gpu: { memoryGiB: 79.2 }, flags: { 'max-model-len': 8192 } });
    expect(r.model?.kind).toBe('dense');
    expect(r.kv?.kvBytesPerToken).toBe(32 * 2 * 8 * 128 * 2);
    expect(r.kv?.blockSize).toBe(16);
    expect(r.kv?.groups).toEqual([{ type: 'attention', layers: 32, groups: 1, paddingLayers: 0, blocksPerRequest: 512 }]);
    expect(r.kv?.kvCacheTokens).toBe(r.kv!.numBlocks * 16);
    expect(r.kv?.maxConcurrency).toBeCloseTo(r.kv!.numBlocks / 512, 10);
    expect(r.logLines.blockSize).toBeUndefined();
    expect(r.verdict).toBe('fits');
  });

  it('tensor parallel 2 splits weights and KV heads', () => {
    const one = plan({ model: { ok: true, geometry: geometry(LLAMA_8B) }, gpu: { memoryGiB: 79.2 }, flags: {} });
    const two = plan({
      model: { ok: true, geometry: geometry(LLAMA_8B) },
      gpu: { memoryGiB: 79.2, count: 2 },
      flags: { 'tensor-parallel-size': 2 },
    });
    expect(two.memory!.weightsGiB).toBeCloseTo(one.memory!.weightsGiB / 2, 6);
    expect(two.kv!.attentionBytesPerTokenPerLayer).toBe(one.kv!.attentionBytesPerTokenPerLayer / 2);
    expect(two.settings?.dataParallelSize).toBe(1);
  });

  it('data parallel: each GPU holds a full copy; totals scale with the ranks', () => {
    const r = plan({
      model: { ok: true, geometry: nemotron() },
      gpu: { memoryGiB: 79.2, count: 2 },
      flags: { ...LAUNCHER, 'max-model-len': 32768 },
    });
    expect(r.settings?.dataParallelSize).toBe(2);
    expect(r.kv!.maxConcurrencyTotal).toBeCloseTo(2 * r.kv!.maxConcurrency, 10);
    expect(r.summary).toContain('per GPU');
  });

  it('sliding-window layers need at most the window (+ one step) per request', () => {
    const g = geometry({
      ...LLAMA_8B,
      layer_types: [...Array(16)].flatMap(() => ['sliding_attention', 'full_attention']),
      sliding_window: 4096,
    });
    expect(g.slidingLayers).toBe(16);
    expect(g.attentionLayers).toBe(16);
    const r = plan({
      model: { ok: true, geometry: g },
      gpu: { memoryGiB: 79.2 },
      flags: { 'max-model-len': 131072, 'max-num-batched-tokens': 2048 },
    });
    const sliding = r.kv!.groups.find((x) => x.type === 'sliding')!;
    expect(sliding.blocksPerRequest).toBe(Math.ceil((4096 - 1 + 2048) / 16) + 1);
    expect(r.kv!.blocksPerRequest).toBe(8192 + 385);
  });

  it('groups two types of similar size by the larger count (vLLM pads 12 + 13 to 13 + 13)', () => {
    const layout = kvLayout({
      attentionLayers: 13,
      slidingLayers: 12,
      stateLayers: 0,
      attnBytesPerToken: 1024,
      statePageBytes: 0,
      blockSizeFlag: null,
      slidingWindow: 128,
      maxNumBatchedTokens: 2048,
      maxModelLen: 8192,
    });
    expect(layout.groupSize).toBe(13);
    expect(layout.types.map((t) => t.paddingLayers)).toEqual([0, 1]);
  });

  it('kv-layout helpers agree with each other', () => {
    const layout = kvLayout({
      attentionLayers: 6,
      slidingLayers: 0,
      stateLayers: 28,
      attnBytesPerToken: 4096,
      statePageBytes: 5_316_608,
      blockSizeFlag: null,
      slidingWindow: null,
      maxNumBatchedTokens: 2048,
      maxModelLen: 8192,
    });
    const avail = 10 * GiB;
    const blocks = numBlocks(layout, avail);
    expect(blocks).toBe(333);
    expect(reportedTokens(layout, blocks)).toBe(55 * 1312);
    expect(blocksPerRequest(layout, 8192)).toBe(12);
    const fit = estimateMaxModelLen(layout, avail, 10_000_000);
    expect(neededBytes(layout, fit)).toBeLessThanOrEqual(avail);
    expect(neededBytes(layout, fit + 1)).toBeGreaterThan(avail);
    expect(fit % 1312).toBe(0);
  });
});

describe('reported mode and unknowns', () => {
  it('predicts the two log lines from "Available KV cache memory"', () => {
    const p = predictKvLines(nemotron(), { ...LAUNCHER, 'max-model-len': 32768 }, 45.32);
    expect(p.kvCacheSizeLine).toMatch(/^GPU KV cache size: \d{3},\d{3} tokens$/);
    expect(p.maxConcurrencyLine).toMatch(/^Maximum concurrency for 32,768 tokens per request: \d+\.\d\dx$/);
    expect(p.result.memory).toBeNull();
    expect(p.result.kv?.range?.kvCacheTokensMin).toBeLessThanOrEqual(p.kvCacheTokens);
    expect(p.result.kv?.range?.kvCacheTokensMax).toBeGreaterThanOrEqual(p.kvCacheTokens);
  });

  it('an unreadable config gives "estimate unavailable" with the reason', () => {
    const r = plan({ model: { ok: false, reason: 'config.json is not valid JSON' }, gpu: { memoryGiB: 80 }, flags: {} });
    expect(r.status).toBe('unavailable');
    expect(r.verdict).toBe('unknown');
    expect(r.summary).toBe('Estimate unavailable: config.json is not valid JSON');
    expect(PlanResult.safeParse(r).success).toBe(true);
  });

  it('unknown GPU memory → verdict unknown with the reason, numbers still valid JSON', () => {
    const r = plan({
      model: { ok: true, geometry: nemotron() },
      gpu: { memoryGiB: null, unknownReason: 'nvidia-smi not found' },
      flags: { ...LAUNCHER },
    });
    expect(r.verdict).toBe('unknown');
    expect(r.summary).toBe('nvidia-smi not found');
    expect(PlanResult.safeParse(JSON.parse(JSON.stringify(r))).success).toBe(true);
  });

  it('reads flag values given as strings, human-readable ints and bad values', () => {
    const r = plan({
      model: { ok: true, geometry: nemotron() },
      gpu: { memoryGiB: 79.2 },
      flags: { max_model_len: '32k', 'max-num-seqs': '64', 'gpu-memory-utilization': '0.95', 'max-num-batched-tokens': 'lots' },
    });
    expect(r.settings?.maxModelLen).toEqual({ value: 32000, source: 'flag' });
    expect(r.settings?.maxNumSeqs.value).toBe(64);
    expect(r.settings?.gpuMemoryUtilization).toEqual({ value: 0.95, source: 'flag' });
    expect(r.settings?.maxNumBatchedTokens.source).toBe('default');
    expect(r.assumptions.some((a) => a.includes('max-num-batched-tokens = "lots"'))).toBe(true);
  });

  it("uses the version's gpu-memory-utilization default (0.90 before v0.25, 0.92 after)", () => {
    const old = plan({
      model: { ok: true, geometry: nemotron() },
      gpu: { memoryGiB: 79.2 },
      flags: { ...LAUNCHER },
      vllmVersion: '0.13.0',
    });
    const neu = plan({
      model: { ok: true, geometry: nemotron() },
      gpu: { memoryGiB: 79.2 },
      flags: { ...LAUNCHER },
      vllmVersion: '0.30.0',
    });
    expect(old.settings?.gpuMemoryUtilization).toEqual({ value: 0.9, source: 'default' });
    expect(neu.settings?.gpuMemoryUtilization).toEqual({ value: 0.92, source: 'default' });
  });
});

describe('formatting like Python', () => {
  it('"%.2f" rounds exact ties to even and everything else like toFixed', () => {
    expect(pyFixed(98.2)).toBe('98.20');
    expect(pyFixed(98.125)).toBe('98.12');
    expect(pyFixed(0.375)).toBe('0.38');
    expect(pyFixed(-0.125)).toBe('-0.12');
    expect(pyFixed(2.5, 0)).toBe('2');
    expect(pyFixed(3.5, 0)).toBe('4');
    expect(pyFixed(1.005)).toBe('1.00'); // 1.005 is 1.00499999… in binary
    expect(pyFixed(-2.514)).toBe('-2.51');
  });

  it('"{:,}" groups thousands', () => {
    expect(pyThousands(208320)).toBe('208,320');
    expect(pyThousands(999)).toBe('999');
    expect(pyThousands(1_234_567)).toBe('1,234,567');
  });

  it('human-readable ints as vLLM parses them', () => {
    expect(parseHumanInt('32k')).toBe(32000);
    expect(parseHumanInt('32K')).toBe(32768);
    expect(parseHumanInt('25.6k')).toBe(25600);
    expect(parseHumanInt('1.5K')).toBeNull();
    expect(parseHumanInt('2M')).toBe(2 * 2 ** 20);
    expect(parseHumanInt('8192')).toBe(8192);
    expect(parseHumanInt('lots')).toBeNull();
  });
});
