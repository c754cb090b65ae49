import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { getCatalog } from './catalog';
import { buildCommand, modelProblem, servedNameProblem } from './command';
import { BUILTIN_PROFILES, builtinProfile, cloneProfile } from './profiles';
import { type ExpandContext, expandWord, parseShell } from './shell-words';
import type { Profile } from './types';

const H100 = { name: 'NVIDIA H100 80GB HBM3', computeCap: '9.0' };
const twoH100 = {
  selected: [0, 1],
  info: [
    { index: 0, ...H100 },
    { index: 1, ...H100 },
  ],
};

/** Reads `display` back the way bash would (assignments + words), to prove the quoting is exact. */
function readDisplay(display: string): { env: Record<string, string>; argv: string[] } {
  const n = parseShell(display)[0];
  if (n?.type !== 'simple') throw new Error('display is not one simple command');
  const ctx: ExpandContext = { vars: new Map([['PATH', { value: '/usr/bin', exported: true }]]) };
  const env: Record<string, string> = {};
  const argv: string[] = [];
  for (const w of n.words) {
    const first = w.parts[0];
    const m = argv.length === 0 && first?.t === 'lit' && !first.quoted ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.v) : null;
    if (m && first?.t === 'lit') {
      const value = { parts: [{ ...first, v: first.v.slice(m[0].length) }, ...w.parts.slice(1)], raw: '' } as typeof w;
      env[m[1] as string] = expandWord(value, ctx, false)[0]?.value ?? '';
    } else argv.push(...expandWord(w, ctx).map((f) => f.value));
  }
  return { env, argv };
}

const flagValue = (argv: string[], flag: string): string | undefined => {
  const i = argv.indexOf(flag);
  return i < 0 ? undefined : argv[i + 1];
};

