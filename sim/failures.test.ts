// Every start-up failure the simulator can produce, with the reference text and exit code
// (vllm-runtime.md §7; traceback shapes of vllm-logs 02/08/09). The memory outcomes come from the
// planner for the simulated GPU, so these cases also pin the sim to the planner's verdicts.
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, runSim, type SimRun, stripAnsi } from './testing/harness';

const NEMOTRON = 'nvidia/NVIDIA-Nemotron-Nano-12B-v2';
const API_FAILED = 'RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}';
const runs: SimRun[] = [];
afterEach(() => {
  for (const r of runs.splice(0)) r.killGroup('SIGKILL');
});

async function failStart(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = await runSim(['serve', ...args], { env });
  runs.push(r.run);
  const text = stripAnsi(r.output);
  return { ...r, text, lines: text.split('\n') };
}

/** The engine's logged and raw tracebacks both end in `exception`, then the API server gives up. */
function expectEngineFailure(text: string, exception: string) {
  expect(text).toMatch(/\(EngineCore_DP0 pid=\d+\) ERROR \d\d-\d\d \d\d:\d\d:\d\d \[core\.py:\d+\] EngineCore failed to start\./);
  expect(text).toMatch(/\(EngineCore_DP0 pid=\d+\) ERROR \d\d-\d\d \d\d:\d\d:\d\d \[core\.py:\d+\] Traceback \(most recent call last\):/);
  expect(text).toContain(`ERROR`);
  const logged = text.split('\n').filter((l) => /\[core\.py:\d+\] /.test(l) && l.endsWith(exception));
  expect(logged.length).toBe(1);
  expect(text).toMatch(/\(EngineCore_DP0 pid=\d+\) Process EngineCore_DP0:/);
  const raw = text
    .split('\n')
    .filter((l) => /^\(EngineCore_DP0 pid=\d+\) /.test(l) && l.replace(/^\(EngineCore_DP0 pid=\d+\) /, '') === exception);
  expect(raw.length).toBe(1);
  const api = text.split('\n').filter((l) => l.includes('(APIServer pid='));
  expect(api[api.length - 1]).toMatch(new RegExp(`^\\(APIServer pid=\\d+\\) ${API_FAILED.replace(/[.()[\]{}]/g, '\\$&')}$`));
}

