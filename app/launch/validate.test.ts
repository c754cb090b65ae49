import { describe, expect, it } from 'vitest';
import { getCatalog } from './catalog';
import type { FieldIssue, FlagValues } from './types';
import { editDistance, suggestFlagNames, validateEnv, validateFlags } from './validate';

const v13 = getCatalog('0.13.0');
const v30 = getCatalog('0.30.0');
/** Loopback host so the security warning stays out of tests about other rules. */
const SAFE = { host: '127.0.0.1' };

const run = (flags: FlagValues, opts: { gpuCount?: number; env?: Record<string, string>; catalog?: ReturnType<typeof getCatalog> } = {}) =>
  validateFlags(
    { ...SAFE, ...flags },
    {
      catalog: opts.catalog ?? v13,
      ...(opts.gpuCount !== undefined ? { gpuCount: opts.gpuCount } : {}),
      ...(opts.env ? { env: opts.env } : {}),
    },
  );
const only = (issues: FieldIssue[], field: string) => issues.filter((i) => i.field === field);

// THROUGHPUT profile of the launcher we replace (HELPERS.md).
const THROUGHPUT: FlagValues = {
  'max-num-seqs': 64,
  'max-num-batched-tokens': 16384,
  'max-model-len': 32768,
  'mamba-ssm-cache-dtype': 'float32',
  'trust-remote-code': true,
  'kv-cache-dtype': 'fp8_e5m2',
  'gpu-memory-utilization': 0.95,
  'enable-prefix-caching': true,
  'api-server-count': 1,
  port: 8000,
  'data-parallel-size': 2,
  'attention-backend': 'FLASHINFER',
};

