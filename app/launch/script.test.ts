import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCommand } from './command';
import { BUILTIN_PROFILES, builtinProfile } from './profiles';
import { exportScript, importCommand, scriptFilename } from './script';
import type { Profile } from './types';

const H100 = { name: 'NVIDIA H100 80GB HBM3', computeCap: '9.0' };
const gpus = {
  selected: [0, 1],
  info: [
    { index: 0, ...H100 },
    { index: 1, ...H100 },
  ],
};
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

/** Everything but the identity fields, which an import gives a new profile. */
const content = (p: Profile) => {
  const { id: _id, builtin: _b, ...rest } = p;
  return rest;
};

const EVIL = `$(rm -rf ~) \`reboot\` "dq" 'sq' ; | & \n next line $HOME \\`;

const hostile: Profile = {
  id: 'user-hostile',
  name: `Evil "name" 'with' $(quotes)\nand a newline`,
  builtin: false,
  description: `desc with ' and " and \n and # and $(x)`,
  model: `/models/it's a "path" with $(rm -rf ~) and \`x\``,
  flags: {
    'served-model-name': ['evil-but-valid'],
    port: 8123,
    'max-num-seqs': 48,
    'max-model-len': 40960,
    'gpu-memory-utilization': 0.9,
    'enable-prefix-caching': false,
    'trust-remote-code': true,
    'chat-template': EVIL,
    'override-generation-config': '{"temperature": 0.6, "top_p": 0.95, "note": "it\'s $(x)"}',
    'kv-cache-dtype': 'fp8_e4m3',
  },
  env: { MY_VAR: EVIL, HF_HOME: '/data/hf cache', EMPTY: '' },
  extraArgs: ['--my-plugin-opt', `it's \`x\` $(y) ;|&`, '--flag-only'],
  notes: `notes with ' and "\nsecond line`,
};

describe('exportScript', () => {
  it('writes a bash launcher like the one we replace', () => {
    const out = exportScript({
      profile: builtinProfile('throughput') as Profile,
      gpus,
      panelVersion: '9.9.9',
      date: new Date('2026-11-26T00:00:00Z'),
    });
    const t = out.text;
    expect(t.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(t).toContain('set -euo pipefail');
    expect(t).toContain('# vLLM launcher exported by vLLM Panel 9.9.9 on 2026-11-26.');
    expect(t).toContain('# Profile: "THROUGHPUT"');
    expect(t).toContain('if [[ -f .venv/bin/activate ]]; then');
    expect(t).toContain('export CUDA_VISIBLE_DEVICES=0,1');
    expect(t).toContain('export TORCH_CUDA_ARCH_LIST=9.0');
    expect(t).toContain('export PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True');
    expect(t).toMatch(/exec vllm serve nvidia\/NVIDIA-Nemotron-Nano-12B-v2 \\\n/);
    expect(t).toContain('  --data-parallel-size 2 \\\n');
    expect(t.trimEnd().endsWith('"$@"')).toBe(true);
    expect(out.filename).toBe('launch-throughput.sh');
    expect(spawnSync('bash', ['-n'], { input: t, timeout: 10_000 }).status).toBe(0);
  });

  it('uses VLLM_ATTENTION_BACKEND for an old vLLM and --attention-backend for a new one', () => {
    const p = builtinProfile('long-context') as Profile;
    expect(exportScript({ profile: p, panelVersion: '1', runtime: { argv: ['vllm'], version: '0.11.0' } }).text).toContain(
      'export VLLM_ATTENTION_BACKEND=FLASHINFER',
    );
    const newer = exportScript({ profile: p, panelVersion: '1', runtime: { argv: ['vllm'], version: '0.20.0' } }).text;
    expect(newer).toContain('--attention-backend FLASHINFER');
    expect(newer).not.toContain('VLLM_ATTENTION_BACKEND');
  });

  it('a venv runtime outside the project is a fallback activation', () => {
    const t = exportScript({
      profile: builtinProfile('throughput') as Profile,
      panelVersion: '1',
      runtime: { argv: ['/opt/envs/v/bin/vllm'], venvDir: '/opt/envs/v' },
    }).text;
    expect(t).toContain('elif [[ -f /opt/envs/v/bin/activate ]]; then');
    expect(t).toContain('exec vllm serve'); // the activated env puts vllm on PATH
    expect(t).not.toContain('VIRTUAL_ENV=');
  });

  it('file names are safe', () => {
    expect(scriptFilename({ name: '../../etc/passwd $(x)', id: 'user-1' })).toBe('launch-etc-passwd-x.sh');
    expect(scriptFilename({ name: '★★', id: 'user-1' })).toBe('launch-user-1.sh');
  });

  describe('the exported script runs: real bash execs the same argv and env as the builder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vllm-panel-export-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each([...BUILTIN_PROFILES.map((p) => [p.name, p] as const), ['hostile', hostile] as const])('%s', (_n, profile) => {
      // A fake `vllm` on PATH prints its argv and the env the builder sets.
      const bin = join(dir, 'bin');
      spawnSync('mkdir', ['-p', bin]);
      const fake = join(bin, 'vllm');
      writeFileSync(
        fake,
        `#!${process.execPath}\nprocess.stdout.write(JSON.stringify({ argv: process.argv.slice(2), env: process.env }));\n`,
      );
      chmodSync(fake, 0o755);
      const out = exportScript({ profile, gpus, panelVersion: '1' });
      const script = join(dir, 'launch.sh');
      writeFileSync(script, out.text, { mode: 0o755 });
      const r = spawnSync(script, ['--extra-from-user', 'x y'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 10_000,
        env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir },
      });
      expect(r.status, r.stderr).toBe(0);
      const got = JSON.parse(r.stdout) as { argv: string[]; env: Record<string, string> };
      const built = buildCommand({ profile, gpus });
      expect(got.argv).toEqual([...built.argv.slice(1), '--extra-from-user', 'x y']);
      for (const [k, v] of Object.entries(built.env)) expect(got.env[k], k).toBe(v);
    });
  });
});