describe('start-up failures', () => {
  it('port in use: OSError before any loading, exit 1', async () => {
    const port = await freePort();
    const { createServer } = await import('node:net');
    const blocker = createServer().listen(port);
    await new Promise((r) => blocker.once('listening', r));
    try {
      const r = await failStart([NEMOTRON, '--port', String(port)]);
      expect(r.code).toBe(1);
      expect(r.text).toMatch(/\(APIServer pid=\d+\) OSError: \[Errno 98\] Address already in use\n$/);
      expect(r.text).not.toContain('Starting to load model');
      expect(r.text).not.toContain('EngineCore');
    } finally {
      blocker.close();
    }
  });

  it('free memory below utilization × total (other processes hold VRAM)', async () => {
    const r = await failStart([NEMOTRON, '--max-model-len', '32768'], { VLLM_SIM_GPU_USED_GIB: '8' });
    expect(r.code).toBe(1);
    expectEngineFailure(
      r.text,
      'ValueError: Free memory on device cuda:0 (31.39/39.39 GiB) on startup is less than desired GPU memory utilization (0.9, 35.45 GiB). Decrease GPU memory utilization or reduce GPU memory used by other processes.',
    );
    expect(r.text).not.toContain('Starting to load model');
  });

  it('CUDA out of memory while loading the weights (12B bf16 on a 24 GB card)', async () => {
    const r = await failStart([NEMOTRON, '--max-model-len', '8192'], { VLLM_SIM_GPUS: 'RTX-4090' });
    expect(r.code).toBe(1);
    const oom = r.lines.find((l) =>
      /\) torch\.OutOfMemoryError: CUDA out of memory\. Tried to allocate [\d.]+ GiB\. GPU 0 has a total capacity of 23\.53 GiB/.test(l),
    );
    expect(oom).toBeDefined();
    expect(oom).toContain('If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True');
    expectEngineFailure(r.text, oom!.replace(/^\(EngineCore_DP0 pid=\d+\) /, ''));
    expect(r.text).toContain('Loading safetensors checkpoint shards:');
    expect(r.text).not.toContain('Loading weights took');
  });

  it('no memory left for the KV cache (vllm-logs 08/09)', async () => {
    const r = await failStart([NEMOTRON, '--gpu-memory-utilization', '0.6']);
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/\[gpu_worker\.py:\d+\] Available KV cache memory: -\d+\.\d\d GiB\n/);
    expectEngineFailure(
      r.text,
      'ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine. See https://docs.vllm.ai/en/latest/configuration/conserving_memory/ for more details.',
    );
    expect(r.text).not.toContain('GPU KV cache size');
    expect(r.text).toMatch(
      /^\[rank0\]:\[W\d{4} \d\d:\d\d:\d\d\.\d{9} ProcessGroupNCCL\.cpp:1565\] Warning: WARNING: destroy_process_group\(\) was not called/m,
    );
  });

  it("max model len does not fit the KV cache: 'To serve at least one request…'", async () => {
    const r = await failStart([NEMOTRON, '--gpu-memory-utilization', '0.66']);
    expect(r.code).toBe(1);
    const line = r.lines.find((l) => l.includes(") ValueError: To serve at least one request with the model's max seq len (131072), ("));
    expect(line).toMatch(
      /GiB KV cache is needed, which is larger than the available KV cache memory \([\d.]+ GiB\)\. Based on the available memory, the estimated maximum model length is \d+\. Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine\.$/,
    );
    expectEngineFailure(r.text, line!.replace(/^\(EngineCore_DP0 pid=\d+\) /, ''));
  });

  it('hybrid model: max_num_seqs above the Mamba cache blocks fails at CUDA graph capture (0.19+)', async () => {
    const r = await failStart([NEMOTRON, '--max-model-len', '32768', '--max-num-seqs', '1024'], { VLLM_SIM_VERSION: '0.19.1' });
    expect(r.code).toBe(1);
    const text = r.text.replaceAll('(EngineCore pid=', '(EngineCore_DP0 pid=').replaceAll('Process EngineCore:', 'Process EngineCore_DP0:');
    expect(r.text).toMatch(/\(EngineCore pid=\d+\) INFO .*GPU KV cache size: [\d,]+ tokens/);
    const line = r.lines.find((l) => l.includes(') ValueError: max_num_seqs (1024) exceeds available Mamba cache blocks ('));
    expect(line).toMatch(
      /Each decode sequence requires one Mamba cache block, so CUDA graph capture cannot proceed\. Please lower max_num_seqs to at most \d+ or increase gpu_memory_utilization\.$/,
    );
    expectEngineFailure(text, line!.replace(/^\(EngineCore pid=\d+\) /, ''));
  });

  it('tensor parallel: a worker runs out of memory, the engine reports the background process', async () => {
    const r = await failStart(['Qwen/Qwen2.5-72B-Instruct', '--max-model-len', '8192', '-tp', '2'], { VLLM_SIM_GPUS: 'A100-40GB:2' });
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/\(Worker_TP0 pid=\d+\) ERROR .*\[multiproc_executor\.py:\d+\] WorkerProc failed to start\./);
    expect(r.text).toMatch(
      /\(Worker_TP1 pid=\d+\) ERROR .*\] torch\.OutOfMemoryError: CUDA out of memory\. Tried to allocate [\d.]+ GiB\. GPU 1 has/,
    );
    expectEngineFailure(
      r.text,
      'Exception: WorkerProc initialization failed due to an exception in a background process. See stack trace for root cause.',
    );
  });
});