describe('validateFlags', () => {
  it('accepts the launcher profile as is', () => {
    expect(run(THROUGHPUT, { gpuCount: 2 })).toEqual([]);
    expect(run(THROUGHPUT, { gpuCount: 2, catalog: v30 })).toEqual([]);
  });

  it('reports unknown flags with did-you-mean', () => {
    const [i] = run({ 'max-num-seq': 32 });
    expect(i).toMatchObject({ field: 'max-num-seq', severity: 'error', kind: 'unknown_flag' });
    expect(i?.suggestions?.[0]).toBe('max-num-seqs');
    expect(i?.message).toMatch(/Did you mean --max-num-seqs/);
    expect(run({ 'gpu-mem-util': 0.9 })[0]?.suggestions).toContain('gpu-memory-utilization');
    expect(run({ 'enable-prefix-cache': true })[0]?.suggestions?.[0]).toBe('enable-prefix-caching');
    expect(run({ zzzzzz: 1 })[0]?.suggestions).toBeUndefined();
  });

  it('accepts any spelling of a known flag', () => {
    expect(run({ max_num_seqs: 8, '--max_model_len': '8k', '-tp': 1 })).toEqual([]);
    expect(run({ 'no-enable-prefix-caching': true })).toEqual([]);
  });

  it('reports removed flags with their replacement', () => {
    const [r] = run({ 'enable-reasoning': true });
    expect(r).toMatchObject({ field: 'enable-reasoning', kind: 'removed_flag', severity: 'error' });
    expect(r?.message).toMatch(/removed in 0\.10\.0.*--reasoning-parser/);
    const [g] = run({ guided_decoding_backend: 'xgrammar' });
    expect(g?.suggestions).toEqual(['structured-outputs-config.backend']);
    expect(run({ 'rope-scaling': '{}' })[0]?.message).toMatch(/hf-overrides/);
    // Still present in older versions:
    expect(run({ 'swap-space': 4 })).toEqual([]);
    expect(run({ 'swap-space': 4 }, { catalog: v30 })[0]?.kind).toBe('removed_flag');
    expect(run({ 'disable-frontend-multiprocessing': true }, { catalog: getCatalog('0.11.1') })).toEqual([]);
  });

  it('explains flags that need a newer vLLM', () => {
    const [i] = run({ grpc: true });
    expect(i?.message).toMatch(/needs vLLM 0\.20\.0 or newer; the selected vLLM is 0\.13\.0/);
    const [k] = run({ 'kv-cache-dtype': 'fp8_ds_mla' }, { catalog: getCatalog('0.10.2') });
    expect(k).toMatchObject({ kind: 'bad_choice', field: 'kv-cache-dtype' });
    expect(k?.message).toMatch(/needs vLLM 0\.11\.0/);
    // fp8 KV variants valid in every version seen (vllm-cli.md §5)
    for (const v of ['0.10.2', '0.13.0', '0.30.0']) {
      for (const dt of ['fp8', 'fp8_e4m3', 'fp8_e5m2']) expect(run({ 'kv-cache-dtype': dt }, { catalog: getCatalog(v) })).toEqual([]);
    }
  });

  it('reports bad types, choices and ranges as field errors', () => {
    expect(run({ 'gpu-memory-utilization': 1.5 })[0]).toMatchObject({ field: 'gpu-memory-utilization', kind: 'out_of_range' });
    expect(run({ 'gpu-memory-utilization': 0 })[0]?.kind).toBe('out_of_range');
    expect(run({ port: 0 })[0]).toMatchObject({ field: 'port', kind: 'out_of_range' });
    expect(run({ port: 65536 })[0]?.kind).toBe('out_of_range');
    expect(run({ port: 'http' })[0]).toMatchObject({ field: 'port', kind: 'bad_type' });
    expect(run({ 'max-num-seqs': 0 })[0]?.kind).toBe('out_of_range');
    expect(run({ 'kv-cache-dtype': 'fp4' })[0]).toMatchObject({ kind: 'bad_choice', suggestions: expect.arrayContaining(['fp8']) });
    expect(run({ 'max-model-len': '32.5K' })[0]?.message).toMatch(/Decimals are not allowed/);
    expect(run({ 'speculative-config': '{bad' })[0]?.kind).toBe('bad_type');
  });

  it('requires max-num-batched-tokens ≥ max-num-seqs', () => {
    const issues = run({ 'max-num-seqs': 256, 'max-num-batched-tokens': 128 });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ field: 'max-num-batched-tokens', kind: 'cross_field', severity: 'error' });
    expect(issues[0]?.message).toBe('max-num-batched-tokens (128) must be greater than or equal to max-num-seqs (256).');
    expect(run({ 'max-num-seqs': 256, 'max-num-batched-tokens': 256 })).toEqual([]);
  });

  it('requires max-num-batched-tokens ≥ max-model-len without chunked prefill', () => {
    const base = { 'max-num-batched-tokens': 8192, 'max-model-len': 32768 };
    expect(run(base)).toEqual([]);
    expect(run({ ...base, 'enable-chunked-prefill': true })).toEqual([]);
    expect(run({ ...base, 'enable-chunked-prefill': false })[0]).toMatchObject({ field: 'max-num-batched-tokens', kind: 'cross_field' });
    expect(run({ ...base, 'max-model-len': 'auto', 'enable-chunked-prefill': false })).toEqual([]);
  });

  it('checks DP × TP × PP against the selected GPUs', () => {
    expect(run({ 'data-parallel-size': 2 }, { gpuCount: 2 })).toEqual([]);
    expect(run({ 'data-parallel-size': 2, 'tensor-parallel-size': 2 }, { gpuCount: 4 })).toEqual([]);
    const over = run({ 'data-parallel-size': 2, 'tensor-parallel-size': 2 }, { gpuCount: 2 });
    expect(over[0]).toMatchObject({ field: 'data-parallel-size', severity: 'error', kind: 'cross_field' });
    expect(over[0]?.message).toMatch(/needs 4 GPUs, but 2 are selected/);
    const pp = run({ 'pipeline-parallel-size': 2 }, { gpuCount: 1 });
    expect(pp[0]?.message).toMatch(/needs 2 GPUs, but 1 is selected/);
    const under = run({}, { gpuCount: 2 });
    expect(under[0]).toMatchObject({ field: 'gpus', severity: 'warning' });
    expect(run({}, { gpuCount: 0 })[0]).toMatchObject({ field: 'gpus', severity: 'error' });
    expect(run({ 'tensor-parallel-size': 8 })).toEqual([]); // GPU count unknown: not checked
  });

  it('warns about KV dtypes that do not apply here', () => {
    expect(run({ 'kv-cache-dtype': 'fp8_inc' })[0]).toMatchObject({ severity: 'warning', field: 'kv-cache-dtype' });
  });

  it('enforces the start-up TypeErrors of vLLM', () => {
    const tool = run({ 'enable-auto-tool-choice': true });
    expect(tool[0]).toMatchObject({
      field: 'enable-auto-tool-choice',
      severity: 'error',
      message: '--enable-auto-tool-choice requires --tool-call-parser.',
    });
    expect(run({ 'enable-auto-tool-choice': true, 'tool-call-parser': 'hermes' })).toEqual([]);
    expect(run({ 'enable-log-outputs': true })[0]).toMatchObject({
      field: 'enable-log-outputs',
      message: '--enable-log-outputs requires --enable-log-requests.',
    });
    expect(run({ 'enable-log-outputs': true, 'enable-log-requests': true })).toEqual([]);
  });

  it('checks the other scheduler/cache constraints', () => {
    expect(run({ 'max-num-partial-prefills': 2 })[0]?.field).toBe('max-num-partial-prefills');
    expect(run({ 'mamba-block-size': 12 }, { catalog: v30 })[0]?.message).toMatch(/multiple of 8/);
    expect(run({ 'mamba-block-size': 16 }, { catalog: v30 })).toEqual([]);
    expect(run({ 'attention-backend': 'FLASHINFER', 'attention-config.backend': 'TRITON_ATTN' })[0]?.field).toBe('attention-backend');
    expect(run({ 'kv-cache-memory-bytes': '20G', 'gpu-memory-utilization': 0.9 })[0]).toMatchObject({ severity: 'warning' });
    expect(run({ 'api-server-count': 4 })[0]).toMatchObject({ field: 'api-server-count', severity: 'warning' });
    expect(run({ 'calculate-kv-scales': true }, { catalog: getCatalog('0.18.0') })[0]).toMatchObject({ severity: 'warning' });
    expect(run({ 'calculate-kv-scales': true }, { catalog: getCatalog('0.19.0') })[0]).toMatchObject({
      severity: 'error',
      kind: 'removed_flag',
    });
  });

  it('warns when vLLM is exposed without an API key', () => {
    const open = validateFlags({ host: '0.0.0.0' }, { catalog: v13 });
    expect(open).toEqual([expect.objectContaining({ field: 'host', kind: 'security', severity: 'warning' })]);
    expect(validateFlags({}, { catalog: v13 })[0]?.message).toMatch(/all interfaces/);
    expect(validateFlags({ host: '0.0.0.0', 'api-key': ['k'] }, { catalog: v13 })).toEqual([]);
    expect(validateFlags({ host: '::1' }, { catalog: v13 })).toEqual([]);
    expect(validateFlags({ host: 'localhost' }, { catalog: v13 })).toEqual([]);
    expect(validateFlags({ host: '0.0.0.0' }, { catalog: v13, env: { VLLM_API_KEY: 'x' } })).toEqual([]);
  });

  it('reports duplicate spellings of one flag', () => {
    const issues = run({ max_num_seqs: 8, 'max-num-seqs': 16 });
    expect(only(issues, 'max-num-seqs')[0]).toMatchObject({ severity: 'warning' });
  });
});