describe('buildCommand: built-in profiles', () => {
  const expected = {
    throughput: { seqs: '64', batched: '16384', len: '32768' },
    'low-latency': { seqs: '32', batched: '4096', len: '32768' },
    'long-context': { seqs: '32', batched: '8192', len: '65536' },
  } as const;

  it.each(BUILTIN_PROFILES.map((p) => [p.id, p] as const))('%s → the launcher command on 2 GPUs', (id, profile) => {
    const out = buildCommand({ profile, gpus: twoH100 });
    const e = expected[id as keyof typeof expected];
    expect(out.argv.slice(0, 3)).toEqual(['vllm', 'serve', 'nvidia/NVIDIA-Nemotron-Nano-12B-v2']);
    expect(flagValue(out.argv, '--max-num-seqs')).toBe(e.seqs);
    expect(flagValue(out.argv, '--max-num-batched-tokens')).toBe(e.batched);
    expect(flagValue(out.argv, '--max-model-len')).toBe(e.len);
    expect(flagValue(out.argv, '--mamba-ssm-cache-dtype')).toBe('float32');
    expect(flagValue(out.argv, '--kv-cache-dtype')).toBe('fp8_e5m2');
    expect(flagValue(out.argv, '--gpu-memory-utilization')).toBe('0.95');
    expect(flagValue(out.argv, '--port')).toBe('8000');
    expect(flagValue(out.argv, '--host')).toBe('127.0.0.1');
    expect(flagValue(out.argv, '--data-parallel-size')).toBe('2');
    expect(flagValue(out.argv, '--api-server-count')).toBe('2');
    expect(flagValue(out.argv, '--attention-backend')).toBe('FLASHINFER');
    expect(flagValue(out.argv, '--served-model-name')).toBe('nemotron-nano-12b-v2');
    expect(out.argv).toContain('--trust-remote-code');
    expect(out.argv).toContain('--enable-prefix-caching');
    expect(out.argv).not.toContain('--tensor-parallel-size');
    expect(out.env).toEqual({
      CUDA_VISIBLE_DEVICES: '0,1',
      CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
      TORCH_CUDA_ARCH_LIST: '9.0',
      TOKENIZERS_PARALLELISM: 'false',
      OMP_NUM_THREADS: '1',
      PYTORCH_CUDA_ALLOC_CONF: 'expandable_segments:True',
    });
    expect(out.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(out.dataParallelSize).toBe(2);
    expect(out.gpus).toEqual([0, 1]);
    expect(readDisplay(out.display)).toEqual({ env: out.env, argv: out.argv });
  });

  it('one GPU → DP 1, one API server', () => {
    const out = buildCommand({ profile: builtinProfile('throughput') as Profile, gpus: { selected: [1], info: twoH100.info } });
    expect(flagValue(out.argv, '--data-parallel-size')).toBe('1');
    expect(flagValue(out.argv, '--api-server-count')).toBe('1');
    expect(out.env.CUDA_VISIBLE_DEVICES).toBe('1');
  });

  it('without a GPU selection sets no GPU env and no DP', () => {
    const out = buildCommand({ profile: builtinProfile('throughput') as Profile });
    expect(out.env.CUDA_VISIBLE_DEVICES).toBeUndefined();
    expect(out.argv).not.toContain('--data-parallel-size');
    expect(out.issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('TP × PP splits the GPUs: 4 GPUs with TP 2 → DP 2', () => {
    const info = [0, 1, 2, 3].map((index) => ({ index, ...H100 }));
    const out = buildCommand({
      profile: builtinProfile('throughput') as Profile,
      overrides: { 'tensor-parallel-size': 2 },
      gpus: { selected: [0, 1, 2, 3], info },
    });
    expect(flagValue(out.argv, '--data-parallel-size')).toBe('2');
    expect(out.issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('an empty GPU selection is refused with the field named', () => {
    const out = buildCommand({ profile: builtinProfile('throughput') as Profile, gpus: { selected: [], info: twoH100.info } });
    expect(out.issues).toContainEqual(expect.objectContaining({ field: 'gpus', severity: 'error' }));
  });
});

describe('buildCommand: version-correct flags', () => {
  it('old vLLM (no --attention-backend) gets VLLM_ATTENTION_BACKEND instead', () => {
    const out = buildCommand({ profile: builtinProfile('throughput') as Profile, runtime: { argv: ['vllm'], version: '0.11.0' } });
    expect(out.argv).not.toContain('--attention-backend');
    expect(out.env.VLLM_ATTENTION_BACKEND).toBe('FLASHINFER');
    expect(out.vllmVersion).toBe('0.11.0');
    expect(out.issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('new vLLM gets the flag; an env VLLM_ATTENTION_BACKEND in a profile is turned into the flag', () => {
    const p = cloneProfile(builtinProfile('throughput') as Profile);
    delete p.flags['attention-backend'];
    p.env.VLLM_ATTENTION_BACKEND = 'TRITON_ATTN';
    const out = buildCommand({ profile: p, runtime: { argv: ['vllm'], version: '0.22.0' } });
    expect(flagValue(out.argv, '--attention-backend')).toBe('TRITON_ATTN');
    expect(out.env.VLLM_ATTENTION_BACKEND).toBeUndefined();
    expect(out.issues).toContainEqual(expect.objectContaining({ field: 'env:VLLM_ATTENTION_BACKEND', severity: 'warning' }));
  });

  it('a renamed flag is translated (--cuda-graph-sizes → --cudagraph-capture-sizes); a removed one is an error naming it', () => {
    const out = buildCommand({
      profile: builtinProfile('throughput') as Profile,
      overrides: { 'cuda-graph-sizes': ['1', '2'], 'swap-space': 4 },
    });
    expect(out.argv).toContain('--cudagraph-capture-sizes');
    expect(out.argv).not.toContain('--cuda-graph-sizes');
    expect(out.issues).toContainEqual(expect.objectContaining({ field: 'swap-space', severity: 'error', kind: 'removed_flag' }));
  });

  it('overrides accept any vLLM spelling and win over the profile', () => {
    const out = buildCommand({
      profile: builtinProfile('throughput') as Profile,
      overrides: { max_num_seqs: 8, '--no-enable-prefix-caching': true },
    });
    expect(flagValue(out.argv, '--max-num-seqs')).toBe('8');
    expect(out.argv).toContain('--no-enable-prefix-caching');
    expect(out.argv).not.toContain('--enable-prefix-caching');
  });

  it('bad values are refused with the field named', () => {
    const out = buildCommand({
      profile: builtinProfile('throughput') as Profile,
      overrides: { 'max-num-seqs': 'lots', 'kv-cache-dtype': 'fp9', port: 70000 },
    });
    const fields = out.issues.filter((i) => i.severity === 'error').map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['max-num-seqs', 'kv-cache-dtype', 'port']));
  });
});

describe('buildCommand: runtime and network', () => {
  it('a venv runtime activates the venv for the child and shows PATH relative to $PATH', () => {
    const out = buildCommand({
      profile: builtinProfile('low-latency') as Profile,
      runtime: { argv: ['/home/u/proj/.venv/bin/vllm'], venvDir: '/home/u/proj/.venv', version: '0.13.0' },
      baseEnv: { PATH: '/usr/local/bin:/usr/bin' },
    });
    expect(out.argv[0]).toBe('/home/u/proj/.venv/bin/vllm');
    expect(out.env.VIRTUAL_ENV).toBe('/home/u/proj/.venv');
    expect(out.env.PATH).toBe('/home/u/proj/.venv/bin:/usr/local/bin:/usr/bin');
    expect(out.display).toContain(`PATH=/home/u/proj/.venv/bin:"$PATH"`);
  });

  it('expose on network binds 0.0.0.0 and warns without an API key', () => {
    const out = buildCommand({ profile: builtinProfile('throughput') as Profile, exposeOnNetwork: true });
    expect(flagValue(out.argv, '--host')).toBe('0.0.0.0');
    expect(out.issues).toContainEqual(expect.objectContaining({ field: 'host', kind: 'security', severity: 'warning' }));
    const withKey = buildCommand({ profile: builtinProfile('throughput') as Profile, exposeOnNetwork: true, apiKey: 's3cret' });
    expect(flagValue(withKey.argv, '--api-key')).toBe('s3cret');
    expect(withKey.issues.filter((i) => i.kind === 'security')).toEqual([]);
  });

  it('the loopback default gives no security warning', () => {
    const out = buildCommand({ profile: builtinProfile('throughput') as Profile });
    expect(out.issues.filter((i) => i.kind === 'security')).toEqual([]);
  });
});

describe('buildCommand: bad input', () => {
  const HOSTILE = ['$(rm -rf ~)', '`reboot`', "x'; rm -rf / #", 'a\nb', 'a;b', '"q"'];

  it.each(HOSTILE)('hostile model id %j is refused with field "model"', (model) => {
    const p = { ...(builtinProfile('throughput') as Profile), model };
    const out = buildCommand({ profile: p });
    expect(out.issues).toContainEqual(expect.objectContaining({ field: 'model', severity: 'error' }));
  });

  it.each(HOSTILE)('hostile served name %j is refused with field "served-model-name"', (name) => {
    const out = buildCommand({ profile: builtinProfile('throughput') as Profile, overrides: { 'served-model-name': [name] } });
    expect(out.issues).toContainEqual(expect.objectContaining({ field: 'served-model-name', severity: 'error' }));
  });

  it('refuses bad env names and NUL in env values, naming the variable', () => {
    const p = cloneProfile(builtinProfile('throughput') as Profile);
    p.env['1BAD'] = 'x';
    p.env['A B'] = 'x';
    p.env.GOOD_BUT_NUL = 'a\0b';
    const out = buildCommand({ profile: p });
    const fields = out.issues.filter((i) => i.severity === 'error').map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['env:1BAD', 'env:A B', 'env:GOOD_BUT_NUL']));
    expect(out.env['1BAD']).toBeUndefined();
    expect(out.env.GOOD_BUT_NUL).toBeUndefined();
  });

  it('hostile strings in env values, string flags and extra args stay single argv items and quote back exactly', () => {
    const p = cloneProfile(builtinProfile('throughput') as Profile);
    const evil = `$(rm -rf ~) \`reboot\` "dq" 'sq' ; | & \n next line $HOME \\`;
    p.env.MY_VAR = evil;
    p.flags['chat-template'] = evil;
    p.extraArgs = ['--my-plugin-opt', evil];
    p.model = `/models/${evil.replaceAll('\n', ' ')}`; // a local path may contain anything but control characters
    const out = buildCommand({ profile: p });
    expect(out.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(out.argv).toContain(evil);
    expect(out.argv[out.argv.length - 1]).toBe(evil);
    expect(out.env.MY_VAR).toBe(evil);
    expect(readDisplay(out.display)).toEqual({ env: out.env, argv: out.argv });
  });

  it('real bash reads the display string back to exactly argv and env', () => {
    const p = cloneProfile(builtinProfile('throughput') as Profile);
    const evil = `$(touch /tmp/pwned-by-display) \`id\` "dq" 'sq' ; | & \n line2 $HOME \\ !x {a,b} *`;
    p.env.MY_VAR = evil;
    p.flags['chat-template'] = evil;
    p.extraArgs = ['--x', evil, ''];
    // The "program" prints its argv and MY_VAR as JSON, so bash's reading of the display is visible.
    const printer = 'process.stdout.write(JSON.stringify({argv: process.argv.slice(1), v: process.env.MY_VAR}))';
    const out = buildCommand({ profile: p, runtime: { argv: [process.execPath, '-e', printer, '--'] } });
    const r = spawnSync('bash', ['--noprofile', '--norc', '-c', out.display], { encoding: 'utf8', timeout: 10_000 });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as { argv: string[]; v: string };
    expect(got.v).toBe(evil);
    // node -e drops its own "-e CODE"; what remains is "--" then our argv after the prefix.
    expect(got.argv).toEqual(out.argv.slice(4));
  });

  it('model / served name rules', () => {
    expect(modelProblem('nvidia/NVIDIA-Nemotron-Nano-12B-v2')).toBeUndefined();
    expect(modelProblem('gpt2')).toBeUndefined();
    expect(modelProblem('/data/models/my model')).toBeUndefined();
    expect(modelProblem('./local')).toBeUndefined();
    expect(modelProblem('')).toMatch(/empty/);
    expect(modelProblem('--help')).toMatch(/flag/);
    expect(modelProblem('~/models/x')).toMatch(/~/);
    expect(modelProblem('a/b/c')).toBeDefined();
    expect(servedNameProblem('nemotron-nano-12b-v2')).toBeUndefined();
    expect(servedNameProblem('nvidia/NVIDIA-Nemotron-Nano-12B-v2')).toBeUndefined();
    expect(servedNameProblem('-x')).toBeDefined();
    expect(servedNameProblem('has space')).toBeDefined();
  });

  it('uses the given catalog (e.g. one parsed from an installed vLLM)', () => {
    const catalog = getCatalog('0.13.0');
    const out = buildCommand({ profile: builtinProfile('throughput') as Profile, catalog });
    expect(out.vllmVersion).toBe('0.13.0');
  });
});
