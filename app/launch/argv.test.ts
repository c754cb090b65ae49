import { describe, expect, it } from 'vitest';
import { parseServeArgs } from './argv';
import { getCatalog } from './catalog';

const c = getCatalog('0.13.0');

describe('parseServeArgs', () => {
  it('parses the launcher command line (underscores, bools, lists, env-free)', () => {
    const r = parseServeArgs(
      [
        'serve',
        'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
        '--trust-remote-code',
        '--mamba_ssm_cache_dtype',
        'float32',
        '--max-num-seqs=64',
        '--max-num-batched-tokens',
        '16k',
        '--max-model-len',
        '32768',
        '--kv-cache-dtype',
        'fp8_e5m2',
        '--gpu-memory-utilization',
        '0.95',
        '--enable-prefix-caching',
        '-dp',
        '2',
        '--served-model-name',
        'nemotron',
        'nano',
        '--no-enable-log-requests',
        '--port',
        '8000',
      ],
      c,
    );
    expect(r.errors).toEqual([]);
    expect(r.unrecognized).toEqual([]);
    expect(r.model).toBe('nvidia/NVIDIA-Nemotron-Nano-12B-v2');
    expect(r.values).toEqual({
      'trust-remote-code': true,
      'mamba-ssm-cache-dtype': 'float32',
      'max-num-seqs': 64,
      'max-num-batched-tokens': 16000,
      'max-model-len': 32768,
      'kv-cache-dtype': 'fp8_e5m2',
      'gpu-memory-utilization': 0.95,
      'enable-prefix-caching': true,
      'data-parallel-size': 2,
      'served-model-name': ['nemotron', 'nano'],
      'enable-log-requests': false,
      port: 8000,
    });
  });

  it('reports unknown flags and their values as unrecognized arguments', () => {
    const r = parseServeArgs(['m', '--guided-decoding-backend', 'xgrammar', '--port', '1'], c);
    expect(r.unrecognized).toEqual(['--guided-decoding-backend', 'xgrammar']);
    expect(r.values).toEqual({ port: 1 });
    expect(parseServeArgs(['m', 'extra'], c).unrecognized).toEqual(['extra']);
  });

  it('reports argparse-style errors', () => {
    expect(parseServeArgs(['m', '--max-model-len', 'lots'], c).errors).toEqual([
      { option: '--max-model-len', message: "argument --max-model-len: invalid human_readable_int value: 'lots'" },
    ]);
    expect(parseServeArgs(['m', '--port'], c).errors[0]?.message).toBe('argument --port: expected one argument');
    expect(parseServeArgs(['m', '--port', '--host', 'x'], c).errors[0]?.message).toBe('argument --port: expected one argument');
    expect(parseServeArgs(['m', '-tp', 'two'], c).errors[0]?.message).toBe("argument --tensor-parallel-size/-tp: invalid int value: 'two'");
    expect(parseServeArgs(['m', '--kv-cache-dtype', 'fp9'], c).errors[0]?.message).toMatch(
      /^argument --kv-cache-dtype: invalid choice: 'fp9'/,
    );
    expect(parseServeArgs(['m', '--enforce-eager=true'], c).errors[0]?.message).toBe(
      "argument --enforce-eager/--no-enforce-eager: ignored explicit argument 'true'",
    );
    expect(parseServeArgs(['m', '--served-model-name'], c).errors[0]?.message).toMatch(/expected at least one argument/);
    expect(parseServeArgs(['m', '--max-num-batched-tokens', '1.5K'], c).errors[0]?.message).toBe(
      'argument --max-num-batched-tokens: Decimals are not allowed with binary suffixes like K. Did you mean to use 1.5k instead?',
    );
    // argparse does not range-check: vLLM fails later, so the parser accepts it.
    expect(parseServeArgs(['m', '--gpu-memory-utilization', '1.5'], c).values).toEqual({ 'gpu-memory-utilization': 1.5 });
  });

  it('handles --model, -O, dotted JSON keys, negative numbers, duplicates and --help', () => {
    const m = parseServeArgs(['-tp', '1', '--model', 'Qwen/Qwen3-0.6B'], c);
    expect(m).toMatchObject({ model: 'Qwen/Qwen3-0.6B', modelFromOption: true, values: { 'tensor-parallel-size': 1 } });
    expect(parseServeArgs(['m', '-O3'], c).values).toEqual({ 'optimization-level': 3 });
    expect(parseServeArgs(['m', '-O', '1'], c).values).toEqual({ 'optimization-level': 1 });
    expect(parseServeArgs(['m', '--compilation_config.cudagraph_mode', 'PIECEWISE'], c).values).toEqual({
      'compilation-config.cudagraph_mode': 'PIECEWISE',
    });
    expect(parseServeArgs(['m', '--max-model-len', '-1'], c).values).toEqual({ 'max-model-len': -1 });
    const d = parseServeArgs(['m', '--max-num-seqs', '8', '--max_num_seqs', '16'], c);
    expect(d.values['max-num-seqs']).toBe(16);
    expect(d.duplicates).toEqual(['--max_num_seqs']);
    expect(parseServeArgs(['--help=CacheConfig'], c).help).toBe('CacheConfig');
    expect(parseServeArgs(['-h'], c).help).toBe('');
    expect(parseServeArgs(['m', '--hf-token', '--port', '1'], c).values).toEqual({ 'hf-token': true, port: 1 });
  });
});
