import { describe, expect, it } from 'vitest';
import { casePatternMatches, type ExpandContext, expandWord, parseShell, type ShellVar, shellQuote, tokenize } from './shell-words';

/** Words of the first simple command, expanded with `vars`. */
function words(src: string, vars: Record<string, string> = {}): string[] {
  const nodes = parseShell(src);
  const n = nodes[0];
  if (n?.type !== 'simple') throw new Error(`not a simple command: ${n?.type}`);
  const ctx: ExpandContext = { vars: new Map<string, ShellVar>(Object.entries(vars).map(([k, v]) => [k, { value: v, exported: false }])) };
  return n.words.flatMap((w) => expandWord(w, ctx).map((f) => f.value));
}

const HOSTILE = [
  '$(rm -rf ~)',
  '`reboot`',
  "it's",
  'a"b',
  'line1\nline2',
  'a;b && c',
  '',
  ' lead',
  '*',
  '~',
  '$HOME',
  '\\',
  "'",
  "''",
  'x\ty',
  '!bang',
  '{a,b}',
];

describe('shellQuote', () => {
  it('leaves plain words alone and quotes everything else', () => {
    expect(shellQuote('nvidia/NVIDIA-Nemotron-Nano-12B-v2')).toBe('nvidia/NVIDIA-Nemotron-Nano-12B-v2');
    expect(shellQuote('--max-num-seqs')).toBe('--max-num-seqs');
    expect(shellQuote('expandable_segments:True')).toBe('expandable_segments:True');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('$(rm -rf ~)')).toBe("'$(rm -rf ~)'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('a=b')).toBe("'a=b'"); // never mistaken for an assignment in command position
  });

  it.each(HOSTILE)('reads back exactly: %j', (s) => {
    expect(words(`cmd ${shellQuote(s)} end`)).toEqual(['cmd', s, 'end']);
  });
});

describe('tokenize / parse', () => {
  it('splits words, honours quotes, escapes and line continuations', () => {
    expect(words(`vllm serve "a b" 'c d' e\\ f \\\n  --x=y "q\\"uote" $'n\\nl'`)).toEqual([
      'vllm',
      'serve',
      'a b',
      'c d',
      'e f',
      '--x=y',
      'q"uote',
      'n\nl',
    ]);
  });

  it('drops comments but not # inside words', () => {
    expect(words('echo a#b # comment here')).toEqual(['echo', 'a#b']);
  });

  it('expands default-value forms, plain variables and splits unquoted expansions', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash syntax under test, not a JS template
    expect(words('x ${A:-def} ${B:-def} "$C" $D', { B: 'set', C: 'c v', D: 'd1 d2' })).toEqual(['x', 'def', 'set', 'c v', 'd1', 'd2']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash syntax under test, not a JS template
    expect(words('x ${A-def} ${E-def}', { E: '' })).toEqual(['x', 'def']);
  });

  it('reports command substitutions and unset variables as unresolved, never runs them', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash syntax under test, not a JS template
    const nodes = parseShell('echo "$(nproc)" `id` $UNSET ${1:-first}');
    const n = nodes[0];
    if (n?.type !== 'simple') throw new Error('expected simple');
    const ctx: ExpandContext = { vars: new Map() };
    const fields = n.words.slice(1).map((w) => expandWord(w, ctx)[0]);
    expect(fields.map((f) => f?.unresolved)).toEqual([['$(nproc)'], ['`id`'], ['$UNSET'], []]);
    expect(fields[3]?.value).toBe('first');
  });

  it('recognises "$@" as pass-through', () => {
    const n = parseShell('exec vllm serve m "$@"')[0];
    if (n?.type !== 'simple') throw new Error('expected simple');
    const f = expandWord(n.words[4] as never, { vars: new Map() });
    expect(f).toEqual([{ value: '', unresolved: [], passthrough: true }]);
  });

  it('parses if / case / pipelines / functions / loops into nodes', () => {
    const src = [
      'set -euo pipefail',
      'if [[ -f .venv/bin/activate ]]; then',
      '  source .venv/bin/activate',
      'else echo none; fi',
      'case "$P" in',
      '  A|B) X=1 ;;',
      '  (C) X=2',
      '     Y=3 ;;',
      '  *) exit 1 ;;',
      'esac',
      'usage() { echo hi; }',
      'for i in 1 2; do echo $i; done',
      'vllm serve m 2>&1 | tee log.txt',
    ].join('\n');
    const nodes = parseShell(src);
    expect(nodes.map((n) => n.type)).toEqual(['simple', 'if', 'case', 'unsupported', 'unsupported', 'pipeline']);
    const c = nodes[2];
    if (c?.type !== 'case') throw new Error('expected case');
    expect(c.items.map((i) => i.patterns.map((p) => p.raw))).toEqual([['A', 'B'], ['C'], ['*']]);
    expect(c.items[1]?.body.length).toBe(2);
    const iff = nodes[1];
    if (iff?.type !== 'if') throw new Error('expected if');
    expect(iff.clauses[0]?.body[0]?.raw).toBe('source .venv/bin/activate');
    expect(iff.elseBody?.[0]?.raw).toBe('echo none');
  });

  it('reports absurd nesting instead of overflowing the stack', () => {
    const nodes = parseShell(`${'if true; then '.repeat(5000)}vllm serve m`);
    const flat = JSON.stringify(nodes);
    expect(flat).toContain('nesting deeper than 64 levels');
    expect(() => parseShell('('.repeat(20000))).not.toThrow();
  });

  it('tokenizes redirections as operators', () => {
    const ops = tokenize('a 2>&1 >out.txt').filter((t) => t.k === 'op');
    expect(ops.map((t) => (t.k === 'op' ? t.v : ''))).toEqual(['2>&', '>']);
  });
});

describe('casePatternMatches', () => {
  it('matches globs and literals', () => {
    expect(casePatternMatches('THROUGHPUT', 'THROUGHPUT')).toBe(true);
    expect(casePatternMatches('*', 'x')).toBe(true);
    expect(casePatternMatches('LOW_*', 'LOW_LATENCY')).toBe(true);
    expect(casePatternMatches('[Tt]hroughput', 'throughput')).toBe(true);
    expect(casePatternMatches('LONG', 'LONG_CONTEXT')).toBe(false);
    expect(casePatternMatches('a.b', 'axb')).toBe(false);
  });
});