describe('importCommand: round trip', () => {
  it.each([...BUILTIN_PROFILES.map((p) => [p.name, p] as const), ['hostile user profile', hostile] as const])(
    'export → import gives the same profile: %s',
    (_n, profile) => {
      for (const version of [null, '0.11.0', '0.20.0']) {
        const text = exportScript({ profile, gpus, panelVersion: '1', runtime: { argv: ['vllm'], version } }).text;
        const r = importCommand(text, { version, newId: () => 'user-new' });
        expect(content(r.profile)).toEqual(content(profile));
        expect(r.profile.id).toBe('user-new');
        expect(r.profile.builtin).toBe(false);
        expect(r.gpus).toEqual([0, 1]);
        expect(r.exposeOnNetwork).toBe(false);
        expect(r.venv).toBe('.venv');
        // The only thing an import cannot read as flags is the hostile profile's extra args.
        expect(r.unknown).toEqual(
          profile.extraArgs.length ? [expect.stringContaining('--my-plugin-opt'), expect.stringContaining('--flag-only')] : [],
        );
      }
    },
  );

  it('exposeOnNetwork survives the round trip', () => {
    const text = exportScript({
      profile: builtinProfile('throughput') as Profile,
      panelVersion: '1',
      exposeOnNetwork: true,
      apiKey: 'k',
    }).text;
    const r = importCommand(text);
    expect(r.exposeOnNetwork).toBe(true);
    expect(r.profile.flags.host).toBeUndefined();
    expect(r.profile.flags['api-key']).toEqual(['k']);
  });
});

describe('importCommand: pasted command lines', () => {
  it('the model card command with underscore spelling', () => {
    const r = importCommand(`vllm serve nvidia/NVIDIA-Nemotron-Nano-9B-v2 \\
    --trust-remote-code \\
    --max-num-seqs 64 \\
    --mamba_ssm_cache_dtype float32`);
    expect(r.profile.model).toBe('nvidia/NVIDIA-Nemotron-Nano-9B-v2');
    expect(r.profile.flags).toEqual({ 'trust-remote-code': true, 'max-num-seqs': 64, 'mamba-ssm-cache-dtype': 'float32' });
    expect(r.unknown).toEqual([]);
  });

  it('VAR=value prefixes, --x=y, --no-x, short aliases, lists, human-readable ints', () => {
    const r = importCommand(
      `CUDA_VISIBLE_DEVICES=2,3 HF_HOME="/data/hf" vllm serve m --max-model-len=32k --no-enable-prefix-caching -tp 2 --served-model-name a b --max_num_batched_tokens 8K --host 10.0.0.5`,
    );
    expect(r.gpus).toEqual([2, 3]);
    expect(r.profile.env).toEqual({ HF_HOME: '/data/hf' });
    expect(r.profile.flags).toEqual({
      'max-model-len': 32000,
      'enable-prefix-caching': false,
      'tensor-parallel-size': 2,
      'served-model-name': ['a', 'b'],
      'max-num-batched-tokens': 8192,
      host: '10.0.0.5',
    });
  });

  it('python -m vllm.entrypoints.openai.api_server --model X, export lines and source activate', () => {
    const r = importCommand(`source .venv/bin/activate
export OMP_NUM_THREADS=1
export VLLM_USE_V1=1
python3 -m vllm.entrypoints.openai.api_server --model nvidia/NVIDIA-Nemotron-Nano-12B-v2 --port 8001 --enable-reasoning --reasoning-parser deepseek_r1`);
    expect(r.profile.model).toBe('nvidia/NVIDIA-Nemotron-Nano-12B-v2');
    expect(r.profile.flags).toEqual({ port: 8001, 'reasoning-parser': 'deepseek_r1' });
    expect(r.profile.env).toEqual({ OMP_NUM_THREADS: '1' });
    expect(r.venv).toBe('.venv');
    expect(r.unknown).toEqual([expect.stringMatching(/^--enable-reasoning: removed in vLLM/)]);
    expect(r.warnings.join('\n')).toMatch(/VLLM_USE_V1 dropped/);
    expect(r.profile.notes).toMatch(/--enable-reasoning/);
  });

  it('a renamed flag is translated to its replacement', () => {
    const r = importCommand('vllm serve m --cuda-graph-sizes 1 2 4');
    // --cuda-graph-sizes took a list; it is now --cudagraph-capture-sizes.
    expect(r.profile.flags['cudagraph-capture-sizes']).toBeDefined();
    expect(r.warnings.join('\n')).toMatch(/cudagraph-capture-sizes/);
  });

  it('unknown flags and dotted JSON keys are kept as extra args and reported', () => {
    const r = importCommand(`vllm serve m --frobnicate 3 --compilation-config.mode 3 --speculative_config '{"method":"mtp"}'`);
    expect(r.profile.extraArgs).toEqual(['--frobnicate', '3', '--compilation-config.mode', '3']);
    expect(r.profile.flags['speculative-config']).toBe('{"method":"mtp"}');
    expect(r.unknown).toHaveLength(2);
  });

  it('hostile text is read, never run', () => {
    const marker = join(tmpdir(), `vllm-panel-import-${process.pid}`);
    const r = importCommand(`X=$(touch ${marker}) vllm serve "$(touch ${marker})" --served-model-name \`touch ${marker}\``);
    expect(() => readFileSync(marker)).toThrow();
    expect(r.unknown.join('\n')).toContain('$(touch');
    expect(r.profile.model).toBe('');
  });

  it('no vllm command at all', () => {
    const r = importCommand('echo hello\nls -la');
    expect(r.unknown).toEqual(['command: ls -la', 'No `vllm serve …` command was found.']);
  });

  it('invalid values are kept with a warning, so the editor shows them with their error', () => {
    const r = importCommand('vllm serve m --max-num-seqs lots');
    expect(r.profile.flags['max-num-seqs']).toBe('lots');
    expect(r.warnings.join()).toMatch(/invalid int value/);
  });
});