describe('validateEnv', () => {
  it('refuses VLLM_ATTENTION_BACKEND where it is ignored, warns where deprecated', () => {
    const removed = run({}, { catalog: v30, env: { VLLM_ATTENTION_BACKEND: 'FLASHINFER' } });
    expect(removed[0]).toMatchObject({
      field: 'env:VLLM_ATTENTION_BACKEND',
      severity: 'error',
      kind: 'env',
      suggestions: ['attention-backend'],
    });
    expect(removed[0]?.message).toMatch(/--attention-backend/);
    const deprecated = run({}, { env: { VLLM_ATTENTION_BACKEND: 'FLASHINFER' } });
    expect(deprecated[0]).toMatchObject({ severity: 'warning', field: 'env:VLLM_ATTENTION_BACKEND' });
    // Before the flag existed the env var is the only way: nothing to say.
    expect(run({}, { catalog: getCatalog('0.10.2'), env: { VLLM_ATTENTION_BACKEND: 'FLASHINFER' } })).toEqual([]);
  });

  it('warns that VLLM_USE_V1 is ignored, errors with --fail-on-environ-validation', () => {
    expect(run({}, { env: { VLLM_USE_V1: '1' } })[0]).toMatchObject({ field: 'env:VLLM_USE_V1', severity: 'warning' });
    expect(run({ 'fail-on-environ-validation': true }, { env: { VLLM_USE_V1: '1' } })[0]).toMatchObject({ severity: 'error' });
    expect(run({}, { catalog: getCatalog('0.10.2'), env: { VLLM_USE_V1: '1' } })).toEqual([]);
  });

  it('checks names and values and ignores ordinary variables', () => {
    const issues = validateEnv({ 'BAD NAME': 'x', OK_1: 'fine', NUL: 'a\u0000b', TOKENIZERS_PARALLELISM: 'false' }, v13);
    expect(issues.map((i) => i.field)).toEqual(['env:BAD NAME', 'env:NUL']);
  });
});

describe('did-you-mean helpers', () => {
  it('computes bounded edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('a', 'abcdef', 2)).toBe(3);
  });
  it('suggests by edits, token prefixes and substrings', () => {
    expect(suggestFlagNames('tensor-paralel-size', v13)[0]).toBe('tensor-parallel-size');
    expect(suggestFlagNames('mamba-ssm-dtype', v13)).toContain('mamba-ssm-cache-dtype');
    expect(suggestFlagNames('kv-cache', v13).length).toBeGreaterThan(0);
  });
});
