// Conformance: the diagnosis over every real vLLM log in ../shared/reference/vllm-logs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnoseLog } from './diagnose';

const DIR = join(__dirname, '../../../shared/reference/vllm-logs');

/** The shared logs start with a provenance header; vLLM's own output follows this marker. */
function body(file: string): string {
  const t = readFileSync(join(DIR, file), 'utf8');
  const mark = '# ---- verbatim below ----';
  const i = t.indexOf(mark);
  return i === -1 ? t : t.slice(i + mark.length + 1);
}

const EXPECTED: Record<
  string,
  { outcome: string; errorKind: string; message?: RegExp; numbers?: Record<string, number>; version?: string }
> = {
  '01': {
    outcome: 'ready',
    errorKind: 'none',
    version: '0.14.0rc1.dev492+g19504ac07',
    numbers: { gpuKvCacheTokens: 452176, maxConcurrency: 3.53, maxModelLen: 128000, port: 8005 },
  },
  '02': {
    outcome: 'failed',
    errorKind: 'cuda_oom',
    message: /^torch\.OutOfMemoryError: CUDA out of memory\. Tried to allocate 15\.62 GiB/,
    numbers: { triedToAllocateGiB: 15.62 },
  },
  '03': { outcome: 'arg-error', errorKind: 'invalid_argument_value', message: /invalid tool call parser: deepseek_r1/ },
  '04': { outcome: 'running-then-died', errorKind: 'engine_died', message: /^Engine core proc EngineCore_DP0 died unexpectedly/ },
  '05': { outcome: 'arg-error', errorKind: 'invalid_argument_value', version: '0.13.0', message: /invalid tool call parser: glm47/ },
  '06': { outcome: 'incomplete', errorKind: 'none' },
  '07': {
    outcome: 'ready',
    errorKind: 'none',
    numbers: { gpuKvCacheTokens: 208320, maxConcurrency: 98.2, availableKvGiB: 11.15, maxModelLen: 8192 },
  },
  '08': {
    outcome: 'failed',
    errorKind: 'no_kv_cache_memory',
    message: /^ValueError: No available memory for the cache blocks/,
    numbers: { availableKvGiB: -2.51 },
  },
  '09': {
    outcome: 'failed',
    errorKind: 'no_kv_cache_memory',
    message: /^ValueError: No available memory for the cache blocks/,
    numbers: { availableKvGiB: -1.3 },
  },
  '10': { outcome: 'ready', errorKind: 'none', numbers: { gpuKvCacheTokens: 332672, maxConcurrency: 10.15 } },
  '11': {
    outcome: 'arg-error',
    errorKind: 'unrecognized_argument',
    message: /^vllm: error: unrecognized arguments: --guided-decoding-backend xgrammar$/,
  },
  '12': { outcome: 'arg-error', errorKind: 'unrecognized_argument', message: /--guided-decoding-backend outlines/ },
};

describe('diagnosis over the real vLLM logs', () => {
  // The conformance step runs where ../shared exists; a missing folder is a failure, not a skip.
  it('finds the shared reference logs', () => expect(existsSync(DIR)).toBe(true));
  const files = existsSync(DIR)
    ? readdirSync(DIR)
        .filter((f) => f.endsWith('.log'))
        .sort()
    : [];

  it('has an expectation for every shared log', () => {
    expect(files.map((f) => f.slice(0, 2)).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const file of files) {
    const exp = EXPECTED[file.slice(0, 2)]!;
    it(`${file}: ${exp.outcome} / ${exp.errorKind}`, () => {
      const d = diagnoseLog(body(file));
      expect(d.outcome).toBe(exp.outcome);
      expect(d.errorKind).toBe(exp.errorKind);
      if (exp.message) expect(d.message).toMatch(exp.message);
      if (exp.version) expect(d.vllmVersion).toBe(exp.version);
      if (exp.numbers) expect(d.numbers).toMatchObject(exp.numbers);
      if (exp.errorKind !== 'none' && exp.errorKind !== 'other') expect(d.remedies.length).toBeGreaterThan(0);
    });
  }
});
