import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getCatalog } from './catalog';
import { parseHelpAll, parseHelpGroups } from './help-parser';
import { renderHelp, renderHelpAll, renderHelpGroups, textWrap } from './help-render';
import type { FlagSpec } from './types';

const fixture = readFileSync(new URL('./fixtures/help-all-v0.13-excerpt.txt', import.meta.url), 'utf8');

/** What the help text carries about a flag (everything but the built-in-only semantics). */
function visible(s: FlagSpec) {
  const kind = ['int', 'hr-int', 'float', 'string', 'json'].includes(s.kind) ? 'scalar' : s.kind;
  return {
    name: s.name,
    kind,
    group: s.group,
    help: s.help,
    default: s.default ?? null,
    choices: s.kind === 'choice' || s.kind === 'list' ? (s.choices ?? null) : null,
    aliases: s.aliases ?? [],
  };
}

describe('render → parse round trip', () => {
  for (const version of [undefined, '0.10.2', '0.13.0', '0.18.0', '0.31.0']) {
    it(`restores every flag of the ${version ?? 'newest'} catalog`, () => {
      const catalog = getCatalog(version);
      const text = renderHelpAll(catalog);
      const parsed = parseHelpAll(text);
      const want = catalog.all().filter((f) => f.name !== 'model'); // hidden from help, like vLLM
      expect(parsed.map((p) => p.name).sort()).toEqual(want.map((w) => w.name).sort());
      for (const w of want) {
        const p = parsed.find((x) => x.name === w.name) as FlagSpec;
        expect(visible(p), w.name).toEqual(visible(w));
      }
      // And the parsed list, merged back, gives the same catalog semantics.
      const merged = getCatalog(version, parsed);
      for (const w of want) {
        const m = merged.get(w.name) as FlagSpec;
        expect({ ...m }, w.name).toEqual({ ...w, ...(m.nullable !== undefined ? { nullable: m.nullable } : {}) });
      }
    });
  }

  it('also reads narrow and wide terminals', () => {
    const catalog = getCatalog('0.13.0');
    for (const columns of [60, 200]) {
      const parsed = parseHelpAll(renderHelpAll(catalog, { columns }));
      expect(parsed.length).toBe(catalog.all().length - 1);
      expect(parsed.find((p) => p.name === 'kv-cache-dtype')?.choices).toEqual(catalog.get('kv-cache-dtype')?.choices);
    }
  });

  it('parses one group and keyword output too', () => {
    const catalog = getCatalog('0.13.0');
    const cache = parseHelpAll(renderHelp(catalog, 'CacheConfig'));
    expect(cache.every((f) => f.group === 'CacheConfig')).toBe(true);
    expect(cache.length).toBe(catalog.all().filter((f) => f.group === 'CacheConfig').length);
    const max = parseHelpAll(renderHelp(catalog, 'max'));
    expect(max.map((f) => f.name)).toContain('max-num-seqs');
    expect(max.every((f) => f.name.includes('max'))).toBe(true);
  });
});

