import { describe, expect, it } from 'vitest';
import { getCatalog } from './catalog';
import { checkFlagValue, formatFlagArgs, parseFlagValue, parseHumanReadableInt, parsePythonLiteral, pythonDefaultText } from './flag-value';
import type { FlagSpec } from './types';

const c = getCatalog('0.13.0');
const spec = (name: string): FlagSpec => {
  const s = c.get(name);
  if (!s) throw new Error(`no ${name}`);
  return s;
};
const value = (name: string, raw: string | boolean) => {
  const r = parseFlagValue(spec(name), raw);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};
const message = (name: string, raw: string | boolean) => {
  const r = parseFlagValue(spec(name), raw);
  if (r.ok) throw new Error(`accepted ${String(raw)}`);
  return r.message;
};

describe('human-readable ints (vllm-cli.md §1, argparse_utils.human_readable_int)', () => {
  it.each([
    ['1k', 1000],
    ['1K', 1024],
    ['25.6k', 25600],
    ['2M', 2 * 2 ** 20],
    ['2m', 2_000_000],
    ['1G', 2 ** 30],
    ['1g', 1e9],
    ['1T', 2 ** 40],
    ['1t', 1e12],
    ['32k', 32000],
    ['32K', 32768],
    ['8192', 8192],
    [' 64k ', 64000],
  ])('%s = %d', (raw, want) => {
    expect(parseHumanReadableInt(raw)).toEqual({ ok: true, value: want });
  });

  it('refuses decimals with binary suffixes with vLLM’s message', () => {
    expect(parseHumanReadableInt('32.5K')).toEqual({
      ok: false,
      message: 'Decimals are not allowed with binary suffixes like K. Did you mean to use 32.5k instead?',
    });
    expect(message('max-num-batched-tokens', '1.5M')).toBe(
      'Decimals are not allowed with binary suffixes like M. Did you mean to use 1.5m instead?',
    );
  });

  it('refuses text that is not a number', () => {
    expect(message('max-model-len', 'lots')).toBe("invalid human_readable_int value: 'lots'");
    expect(message('max-num-batched-tokens', '1kb')).toMatch(/invalid human_readable_int value/);
  });

  it('accepts auto / -1 for max-model-len only', () => {
    expect(value('max-model-len', 'auto')).toBe(-1);
    expect(value('max-model-len', 'AUTO')).toBe(-1);
    expect(value('max-model-len', '-1')).toBe(-1);
    expect(value('max-model-len', '32k')).toBe(32000);
    expect(parseFlagValue(spec('max-num-batched-tokens'), 'auto').ok).toBe(false);
    expect(parseFlagValue(spec('kv-cache-memory-bytes'), '-1').ok).toBe(false);
    expect(value('kv-cache-memory-bytes', '20G')).toBe(20 * 2 ** 30);
  });
});

