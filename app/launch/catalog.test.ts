import { describe, expect, it } from 'vitest';
import {
  canonicalFlagName,
  compareVersions,
  FLAG_CATALOG,
  FLAG_GROUPS,
  getCatalog,
  LEGACY_FLAGS,
  parseVersion,
  REMOVED_ITEMS,
  sortChoices,
  versionAtLeast,
} from './catalog';
import { checkFlagValue } from './flag-value';
import type { FlagSpec } from './types';

const GROUP_NAMES = new Set(FLAG_GROUPS.map((g) => g.name));

describe('catalog integrity', () => {
  it('has every group of vllm-cli.md §2 and flags in each', () => {
    const groups = new Set(FLAG_CATALOG.map((f) => f.group));
    for (const g of [
      'options',
      'Frontend',
      'ModelConfig',
      'LoadConfig',
      'AttentionConfig',
      'MambaConfig',
      'StructuredOutputsConfig',
      'ParallelConfig',
      'CacheConfig',
      'OffloadConfig',
      'MultiModalConfig',
      'LoRAConfig',
      'ObservabilityConfig',
      'SchedulerConfig',
      'CompilationConfig',
      'KernelConfig',
      'VllmConfig',
    ]) {
      expect(groups.has(g), g).toBe(true);
    }
  });

  it('has no duplicate names or aliases, and canonical names only', () => {
    const names = new Set<string>();
    const aliases = new Set<string>();
    for (const f of FLAG_CATALOG) {
      expect(names.has(f.name), f.name).toBe(false);
      names.add(f.name);
      expect(f.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(canonicalFlagName(f.name)).toBe(f.name);
      for (const a of f.aliases ?? []) {
        expect(a).toMatch(/^-[a-z]+$/);
        expect(aliases.has(a), a).toBe(false);
        aliases.add(a);
      }
    }
    for (const f of LEGACY_FLAGS) expect(names.has(f.name), `legacy ${f.name} also current`).toBe(false);
  });

  it('gives every flag a known group and a help line', () => {
    for (const f of [...FLAG_CATALOG, ...LEGACY_FLAGS]) {
      if (!LEGACY_FLAGS.includes(f)) expect(GROUP_NAMES.has(f.group), `${f.name}: ${f.group}`).toBe(true);
      expect(f.help.length, f.name).toBeGreaterThan(10);
      expect(f.help).not.toContain('(default:');
      // Help renders through textwrap: words longer than the help column would be split mid-word.
      for (const word of f.help.split(/\s+/)) expect(word.length, `${f.name}: ${word}`).toBeLessThanOrEqual(54);
    }
  });

  it('has defaults consistent with kind, choices and range', () => {
    const check = (f: FlagSpec) => {
      if (f.kind === 'choice') expect(f.choices?.length, f.name).toBeGreaterThan(1);
      if (f.choices) expect(sortChoices(f.choices), `${f.name} choices sorted like argparse`).toEqual(f.choices);
      if (f.default === undefined) return;
      const r = checkFlagValue(f, f.default);
      expect(r.ok, `${f.name}=${JSON.stringify(f.default)}: ${r.ok ? '' : r.message}`).toBe(true);
      if (f.kind === 'bool' || f.kind === 'store-true') expect(typeof f.default).toBe('boolean');
      if (f.kind === 'json') expect(() => JSON.parse(f.default as string)).not.toThrow();
    };
    for (const f of [...FLAG_CATALOG, ...LEGACY_FLAGS]) check(f);
    for (const v of ['0.10.2', '0.13.0', '0.18.0', '0.30.0']) for (const f of getCatalog(v).all()) check(f);
  });

  it('covers the flags of the launcher we replace and the reference tables', () => {
    const c = getCatalog();
    for (const n of [
      'mamba-ssm-cache-dtype',
      'trust-remote-code',
      'kv-cache-dtype',
      'gpu-memory-utilization',
      'enable-prefix-caching',
      'api-server-count',
      'port',
      'host',
      'max-num-seqs',
      'max-num-batched-tokens',
      'max-model-len',
      'data-parallel-size',
      'served-model-name',
      'attention-backend',
      'hf-config-path',
      'reasoning-parser',
      'speculative-config',
      'optimization-level',
      'mamba-backend',
      'cpu-offload-gb',
      'max-lora-rank',
      'kv-cache-metrics',
      'moe-backend',
      'cudagraph-capture-sizes',
    ]) {
      expect(c.has(n), n).toBe(true);
    }
    expect(FLAG_CATALOG.length).toBeGreaterThan(220);
  });

  it('lists removed items with a version and a note', () => {
    for (const r of REMOVED_ITEMS) {
      expect(r.name).toMatch(/^(--[a-z0-9-]+|env:[A-Z0-9_]+)$/);
      expect(parseVersion(r.removedIn), r.name).not.toBeNull();
      expect(r.note.length).toBeGreaterThan(10);
      if (r.replacementFlag) {
        const base = r.replacementFlag.split('.')[0] as string;
        expect(getCatalog().has(base), r.replacementFlag).toBe(true);
      }
    }
    const names = REMOVED_ITEMS.map((r) => r.name);
    for (const n of [
      '--enable-reasoning',
      '--rope-scaling',
      '--disable-frontend-multiprocessing',
      '--guided-decoding-backend',
      '--swap-space',
      '--task',
      'env:VLLM_ATTENTION_BACKEND',
      'env:VLLM_USE_V1',
    ]) {
      expect(names).toContain(n);
    }
  });
});

describe('canonicalFlagName', () => {
  it.each([
    ['--max-num-seqs', 'max-num-seqs'],
    ['--max_num_seqs', 'max-num-seqs'],
    ['max_model_len', 'max-model-len'],
    ['--mamba_ssm_cache_dtype', 'mamba-ssm-cache-dtype'],
    ['--max_model_len=8192', 'max-model-len'],
    ['--speculative_config.num_speculative_tokens', 'speculative-config.num_speculative_tokens'],
    ['--compilation-config.cudagraph_mode', 'compilation-config.cudagraph_mode'],
    ['-tp', 'tensor-parallel-size'],
    ['-dp', 'data-parallel-size'],
    ['-asc', 'api-server-count'],
    ['-q', 'quantization'],
    ['-O3', 'optimization-level'],
    ['-O', 'optimization-level'],
    ['  --port  ', 'port'],
  ])('%s → %s', (raw, want) => {
    expect(canonicalFlagName(raw)).toBe(want);
  });
});

describe('versions', () => {
  it('orders release candidates, dev builds and local versions', () => {
    expect(compareVersions('0.14.0rc2.dev126+g38bf2ffb2', '0.14.0rc2')).toBeLessThan(0);
    expect(compareVersions('0.14.0rc2', '0.14.0')).toBeLessThan(0);
    expect(compareVersions('0.13.0+faa43dbf', '0.13.0')).toBe(0);
    expect(compareVersions('0.9.2', '0.10.0')).toBeLessThan(0);
    expect(compareVersions('v0.22.0', '0.21.9')).toBeGreaterThan(0);
    expect(compareVersions('0.8.5.post1', '0.8.5')).toBeGreaterThan(0);
    expect(parseVersion('not a version')).toBeNull();
  });

  it('gates features on the release numbers (an rc has its release flags)', () => {
    expect(versionAtLeast('0.14.0rc1', '0.14.0')).toBe(true);
    expect(versionAtLeast('0.13.9', '0.14.0')).toBe(false);
    expect(versionAtLeast('1.0.0', '0.31.0')).toBe(true);
  });
});

describe('per-version catalogs', () => {
  it('keeps flags of older versions and drops ones that came later', () => {
    const v10 = getCatalog('0.10.2');
    expect(v10.has('disable-frontend-multiprocessing')).toBe(true);
    expect(v10.has('swap-space')).toBe(true);
    expect(v10.has('enable-reasoning')).toBe(false); // removed in 0.10.0
    expect(v10.removed('--enable-reasoning')?.removedIn).toBe('0.10.0');
    expect(v10.has('attention-backend')).toBe(false);
    expect(v10.has('mamba-backend')).toBe(false);
    expect(v10.get('kv-cache-dtype')?.choices).toEqual(['auto', 'fp8', 'fp8_e4m3', 'fp8_e5m2', 'fp8_inc']);
    expect(v10.get('api-server-count')?.default).toBe(1);
    expect(v10.get('gpu-memory-utilization')?.default).toBe(0.9);

    const v13 = getCatalog('0.13.0');
    expect(v13.has('attention-backend')).toBe(true);
    expect(v13.has('guided-decoding-backend')).toBe(false);
    expect(v13.removed('guided_decoding_backend')?.replacementFlag).toBe('structured-outputs-config.backend');
    expect(v13.get('kv-cache-dtype')?.choices).toContain('float16');

    const v30 = getCatalog('0.30.0');
    expect(v30.has('grpc')).toBe(true);
    expect(v30.has('calculate-kv-scales')).toBe(false);
    expect(v30.has('swap-space')).toBe(false);
    expect(v30.removed('--swap-space')).toBeDefined();
    expect(v30.get('gpu-memory-utilization')?.default).toBe(0.92);
    expect(v30.get('api-server-count')?.default).toBeUndefined();
    expect(v30.get('mamba-ssm-cache-dtype')?.choices).toEqual(['auto', 'bfloat16', 'float16', 'float32']);
    expect(v30.has('max-num-queued-reqs')).toBe(false);
    expect(getCatalog('0.31.0').has('max-num-queued-reqs')).toBe(true);
  });

  it('treats an unknown version as the newest known and says so', () => {
    const c = getCatalog();
    expect(c.version).toBeNull();
    expect(c.notes.join(' ')).toMatch(/unknown/);
    expect(c.has('grpc')).toBe(true);
    expect(c.removed('--enable-reasoning')).toBeDefined();
    expect(getCatalog('garbage').version).toBeNull();
  });

  it('looks flags up by any spelling and resolves option forms', () => {
    const c = getCatalog('0.13.0');
    expect(c.get('--tensor_parallel_size')?.name).toBe('tensor-parallel-size');
    expect(c.get('-tp')?.name).toBe('tensor-parallel-size');
    expect(c.resolve('--no-enable-prefix-caching')).toMatchObject({ name: 'enable-prefix-caching', negated: true });
    expect(c.resolve('--max_model_len=32k')).toMatchObject({ name: 'max-model-len', inlineValue: '32k', negated: false });
    expect(c.resolve('--compilation_config.cudagraph_mode')).toMatchObject({ name: 'compilation-config', subKey: 'cudagraph_mode' });
    expect(c.resolve('-O3')).toMatchObject({ name: 'optimization-level', inlineValue: '3' });
    expect(c.resolve('--no-port').spec).toBeUndefined(); // only bools have a --no- form
    expect(c.resolve('--nonsense')).toEqual({ name: 'nonsense', negated: false });
  });

  it('lets a parsed --help=all decide which flags exist, with built-in semantics', () => {
    const help: FlagSpec[] = [
      { name: 'max-model-len', kind: 'string', group: 'ModelConfig', help: 'Context length.', default: undefined },
      {
        name: 'kv-cache-dtype',
        kind: 'choice',
        group: 'CacheConfig',
        help: 'KV dtype.',
        default: 'auto',
        choices: ['auto', 'fp8', 'nvfp4'],
      },
      { name: 'tokenizer-mode', kind: 'string', group: 'ModelConfig', help: 'Tokenizer.', default: 'auto' },
      { name: 'brand-new', kind: 'int', group: 'VllmConfig', help: 'New.', default: 3 },
      { name: 'port', kind: 'int', group: 'Frontend', help: 'Port.', default: 8000 },
    ];
    const c = getCatalog('0.40.0', help);
    expect(c.source).toBe('help');
    expect(c.get('max-model-len')?.kind).toBe('hr-int'); // semantics from the built-in catalog
    expect(c.get('kv-cache-dtype')?.choices).toEqual(['auto', 'fp8', 'nvfp4']); // choices from the installed vLLM
    expect(c.get('port')?.max).toBe(65535);
    expect(c.get('brand-new')?.kind).toBe('int');
    expect(c.has('model')).toBe(true); // hidden from help, still accepted
    expect(c.has('enable-prefix-caching')).toBe(false); // not in this help → does not exist
    expect(c.removed('--swap-space')).toBeDefined(); // a removed flag absent from help is reported removed
    expect(c.notes[0]).toMatch(/1 not in the built-in catalog/);
  });
});