describe('help shapes (vllm-cli.md §2)', () => {
  const catalog = getCatalog('0.13.0');

  it('--help prints usage and the Config Groups table, not the flags', () => {
    const text = renderHelp(catalog);
    expect(text.startsWith('usage: vllm serve [model_tag] [options]\n')).toBe(true);
    expect(text).toContain('\nConfig Groups:\n');
    expect(text).toMatch(/\n {2}ModelConfig +Configuration for the model\.\n/);
    expect(text).toMatch(/\n {2}positional arguments\n {2}options\n/);
    expect(text).not.toContain('--max-num-seqs');
    expect(renderHelpGroups(catalog)).toBe(text);
    expect(parseHelpGroups(text)).toEqual(['Config Groups']);
  });

  it('--help=all lists every group with sorted flags, defaults and the JSON tip', () => {
    const text = renderHelpAll(catalog);
    expect(parseHelpGroups(text)).toEqual(['positional arguments', 'options', ...catalog.groups().filter((g) => g !== 'options')]);
    expect(text).toContain('  --enable-prefix-caching, --no-enable-prefix-caching\n');
    expect(text).toContain('  --tensor-parallel-size TENSOR_PARALLEL_SIZE, -tp TENSOR_PARALLEL_SIZE\n');
    expect(text).toContain('  --served-model-name SERVED_MODEL_NAME [SERVED_MODEL_NAME ...]\n');
    expect(text).toContain('  --distributed-executor-backend {external_launcher,mp,ray,uni,None}\n');
    expect(text).toMatch(/ {2}--port PORT {11}Port number for the HTTP server\. \(default: 8000\)\n/);
    expect(text).toContain('  -h, --help            show this help message and exit\n');
    expect(text).toContain('When passing JSON CLI arguments, the following sets of arguments are equivalent:');
    expect(text).not.toMatch(/\n {2}--model MODEL/);
    const cacheSection = text.slice(text.indexOf('\nCacheConfig:\n'), text.indexOf('\nOffloadConfig:\n'));
    const opts = [...cacheSection.matchAll(/^ {2}(--[a-z0-9-]+)/gm)].map((m) => m[1] as string);
    expect(opts).toEqual([...opts].sort());
    // Only an option's own line may be wider than COLUMNS-2 (argparse never wraps invocations).
    // (The JSON tip is vLLM's own raw text and is left out.)
    const body = text.slice(0, text.indexOf('When passing JSON CLI arguments'));
    for (const line of body.split('\n')) if (!/^ {2}-/.test(line)) expect(line.length, line).toBeLessThanOrEqual(78);
  });

  it('--help=<group> is case-insensitive, --help=<kw> matches option strings', () => {
    const group = renderHelp(catalog, 'cacheconfig');
    expect(group.startsWith('CacheConfig:\n  Configuration for the KV cache.\n\n')).toBe(true);
    expect(group).not.toContain('usage:');
    expect(renderHelp(catalog, 'CACHECONFIG')).toBe(group);
    const kw = renderHelp(catalog, 'max_num_seqs');
    expect(kw.startsWith("Arguments matching 'max-num-seqs':\n  --max-num-seqs MAX_NUM_SEQS\n")).toBe(true);
    expect(renderHelp(catalog, 'prefix-caching')).toContain('--no-enable-prefix-caching');
    expect(renderHelp(catalog, 'all')).toBe(renderHelpAll(catalog));
  });

  it('prints the no-match text', () => {
    expect(renderHelp(catalog, 'nosuchthing')).toBe(
      "No group or arguments matching 'nosuchthing'.\nUse '--help' to see available groups or '--help=all' to see all available parameters.\n",
    );
  });

  it('wraps like Python textwrap (hyphen breaks, long words)', () => {
    expect(textWrap('Maximum number of max-num-batched-tokens per step', 30)).toEqual([
      'Maximum number of max-num-',
      'batched-tokens per step',
    ]);
    expect(textWrap('aaaaaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbb', 10)).toEqual(['aaaaaaaaaa', 'bbbbbbbbbb', 'bbbbbbbbbb', 'bbbbb']);
    expect(textWrap('a  b', 10)).toEqual(['a  b']);
    expect(textWrap('', 10)).toEqual([]);
  });
});

