// Conformance: the simulator's log, reduced to message *shapes*, must appear in the same order in a
// real vLLM log of the same version and setup (../shared/reference/vllm-logs). Shapes keep the
// process kind, level, source file and message text, and drop what varies between runs (dates,
// pids, numbers, paths, model names, line numbers). The sim may print fewer lines than the real
// log (no torch warnings, no autotuner), never different ones or in another order.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runSim, type SimRun, startSim, stripAnsi } from './testing/harness';

const LOGS = join(REPO_ROOT, '..', 'shared', 'reference', 'vllm-logs');
const realLog = (name: string) => readFileSync(join(LOGS, name), 'utf8');

const runs: SimRun[] = [];
afterEach(() => {
  for (const r of runs.splice(0)) r.killGroup('SIGKILL');
});

interface Shape {
  key: string;
  raw: boolean;
  line: string;
}

function normMessage(msg: string): string {
  return msg
    .replace(/(non-default args: |with config: ).*/, '$1…')
    .replace(/\S*\/\S*/g, 'PATH')
    .replace(/\b\w*For(CausalLM|ConditionalGeneration)\b/g, 'ARCH')
    .replace(/\bv?\d+\.\d+\.\d+\S*/g, 'VER')
    .replace(/-?\d+(?:,\d{3})*/g, '#')
    .slice(0, 60);
}

/** Message shapes of a log: logger lines, uvicorn lifecycle lines and (optionally) raw lines. */
function shapes(text: string, withRaw = false): Shape[] {
  const out: Shape[] = [];
  const body = text
    .split('\n')
    .map((l) => l.replace(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[[A-Z]+\] /, ''))
    .join('\n');
  for (const line of stripAnsi(body).split(/\r|\n/)) {
    const m = /^((?:\(\w+ pid=\d+\) ?)*)(.*)$/.exec(line)!;
    const names = [...m[1]!.matchAll(/\((\w+) pid=\d+\)/g)].map((x) => x[1]!);
    const proc = (names[names.length - 1] ?? '-').replace(/\d+/g, '#');
    const rest = m[2]!;
    const logger = /^(DEBUG|INFO|WARNING|ERROR) \d\d-\d\d \d\d:\d\d:\d\d \[([\w.]+):\d+\] ?(.*)$/.exec(rest);
    if (logger) {
      out.push({ key: `${proc}|${logger[1]}|${logger[2]}|${normMessage(logger[3]!)}`, raw: false, line });
      continue;
    }
    const uvicorn = /^(INFO|WARNING|ERROR): +(.*)$/.exec(rest);
    if (uvicorn) {
      if (!uvicorn[2]!.includes(' - "')) out.push({ key: `${proc}|uvicorn|${normMessage(uvicorn[2]!)}`, raw: false, line });
      continue;
    }
    if (!withRaw || rest.trim() === '' || /^(Loading safetensors|Capturing CUDA graphs)/.test(rest)) continue;
    out.push({ key: `${proc}|raw|${normMessage(rest.trim())}`, raw: true, line });
  }
  return out;
}

/** Every sim shape must be found in the real log after the previous match (a subsequence). */
function expectSubsequence(sim: Shape[], real: Shape[], what: string): void {
  let pos = 0;
  for (const s of sim) {
    let found = -1;
    for (let i = pos; i < real.length; i++) {
      if (real[i]!.key === s.key) {
        found = i;
        break;
      }
    }
    if (found === -1) {
      const anywhere = real.findIndex((r) => r.key === s.key);
      throw new Error(
        `${what}: sim line not found ${anywhere === -1 ? 'in the real log at all' : `after position ${pos} (it is at ${anywhere})`}:\n  ${s.line}\n  key: ${s.key}\n  last matched real line: ${real[pos - 1]?.line ?? '(none)'}`,
      );
    }
    pos = found + 1;
  }
}

async function simStart(args: string[], env: NodeJS.ProcessEnv, warm = false): Promise<string> {
  const base = { OMP_NUM_THREADS: '', ...env };
  if (warm) {
    // A first start fills the compile cache, as on the machines the real logs came from.
    const w = await startSim(args, { env: base });
    runs.push(w);
    expect(await w.waitReady(20_000)).toBe(true);
    w.killGroup('SIGKILL');
    await w.exited;
  }
  const r = await startSim(args, { env: base });
  runs.push(r);
  expect(await r.waitReady(20_000)).toBe(true);
  await new Promise((res) => setTimeout(res, 100));
  return r.output();
}

