// The `vllm` command line as the panel sees it: version, help, argparse errors and exit codes
// (vllm-cli.md §2–3, vllm-logs 11/12). Each case runs the real simulator process.
import { afterEach, describe, expect, it } from 'vitest';
import { runSim, type SimRun, startSim, stripAnsi } from '../testing/harness';
import { topLevelUsage, unrecognizedText } from './argv';

const runs: SimRun[] = [];
afterEach(() => {
  for (const r of runs.splice(0)) r.killGroup('SIGKILL');
});
async function sim(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = await runSim(args, { env, addPort: false });
  runs.push(r.run);
  return r;
}

describe('usage wrapping (pure)', () => {
  it('fits the 0.13 usage on one line and wraps the newer one like argparse (vllm-logs 11/12)', () => {
    expect(topLevelUsage(['chat', 'complete', 'serve', 'bench', 'collect-env', 'run-batch'])).toBe(
      'usage: vllm [-h] [-v] {chat,complete,serve,bench,collect-env,run-batch} ...',
    );
    expect(topLevelUsage(['chat', 'complete', 'serve', 'launch', 'bench', 'collect-env', 'run-batch'])).toBe(
      'usage: vllm [-h] [-v]\n            {chat,complete,serve,launch,bench,collect-env,run-batch} ...',
    );
    expect(unrecognizedText(['serve'], ['--foo', 'bar'])).toBe(
      'usage: vllm [-h] [-v] {serve} ...\nvllm: error: unrecognized arguments: --foo bar\n',
    );
  });
});

describe('vllm-sim command line', () => {
  it('prints the emulated version', async () => {
    const r = await sim(['--version'], { VLLM_SIM_VERSION: '0.19.1' });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('0.19.1');
  });

  it('reports a removed flag with the top-level usage and exit 2 (vllm-logs 11)', async () => {
    const r = await sim(['serve', 'm', '--guided-decoding-backend', 'xgrammar'], { VLLM_SIM_VERSION: '0.13.0' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'usage: vllm [-h] [-v] {chat,complete,serve,bench,collect-env,run-batch} ...\nvllm: error: unrecognized arguments: --guided-decoding-backend xgrammar\n',
    );
    expect(r.stdout).toBe('');
  });

  it('uses the newer two-line usage for newer versions (vllm-logs 12)', async () => {
    const r = await sim(['serve', 'm', '--bogus-flag'], { VLLM_SIM_VERSION: '0.24.0' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'usage: vllm [-h] [-v]\n            {chat,complete,serve,launch,bench,collect-env,run-batch} ...\nvllm: error: unrecognized arguments: --bogus-flag',
    );
  });

  it('rejects a bad choice and a bad int like argparse, exit 2', async () => {
    const a = await sim(['serve', 'm', '--kv-cache-dtype', 'fp7']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(
      /^usage: vllm serve \[model_tag\] \[options\]\nvllm serve: error: argument --kv-cache-dtype: invalid choice: 'fp7' \(choose from .*'fp8_e5m2'.*\)\n$/,
    );
    const b = await sim(['serve', 'm', '--max-num-seqs=lots']);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(
      "usage: vllm serve [model_tag] [options]\nvllm serve: error: argument --max-num-seqs: invalid int value: 'lots'\n",
    );
  });

  it('prints help in vLLM shapes: groups overview, --help=all, a group, a keyword', async () => {
    const groups = await sim(['serve', '--help']);
    expect(groups.code).toBe(0);
    expect(groups.stdout).toContain('Config Groups:');
    const all = await sim(['serve', '--help=all']);
    expect(all.stdout).toMatch(/--max-num-seqs MAX_NUM_SEQS/);
    expect(all.stdout).toContain('--enable-prefix-caching, --no-enable-prefix-caching');
    const kw = await sim(['serve', '--help=max-num-seqs']);
    expect(kw.stdout).toContain("Arguments matching 'max-num-seqs'");
    const cache = await sim(['serve', '--help=cacheconfig']);
    expect(cache.stdout).toContain('--kv-cache-dtype');
    expect(cache.stdout).not.toContain('--max-num-seqs');
  });

  it('accepts --a_b, --x=y and --no-x spellings, warns about --model and duplicates, logs non-default args', async () => {
    const run = await startSim(
      [
        'serve',
        '--model',
        'org/foo-7B',
        '--max_num_seqs',
        '8',
        '--max-num-seqs=16',
        '--no-enable-prefix-caching',
        '--mamba_ssm_cache_dtype',
        'float32',
        '--gpu-memory-utilization',
        '1',
      ],
      { env: { VLLM_SIM_HANG_AT: 'args', VLLM_SIM_COLOR: '0' } },
    );
    runs.push(run);
    expect(await run.waitFor('non-default args')).toBe(true);
    const out = stripAnsi(run.stdout());
    expect(out).toMatch(
      /^WARNING \d\d-\d\d \d\d:\d\d:\d\d \[argparse_utils\.py:\d+\] With `vllm serve`, you should provide the model as a positional argument/m,
    );
    expect(out).toMatch(/^WARNING .* Found duplicate keys --max-num-seqs$/m);
    const args = /non-default args: (\{.*\})$/m.exec(out)?.[1];
    expect(args).toBeDefined();
    expect(args).not.toContain('model_tag');
    expect(args).toContain("'model': 'org/foo-7B'");
    expect(args).toContain("'max_num_seqs': 16");
    expect(args).toContain("'enable_prefix_caching': False");
    expect(args).toContain("'mamba_ssm_cache_dtype': 'float32'");
    expect(args).toContain("'gpu_memory_utilization': 1.0");
    expect(args!.indexOf("'port'")).toBeLessThan(args!.indexOf("'model'"));
  });

  it('fails argument validation with the real traceback before serving (vllm-logs 03)', async () => {
    const r = await sim(['serve', 'm', '--enable-auto-tool-choice']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Traceback \(most recent call last\):\n/);
    expect(r.stderr.trimEnd().split('\n').pop()).toBe('TypeError: Error: --enable-auto-tool-choice requires --tool-call-parser');
  });

  it('rejects an unknown tool-call parser inside the API server (vllm-logs 05)', async () => {
    const r = await sim(['serve', 'm', '--enable-auto-tool-choice', '--tool-call-parser', 'nemotron_json', '--port', '1'], {
      VLLM_SIM_VERSION: '0.13.0',
    });
    expect(r.code).toBe(1);
    const text = stripAnsi(r.output);
    expect(text).toMatch(/\(APIServer pid=\d+\) INFO \d\d-\d\d \d\d:\d\d:\d\d \[api_server\.py:\d+\] vLLM API server version 0\.13\.0/);
    expect(text).toContain("KeyError: 'invalid tool call parser: nemotron_json (chose from { deepseek_v3,");
  });
});
