// The planner against real vLLM logs (../shared/reference/vllm-logs, read-only, never copied):
// from the "Available KV cache memory" a log prints, predict the lines it prints next
// ("GPU KV cache size", "Maximum concurrency", hybrid block-size/padding lines) and its
// failures. Run with `npm run test:conformance`.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { geometryFromConfig, type ModelGeometry } from './model-geometry';
import { plan } from './planner';
import { GiB } from './planner-format';
import type { FlagValues } from './types';

const LOGS = resolve(import.meta.dirname, '../../../shared/reference/vllm-logs');
const FIXTURES = join(import.meta.dirname, 'fixtures');

interface LogFacts {
  /** Message parts of vLLM's own log lines (after "LEVEL MM-DD HH:MM:SS [file.py:N] "). */
  messages: string[];
  /** Every line, ANSI stripped. */
  lines: string[];
  version: string;
  args: Record<string, string>;
  availableKvGiB: number;
}

function readLog(prefix: string): LogFacts {
  const name = [
    '01-v0.14.0rc1-success-tp2-minimax.log',
    '07-v0.13.0-nemotronH-hybrid-success.log',
    '08-v0.13.0-nemotronH-failure-no-kv-memory.log',
    '09-v0.13.0-qwen2.5-failure-negative-kv-memory.log',
    '10-v0.13.0-qwen2.5-success.log',
  ].find((n) => n.startsWith(prefix));
  if (!name) throw new Error(`no log ${prefix}`);
  const text = readFileSync(join(LOGS, name), 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
  const lines = text.split(/\r?\n/);
  const messages = lines.flatMap((l) => {
    const m = /(?:DEBUG|INFO|WARNING|ERROR) \d\d-\d\d \d\d:\d\d:\d\d \[[^\]]+\] (.*)$/.exec(l);
    return m ? [m[1] as string] : [];
  });
  const version = /vLLM API server version (\S+)/.exec(text)?.[1];
  const argsText = /non-default args: \{(.*)\}/.exec(text)?.[1];
  const kv = /Available KV cache memory: (-?[\d.]+) GiB/.exec(text)?.[1];
  if (!version || !argsText || !kv) throw new Error(`${name}: version, args or available KV line missing`);
  const args: Record<string, string> = {};
  for (const m of argsText.matchAll(/'(\w+)': ('[^']*'|[\w.]+)/g)) args[m[1] as string] = (m[2] as string).replace(/^'|'$/g, '');
  return { messages, lines, version, args, availableKvGiB: Number(kv) };
}

/** vLLM's non-default args as panel flags. */
function flagsFrom(args: Record<string, string>): FlagValues {
  const flags: FlagValues = {};
  const numeric = new Set(['max_model_len', 'gpu_memory_utilization', 'max_num_seqs', 'max_num_batched_tokens', 'tensor_parallel_size']);
  for (const key of [
    'max_model_len',
    'gpu_memory_utilization',
    'kv_cache_dtype',
    'max_num_seqs',
    'max_num_batched_tokens',
    'tensor_parallel_size',
    'enable_prefix_caching',
  ]) {
    const v = args[key];
    if (v === undefined) continue;
    flags[key.replaceAll('_', '-')] = numeric.has(key) ? Number(v) : v === 'True' ? true : v === 'False' ? false : v;
  }
  return flags;
}

function fixture(name: string, id: string): ModelGeometry {
  const r = geometryFromConfig(JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')), { modelId: id, source: 'local' });
  if (!r.ok) throw new Error(r.reason);
  return r.geometry;
}

function planFor(log: LogFacts, g: ModelGeometry) {
  return plan({
    model: { ok: true, geometry: g },
    gpu: { memoryGiB: null },
    flags: flagsFrom(log.args),
    availableKvGiB: log.availableKvGiB,
    vllmVersion: log.version,
  });
}

describe('hybrid Nemotron-H (vLLM 0.13): vllm-logs 07', () => {
  const log = readLog('07');
  const g = fixture('nemotron-3-nano-4b-fp8-config.json', 'nvidia/NVIDIA-Nemotron-3-Nano-4B-FP8');
  const r = planFor(log, g);

  it('reads the run as the log states it', () => {
    expect(log.version).toBe('0.13.0+faa43dbf.nv26.01');
    expect(log.availableKvGiB).toBe(11.15);
    expect(r.settings?.kvCacheDtype).toBe('fp8');
    expect(r.settings?.maxModelLen.value).toBe(8192);
  });

  it('predicts "GPU KV cache size" and "Maximum concurrency" exactly', () => {
    expect(r.logLines.kvCacheSize).toBe('GPU KV cache size: 208,320 tokens');
    expect(r.logLines.maxConcurrency).toBe('Maximum concurrency for 8,192 tokens per request: 98.20x');
    expect(log.messages).toContain(r.logLines.kvCacheSize);
    expect(log.messages).toContain(r.logLines.maxConcurrency);
  });

  it('predicts the hybrid config lines: SSM dtype, block size, Mamba page padding, padding layers', () => {
    for (const key of ['mambaSsmDtype', 'blockSize', 'mambaPadding', 'availableKv', 'paddingLayers'] as const) {
      const line = r.logLines[key];
      expect(line, key).toBeDefined();
      expect(log.messages, key).toContain(line);
    }
    expect(r.verdict).toBe('fits');
  });
});

describe('hybrid Nemotron-H out of KV memory (vLLM 0.13): vllm-logs 08', () => {
  const log = readLog('08');
  const r = planFor(log, fixture('nemotron-3-nano-4b-fp8-config.json', 'nvidia/NVIDIA-Nemotron-3-Nano-4B-FP8'));
  it('predicts the failure with the exact ValueError text, and no KV size lines', () => {
    expect(log.availableKvGiB).toBe(-2.51);
    expect(r.verdict).toBe('will-fail');
    const p = r.problems.find((x) => x.kind === 'no_kv_cache_memory');
    expect(p?.vllmMessage).toBeDefined();
    expect(log.lines.some((l) => l.endsWith(`ValueError: ${p?.vllmMessage}`))).toBe(true);
    expect(r.logLines.kvCacheSize).toBeUndefined();
    expect(log.messages.some((m) => m.startsWith('GPU KV cache size'))).toBe(false);
    expect(log.messages).toContain(r.logLines.blockSize);
  });
});

describe('dense Qwen2.5-14B fp8 (vLLM 0.13): vllm-logs 09, 10', () => {
  const g = fixture('qwen2.5-14b-instruct-fp8-dynamic-config.json', 'neuralmagic/Qwen2.5-14B-Instruct-FP8-dynamic');

  it('10: "Maximum concurrency" exactly; "GPU KV cache size" within what the printed 30.46 GiB allows', () => {
    const log = readLog('10');
    const r = planFor(log, g);
    expect(r.logLines.maxConcurrency).toBe('Maximum concurrency for 32,768 tokens per request: 10.15x');
    expect(log.messages).toContain(r.logLines.maxConcurrency);
    const logged = Number(/GPU KV cache size: ([\d,]+) tokens/.exec(log.messages.join('\n'))?.[1]?.replaceAll(',', ''));
    expect(logged).toBe(332_672);
    // The log rounds the KV memory to 0.01 GiB (≈ ±5 MiB ≈ ±3 blocks of 48 layers × 32 KiB here), so the
    // exact token count is only known to that range; the point estimate is within one block per 16 tokens.
    const range = r.kv!.range!;
    expect(logged).toBeGreaterThanOrEqual(range.kvCacheTokensMin);
    expect(logged).toBeLessThanOrEqual(range.kvCacheTokensMax);
    expect(Math.abs(r.kv!.kvCacheTokens - logged)).toBeLessThanOrEqual(range.kvCacheTokensMax - range.kvCacheTokensMin);
    expect(r.kv!.blockSize).toBe(16);
  });

  it('10: the weights estimate from config.json matches "Model loading took 15.2227 GiB" within 1 %', () => {
    const log = readLog('10');
    const took = Number(/Model loading took ([\d.]+) GiB/.exec(log.messages.join('\n'))?.[1]);
    expect(took).toBe(15.2227);
    expect(Math.abs(g.weightBytes / GiB - took) / took).toBeLessThan(0.01);
  });

  it('09: negative KV memory → no_kv_cache_memory with the exact text', () => {
    const log = readLog('09');
    const r = planFor(log, g);
    expect(log.availableKvGiB).toBe(-1.3);
    const p = r.problems.find((x) => x.kind === 'no_kv_cache_memory');
    expect(log.lines.some((l) => l.endsWith(`ValueError: ${p?.vllmMessage}`))).toBe(true);
  });
});

describe('dense MoE with tensor parallel 2 (vLLM 0.14): vllm-logs 01', () => {
  it('"Maximum concurrency" exactly and "GPU KV cache size" within the rounding range, per TP rank', () => {
    const log = readLog('01');
    const r = planFor(log, fixture('minimax-m2-config.json', 'MiniMax-M2.1'));
    expect(r.settings?.tensorParallelSize).toBe(2);
    expect(r.kv?.attentionBytesPerTokenPerLayer).toBe(2 * 4 * 128 * 1); // 8 KV heads / 2 ranks, fp8
    expect(r.logLines.maxConcurrency).toBe('Maximum concurrency for 128,000 tokens per request: 3.53x');
    expect(log.messages).toContain(r.logLines.maxConcurrency);
    const logged = Number(/GPU KV cache size: ([\d,]+) tokens/.exec(log.messages.join('\n'))?.[1]?.replaceAll(',', ''));
    expect(logged).toBe(452_176);
    expect(logged).toBeGreaterThanOrEqual(r.kv!.range!.kvCacheTokensMin);
    expect(logged).toBeLessThanOrEqual(r.kv!.range!.kvCacheTokensMax);
  });
});