describe('importCommand: a realistic launcher script', () => {
  const text = fixture('launch-nemotron.sh');

  it('imports what it understands from the default branch', () => {
    const r = importCommand(text, { newId: () => 'user-x' });
    expect(r.caseChoices).toEqual(['THROUGHPUT', 'LOW_LATENCY', 'LONG_CONTEXT']);
    expect(r.caseChosen).toBe('THROUGHPUT');
    expect(r.profile.model).toBe('nvidia/NVIDIA-Nemotron-Nano-12B-v2');
    expect(r.profile.name).toBe('Imported THROUGHPUT');
    expect(r.gpus).toEqual([0, 1]);
    expect(r.exposeOnNetwork).toBe(true);
    expect(r.venv).toBe('.venv');
    // Same values as the built-in THROUGHPUT profile.
    const builtin = builtinProfile('throughput') as Profile;
    expect(r.profile.flags).toEqual(builtin.flags);
    expect(r.profile.env).toEqual(builtin.env);
    expect(r.profile.extraArgs).toEqual(['--my-custom-plugin-flag', 'on']);
    expect(r.profile.notes).toMatch(/--disable-log-requests/);
  });

  it('reports what it could not import', () => {
    const r = importCommand(text);
    const u = r.unknown.join('\n');
    expect(u).toMatch(/function definition: usage\(\)/);
    expect(u).toMatch(/command: mkdir -p logs/);
    expect(u).toMatch(/command: nvidia-smi/);
    expect(u).toMatch(/2>&1/);
    expect(u).toMatch(/pipe into: tee/);
    expect(u).toMatch(/--disable-log-requests: removed in vLLM/);
    expect(u).toMatch(/--my-custom-plugin-flag on/);
    const w = r.warnings.join('\n');
    expect(w).toMatch(/VLLM_ATTENTION_BACKEND=FLASHINFER imported as --attention-backend/);
    expect(w).toMatch(/VLLM_USE_V1 dropped/);
    expect(w).toMatch(/--data-parallel-size is computed by the script/);
  });

  it.each([
    ['LOW_LATENCY', 32, 4096, 32768],
    ['LONG_CONTEXT', 32, 8192, 65536],
  ] as const)('caseChoice %s picks that branch', (choice, seqs, batched, len) => {
    const r = importCommand(text, { caseChoice: choice });
    expect(r.caseChosen).toBe(choice);
    expect(r.profile.flags['max-num-seqs']).toBe(seqs);
    expect(r.profile.flags['max-num-batched-tokens']).toBe(batched);
    expect(r.profile.flags['max-model-len']).toBe(len);
  });

  it('an unknown caseChoice is reported', () => {
    const r = importCommand(text, { caseChoice: 'NOPE' });
    expect(r.unknown.join('\n')).toMatch(/no branch matches "NOPE"/);
  });
});