describe('parseFlagValue', () => {
  it('parses ints with Python int() rules and checks ranges', () => {
    expect(value('max-num-seqs', '64')).toBe(64);
    expect(value('max-num-seqs', '1_024')).toBe(1024);
    expect(message('max-num-seqs', '6.4')).toBe("invalid int value: '6.4'");
    expect(message('max-num-seqs', '0')).toMatch(/at least 1/);
    expect(message('port', '70000')).toMatch(/at most 65535/);
    expect(message('port', '0')).toMatch(/at least 1/);
    expect(value('port', '8000')).toBe(8000);
    // argparse itself does not range-check (vLLM fails later): the simulator's parser skips it.
    expect(parseFlagValue(spec('port'), '70000', { range: false })).toEqual({ ok: true, value: 70000 });
  });

  it('parses floats; gpu-memory-utilization is in (0, 1]', () => {
    expect(value('gpu-memory-utilization', '0.95')).toBe(0.95);
    expect(value('gpu-memory-utilization', '1')).toBe(1);
    expect(value('gpu-memory-utilization', '.5')).toBe(0.5);
    expect(message('gpu-memory-utilization', '0')).toMatch(/greater than 0/);
    expect(message('gpu-memory-utilization', '1.01')).toMatch(/at most 1/);
    expect(message('gpu-memory-utilization', 'high')).toBe("invalid float value: 'high'");
    expect(message('gpu-memory-utilization', 'nan')).toMatch(/number/);
    expect(message('gpu-memory-utilization', 'e5')).toBe("invalid float value: 'e5'");
    expect(value('kv-cache-metrics-sample', '1e-3')).toBe(0.001);
  });

  it('maps None and "" to null for optional flags only', () => {
    expect(value('max-num-seqs', 'None')).toBeNull();
    expect(value('max-num-seqs', '')).toBeNull();
    expect(value('tokenizer', 'None')).toBeNull();
    expect(value('distributed-executor-backend', 'None')).toBeNull();
    expect(message('port', 'None')).toBe("invalid int value: 'None'");
    // reasoning-parser defaults to "" (not Optional): "" stays a string.
    expect(value('reasoning-parser', '')).toBe('');
  });

  it('checks choices (and accepts dashes for moe-backend)', () => {
    expect(value('kv-cache-dtype', 'fp8_e5m2')).toBe('fp8_e5m2');
    expect(message('kv-cache-dtype', 'fp9')).toMatch(/^invalid choice: 'fp9' \(choose from 'auto', /);
    expect(value('moe-backend', 'flashinfer-cutlass')).toBe('flashinfer_cutlass');
    expect(value('max-lora-rank', '64')).toBe(64);
    expect(parseFlagValue(spec('max-lora-rank'), '7').ok).toBe(false);
  });

  it('parses switches', () => {
    expect(value('enable-prefix-caching', true)).toBe(true);
    expect(value('enable-prefix-caching', 'false')).toBe(false);
    expect(value('enable-prefix-caching', 'None')).toBeNull();
    expect(value('trust-remote-code', 'yes')).toBe(true);
    expect(message('trust-remote-code', 'maybe')).toMatch(/invalid boolean/);
    expect(value('headless', true)).toBe(true);
    expect(message('port', true)).toBe('expected one argument');
    expect(value('hf-token', true)).toBe(true); // nargs='?': the bare flag
  });

  it('parses lists and JSON', () => {
    expect(value('served-model-name', 'a b')).toEqual(['a', 'b']);
    expect(value('served-model-name', '["x y", "z"]')).toEqual(['x y', 'z']);
    expect(value('cudagraph-capture-sizes', '1,2,4')).toEqual(['1', '2', '4']);
    expect(message('cudagraph-capture-sizes', '1 two')).toBe("invalid int value: 'two'");
    expect(value('speculative-config', '{"method": "mtp"}')).toBe('{"method": "mtp"}');
    expect(message('speculative-config', '{method: mtp}')).toMatch(/^invalid JSON value/);
    const traces = { ...spec('collect-detailed-traces') };
    expect(parseFlagValue(traces, 'model worker')).toEqual({ ok: true, value: ['model', 'worker'] });
    expect(parseFlagValue(traces, 'gpu').ok).toBe(false);
  });
});

describe('checkFlagValue (stored values)', () => {
  it('accepts typed values and rejects wrong shapes', () => {
    expect(checkFlagValue(spec('max-num-seqs'), 64)).toEqual({ ok: true, value: 64 });
    expect(checkFlagValue(spec('max-num-seqs'), 6.5).ok).toBe(false);
    expect(checkFlagValue(spec('max-num-seqs'), ['1']).ok).toBe(false);
    expect(checkFlagValue(spec('max-model-len'), -1)).toEqual({ ok: true, value: -1 });
    expect(checkFlagValue(spec('max-model-len'), '32k')).toEqual({ ok: true, value: 32000 });
    expect(checkFlagValue(spec('port'), null).ok).toBe(false);
    expect(checkFlagValue(spec('served-model-name'), []).ok).toBe(true);
    expect(checkFlagValue(spec('kv-cache-dtype'), 'fp8').ok).toBe(true);
  });
});

describe('formatFlagArgs', () => {
  it('prints argv pieces like the launcher script', () => {
    expect(formatFlagArgs('enable-prefix-caching', true, spec('enable-prefix-caching'))).toEqual(['--enable-prefix-caching']);
    expect(formatFlagArgs('enable-prefix-caching', false, spec('enable-prefix-caching'))).toEqual(['--no-enable-prefix-caching']);
    expect(formatFlagArgs('enable-prefix-caching', null, spec('enable-prefix-caching'))).toEqual([]);
    expect(formatFlagArgs('headless', false, spec('headless'))).toEqual([]);
    expect(formatFlagArgs('headless', true, spec('headless'))).toEqual(['--headless']);
    expect(formatFlagArgs('max-num-seqs', 64, spec('max-num-seqs'))).toEqual(['--max-num-seqs', '64']);
    expect(formatFlagArgs('gpu-memory-utilization', 0.95, spec('gpu-memory-utilization'))).toEqual(['--gpu-memory-utilization', '0.95']);
    expect(formatFlagArgs('served-model-name', ['a', 'b'], spec('served-model-name'))).toEqual(['--served-model-name', 'a', 'b']);
    expect(formatFlagArgs('served-model-name', [], spec('served-model-name'))).toEqual([]);
    expect(formatFlagArgs('max-num-seqs', null, spec('max-num-seqs'))).toEqual([]);
    expect(formatFlagArgs('seed', null, spec('seed'))).toEqual(['--seed', 'None']);
    expect(formatFlagArgs('speculative-config', '{"method":"mtp"}', spec('speculative-config'))).toEqual([
      '--speculative-config',
      '{"method":"mtp"}',
    ]);
    expect(formatFlagArgs('compilation-config.mode', 3, spec('compilation-config'))).toEqual(['--compilation-config.mode', '3']);
    expect(formatFlagArgs('hf-token', true, spec('hf-token'))).toEqual(['--hf-token']);
    // Hostile text stays one argv element: nothing here is ever given to a shell.
    expect(formatFlagArgs('served-model-name', ['x; rm -rf /'], spec('served-model-name'))).toEqual(['--served-model-name', 'x; rm -rf /']);
  });
});

describe('python literals in help defaults', () => {
  it('round-trips defaults through Python str()', () => {
    expect(pythonDefaultText(spec('ignore-patterns'))).toBe("['original/**/*']");
    expect(pythonDefaultText(spec('allowed-origins'))).toBe("['*']");
    expect(pythonDefaultText(spec('mm-processor-cache-gb'))).toBe('4.0');
    expect(pythonDefaultText(spec('trust-remote-code'))).toBe('False');
    expect(pythonDefaultText(spec('max-num-seqs'))).toBe('None');
    expect(pythonDefaultText(spec('hf-overrides'))).toBe('{}');
    expect(parsePythonLiteral("{'level': None, 'mode': 3, 'x': [1, 'a'], 'ok': True}")).toEqual({
      value: { level: null, mode: 3, x: [1, 'a'], ok: true },
    });
    expect(parsePythonLiteral('set()')).toEqual({ value: [] });
    expect(parsePythonLiteral('EPLBConfig(window_size=1000)')).toBeUndefined();
  });
});