describe('parsing a realistic vLLM --help=all excerpt', () => {
  const flags = parseHelpAll(fixture);
  const get = (n: string) => flags.find((f) => f.name === n);

  it('finds every flag of the excerpt, skipping help, positionals and epilog', () => {
    expect(flags.map((f) => f.name)).toEqual([
      'api-server-count',
      'config',
      'disable-log-stats',
      'enable-log-requests',
      'headless',
      'allowed-origins',
      'api-key',
      'enable-auto-tool-choice',
      'host',
      'port',
      'tool-call-parser',
      'uvicorn-log-level',
      'dtype',
      'hf-config-path',
      'hf-token',
      'max-model-len',
      'quantization',
      'served-model-name',
      'trust-remote-code',
      'data-parallel-size',
      'distributed-executor-backend',
      'enable-expert-parallel',
      'tensor-parallel-size',
      'enable-prefix-caching',
      'gpu-memory-utilization',
      'kv-cache-dtype',
      'kv-cache-memory-bytes',
      'mamba-ssm-cache-dtype',
      'swap-space',
      'max-num-batched-tokens',
      'max-num-seqs',
      'compilation-config',
      'speculative-config',
      'brand-new-flag',
    ]);
  });

  it('reads kinds, groups, aliases, choices and defaults', () => {
    expect(get('api-server-count')).toMatchObject({ kind: 'int', group: 'options', aliases: ['-asc'], default: 1 });
    expect(get('disable-log-stats')).toMatchObject({ kind: 'store-true', default: false });
    expect(get('enable-log-requests')).toMatchObject({ kind: 'bool', default: false });
    expect(get('enable-expert-parallel')).toMatchObject({ kind: 'bool', aliases: ['-ep'] });
    expect(get('enable-prefix-caching')?.default).toBeUndefined();
    expect(get('allowed-origins')).toMatchObject({ default: '["*"]' });
    expect(get('api-key')).toMatchObject({ kind: 'list', default: undefined });
    expect(get('served-model-name')?.kind).toBe('list');
    expect(get('hf-token')?.kind).toBe('string');
    expect(get('tool-call-parser')).toMatchObject({ kind: 'string', suggestions: expect.arrayContaining(['hermes', 'qwen3_coder']) });
    expect(get('distributed-executor-backend')).toMatchObject({
      kind: 'choice',
      choices: ['external_launcher', 'mp', 'ray', 'uni'],
      nullable: true,
    });
    expect(get('kv-cache-dtype')).toMatchObject({ kind: 'choice', default: 'auto', group: 'CacheConfig' });
    expect(get('kv-cache-dtype')?.choices).not.toContain('float16');
    expect(get('gpu-memory-utilization')).toMatchObject({ kind: 'float', default: 0.9 });
    expect(get('max-model-len')?.kind).toBe('hr-int');
    expect(get('max-num-batched-tokens')?.kind).toBe('hr-int');
    expect(get('compilation-config')).toMatchObject({
      kind: 'json',
      aliases: ['-cc'],
      default: '{"level":null,"mode":null,"debug_dump_path":null}',
    });
    expect(get('brand-new-flag')).toMatchObject({ kind: 'int', default: 7, group: 'VllmConfig' });
  });

  it('joins wrapped help, keeps list items, and re-joins hyphen breaks', () => {
    expect(get('tool-call-parser')?.help).toContain('parse the model-generated tool call into OpenAI API format.');
    expect(get('dtype')?.help).toContain('- "half" for FP16. Recommended for AWQ quantization.');
    expect(get('max-model-len')?.help).toMatch(/- 25\.6k -> 25,600 - -1 or 'auto' -> Automatically choose/);
    expect(get('gpu-memory-utilization')?.help).not.toContain('(default:');
  });

  it('reads Python 3.13 invocations (metavar once, at the end) and CRLF text', () => {
    const text = [
      'ParallelConfig:',
      '  --tensor-parallel-size, -tp TENSOR_PARALLEL_SIZE',
      '                        Number of tensor parallel groups. (default: 1)',
      '  --enable-expert-parallel, --no-enable-expert-parallel, -ep',
      '                        Use expert parallelism. (default: False)',
      '',
    ].join('\r\n');
    expect(parseHelpAll(text)).toEqual([
      {
        name: 'tensor-parallel-size',
        kind: 'int',
        group: 'ParallelConfig',
        help: 'Number of tensor parallel groups.',
        default: 1,
        aliases: ['-tp'],
      },
      {
        name: 'enable-expert-parallel',
        kind: 'bool',
        group: 'ParallelConfig',
        help: 'Use expert parallelism.',
        default: false,
        aliases: ['-ep'],
      },
    ]);
  });

  it('becomes a catalog for 0.13.0: the installed flags decide, built-in semantics fill in', () => {
    const c = getCatalog('0.13.0', flags);
    expect(c.source).toBe('help');
    expect(c.has('swap-space')).toBe(true);
    expect(c.has('mamba-cache-dtype')).toBe(false);
    expect(c.get('port')).toMatchObject({ min: 1, max: 65535, default: 8000 });
    expect(c.get('tensor-parallel-size')?.aliases).toEqual(['-tp']);
    expect(c.get('max-model-len')?.kind).toBe('hr-int');
    expect(c.get('brand-new-flag')?.kind).toBe('int');
    expect(c.removed('--enable-reasoning')).toBeDefined();
  });
});