const required = (sim: Shape[], parts: string[]) => {
  for (const p of parts)
    expect(
      sim.some((s) => s.key.includes(p)),
      p,
    ).toBe(true);
};

describe('start-up log shapes match real vLLM logs', () => {
  it('v0.13 hybrid NemotronH start (vllm-logs 07)', async () => {
    const out = await simStart(
      [
        'serve',
        'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
        '--host',
        '0.0.0.0',
        '--trust-remote-code',
        '--max-model-len',
        '8192',
        '--kv-cache-dtype',
        'fp8',
      ],
      { VLLM_SIM_VERSION: '0.13.0', VLLM_SIM_GPUS: 'H100-80GB' },
    );
    const sim = shapes(out);
    required(sim, [
      'vLLM API server version VER',
      'Resolved architecture',
      "Updating mamba_ssm_cache_dtype to 'float#'",
      'Setting attention block size',
      'Initializing a V# LLM engine',
      'Loading weights took',
      'torch.compile takes',
      'Available KV cache memory',
      'padding layers',
      'GPU KV cache size',
      'Maximum concurrency',
      'Graph capturing finished',
      'init engine',
      'Application startup complete.',
    ]);
    expectSubsequence(sim, shapes(realLog('07-v0.13.0-nemotronH-hybrid-success.log')), 'log 07');
  });

  it('v0.13 dense start with a warm compile cache (vllm-logs 10)', async () => {
    const out = await simStart(
      ['serve', 'Qwen/Qwen2.5-14B-Instruct', '--host', '0.0.0.0', '--max-model-len', '32768', '--kv-cache-dtype', 'fp8'],
      { VLLM_SIM_VERSION: '0.13.0', VLLM_SIM_GPUS: 'H100-80GB' },
      true,
    );
    const sim = shapes(out);
    required(sim, ['Directly load the compiled graph', 'GPU KV cache size', 'Starting vLLM API server']);
    expectSubsequence(sim, shapes(realLog('10-v0.13.0-qwen2.5-success.log')), 'log 10');
  });

  it('v0.14 tensor-parallel start: Worker_TP lines and unprefixed NCCL set-up (vllm-logs 01)', async () => {
    const out = await simStart(
      [
        'serve',
        'MiniMaxAI/MiniMax-M2.1',
        '--host',
        '0.0.0.0',
        '--trust-remote-code',
        '--max-model-len',
        '32768',
        '-tp',
        '2',
        '--gpu-memory-utilization',
        '0.95',
        '--kv-cache-dtype',
        'fp8',
        '--max-num-seqs',
        '256',
      ],
      { VLLM_SIM_VERSION: '0.14.0', VLLM_SIM_GPUS: 'H200:2' },
      true,
    );
    // rc1 (this log) prints the NCCL line before the async-scheduling line, rc2 (vllm-logs 02/05) after it.
    const sim = shapes(out).filter((s) => !s.key.includes('Disabling NCCL for DP synchronization'));
    required(sim, [
      'Worker_TP#|INFO|gpu_model_runner.py|Starting to load model',
      '-|INFO|parallel_state.py|world_size',
      'Reducing Torch parallelism',
    ]);
    expectSubsequence(sim, shapes(realLog('01-v0.14.0rc1-success-tp2-minimax.log')), 'log 01');
  });

  it('v0.13 "No available memory for the cache blocks" failure, logged and raw tracebacks (vllm-logs 08)', async () => {
    const r = await runSim(
      [
        'serve',
        'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
        '--host',
        '0.0.0.0',
        '--trust-remote-code',
        '--max-model-len',
        '8192',
        '--gpu-memory-utilization',
        '0.6',
        '--kv-cache-dtype',
        'fp8',
      ],
      { env: { VLLM_SIM_VERSION: '0.13.0' } },
    );
    runs.push(r.run);
    expect(r.code).toBe(1);
    const sim = shapes(r.output, true);
    const real = shapes(realLog('08-v0.13.0-nemotronH-failure-no-kv-memory.log'), true);
    // stdout (logger) and stderr (raw tracebacks) interleave differently per run: check each stream's order.
    expectSubsequence(
      sim.filter((s) => !s.raw),
      real.filter((s) => !s.raw),
      'log 08 (logger lines)',
    );
    expectSubsequence(
      sim.filter((s) => s.raw),
      real.filter((s) => s.raw),
      'log 08 (raw lines)',
    );
    required(sim, [
      'EngineCore failed to start.',
      'raw|ValueError: No available memory for the cache blocks',
      'raw|RuntimeError: Engine core initialization failed.',
    ]);
  });

  it('v0.14 engine death with tensor parallel: client error, workers follow, resource tracker noise (vllm-logs 04)', async () => {
    const r = await startSim(['serve', 'MiniMaxAI/MiniMax-M2.1', '--max-model-len', '32768', '-tp', '2'], {
      env: { VLLM_SIM_VERSION: '0.14.0', VLLM_SIM_GPUS: 'H200:2', VLLM_SIM_CRASH_AFTER_S: '0.3', OMP_NUM_THREADS: '1' },
    });
    runs.push(r);
    expect((await r.exited).code).toBe(1);
    const out = r.output();
    const after = shapes(out.slice(out.indexOf('Application startup complete.')), true).slice(1);
    required(after, [
      'Engine core proc EngineCore_DP# died unexpectedly',
      'Parent process exited, terminating worker',
      'WorkerProc shutting down.',
      'raw|KeyError: PATH',
    ]);
    const real = shapes(realLog('04-v0.14.0rc1-engine-died-shutdown.log'), true);
    expectSubsequence(
      after.filter((s) => !s.raw && s.key.startsWith('APIServer')),
      real.filter((s) => !s.raw),
      'log 04 (API server)',
    );
    for (const w of ['(Worker_TP0 ', '(Worker_TP1 ']) {
      expectSubsequence(
        after.filter((s) => s.line.includes(w)),
        real.filter((s) => s.line.includes(w)),
        `log 04 ${w.trim()}`,
      );
    }
    expectSubsequence(
      after.filter((s) => s.raw && s.key.startsWith('-')),
      real.filter((s) => s.raw && s.key.startsWith('-')),
      'log 04 (resource tracker)',
    );
  });

  it('tqdm bars have the real shapes (vllm-logs 01, 07, 10)', async () => {
    const r = await startSim(['serve', 'nvidia/NVIDIA-Nemotron-Nano-12B-v2', '--max-model-len', '8192'], { env: { VLLM_SIM_SPEED: '5' } });
    runs.push(r);
    expect(await r.waitReady(20_000)).toBe(true);
    const bar = (t: string) =>
      stripAnsi(t)
        .split(/\r|\n/)
        .map((l) => l.replace(/^\[\d{4}-[^\]]*\] \[[A-Z]+\] /, ''))
        .filter((l) => /^(Loading safetensors|Capturing CUDA graphs)/.test(l))
        .map((l) =>
          l
            .replace(/\d+/g, '#')
            .replace(/%\|[▏▎▍▌▋▊▉█ ]+\|/, '%|BAR|')
            // tqdm pads the rate to 5 columns: "  1.07it/s" vs " 98.09it/s" only differ in speed.
            .replace(/, +/g, ', '),
        );
    const real = new Set([
      ...bar(realLog('01-v0.14.0rc1-success-tp2-minimax.log')),
      ...bar(realLog('07-v0.13.0-nemotronH-hybrid-success.log')),
      ...bar(realLog('10-v0.13.0-qwen2.5-success.log')),
    ]);
    const sim = bar(r.stderr());
    expect(sim.length).toBeGreaterThan(5);
    for (const s of sim) expect(real.has(s), s).toBe(true);
  });

  it('unrecognized arguments: the exact stderr of vllm-logs 11 and 12', async () => {
    const tail = (name: string) => realLog(name).trimEnd().split('\n').slice(-2).join('\n');
    const a = await runSim(['serve', 'm', '--guided-decoding-backend', 'xgrammar'], {
      env: { VLLM_SIM_VERSION: '0.13.0' },
      addPort: false,
    });
    expect(a.stderr.trimEnd()).toBe(tail('11-v0.13.0-failure-unrecognized-argument.log'));
    const b = await runSim(['serve', 'm', '--guided-decoding-backend', 'outlines'], {
      env: { VLLM_SIM_VERSION: '0.24.0' },
      addPort: false,
    });
    expect(b.stderr.trimEnd()).toBe(realLog('12-failure-unrecognized-argument-newer-usage.log').trimEnd().split('\n').slice(-3).join('\n'));
  });
});
