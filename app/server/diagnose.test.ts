import { describe, expect, it } from 'vitest';
import { diagnoseLog } from './diagnose';

// Line shapes from ../shared/reference/vllm-runtime.md §7 (the real logs are checked by the
// conformance step); numbers chosen so each remedy can be checked by hand.
const API = '(APIServer pid=100) ';
const ENG = '(EngineCore_DP0 pid=200) ';
const start = [
  `${API}INFO 01-17 23:04:45 [api_server.py:1278] vLLM API server version 0.14.0`,
  `${API}INFO 01-17 23:04:46 [model.py:528] Resolved architecture: NemotronHForCausalLM`,
  `${API}INFO 01-17 23:04:46 [model.py:1543] Using max model len 131072`,
  `${ENG}INFO 01-17 23:04:50 [gpu_model_runner.py:3562] Starting to load model nvidia/NVIDIA-Nemotron-Nano-12B-v2...`,
  `${ENG}INFO 01-17 23:04:51 [cuda.py:351] Using FLASHINFER attention backend out of potential backends: ('FLASHINFER',)`,
  `${ENG}INFO 01-17 23:05:30 [gpu_model_runner.py:3659] Model loading took 22.93 GiB memory and 38.5 seconds`,
];
const failed = (...root: string[]) => [
  ...start,
  `${ENG}ERROR 01-17 23:06:00 [core.py:866] EngineCore failed to start.`,
  ...root.map((r) => `${ENG}ERROR 01-17 23:06:00 [core.py:866] ${r}`),
  `${API}RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}`,
];

describe('diagnoseLog', () => {
  it('max-model-len too large: relaunch with the estimate vLLM printed', () => {
    const d = diagnoseLog(
      failed(
        "ValueError: To serve at least one request with the model's max seq len (131072), (16.00 GiB KV cache is needed, which is larger than the available KV cache memory (4.21 GiB). Based on the available memory, the estimated maximum model length is 34480. Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.",
      ),
    );
    expect(d).toMatchObject({
      outcome: 'failed',
      errorKind: 'kv_cache_too_small_for_max_model_len',
      vllmVersion: '0.14.0',
      attentionBackend: 'FLASHINFER',
      model: 'nvidia/NVIDIA-Nemotron-Nano-12B-v2',
    });
    expect(d.numbers).toMatchObject({ maxModelLen: 131072, availableKvGiB: 4.21, estimatedMaxModelLen: 34480, weightsGiB: 22.93 });
    expect(d.message).toMatch(/^ValueError: To serve at least one request/);
    expect(d.remedies[0]).toEqual({
      label: 'Relaunch with max-model-len 34480',
      action: { type: 'set-flag', flag: 'max-model-len', value: 34480 },
    });
    expect(d.phase).toBe('load-weights');
  });

  it('other processes hold VRAM: names them and offers to free the GPU', () => {
    const d = diagnoseLog(
      failed(
        'ValueError: Free memory on device cuda:0 (7.34/15.49 GiB) on startup is less than desired GPU memory utilization (0.8, 12.39 GiB). Decrease GPU memory utilization or reduce GPU memory used by other processes.',
      ),
      { gpuProcesses: [{ pid: 4242, name: 'python', usedMiB: 6860, gpu: 0 }] },
    );
    expect(d.errorKind).toBe('insufficient_free_memory');
    expect(d.numbers).toMatchObject({ freeGiB: 7.34, totalGiB: 15.49, desiredUtilization: 0.8 });
    expect(d.remedies.map((r) => r.label)).toEqual(['Free GPU 0: PID 4242 python holds 6.7 GiB', 'Lower gpu-memory-utilization to 0.46']);
  });

  it('Mamba state budget: lower max-num-seqs to what fits', () => {
    const d = diagnoseLog(
      failed(
        'ValueError: max_num_seqs (64) exceeds available Mamba cache blocks (40). Decrease max_num_seqs or increase gpu_memory_utilization.',
      ),
    );
    expect(d.errorKind).toBe('mamba_cache_blocks_exceeded');
    expect(d.remedies[0]).toEqual({ label: 'Lower max-num-seqs to 40', action: { type: 'set-flag', flag: 'max-num-seqs', value: 40 } });
  });

  it('port in use fails before loading and suggests the next port', () => {
    const d = diagnoseLog(
      [`${API}INFO 01-17 23:04:45 [api_server.py:1278] vLLM API server version 0.13.0`, 'OSError: [Errno 98] Address already in use'],
      {
        flags: { port: 8000 },
      },
    );
    expect(d.errorKind).toBe('port_in_use');
    expect(d.remedies[0]!.action).toEqual({ type: 'set-flag', flag: 'port', value: 8001 });
    expect(d.phase).toBe('resolve-model');
  });

  it('CUDA OOM beats the generic failure and offers smaller settings', () => {
    const d = diagnoseLog(
      failed('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 512.00 MiB. GPU 0 has a total capacity of 39.38 GiB'),
      {
        flags: { 'max-num-seqs': 64, 'max-num-batched-tokens': 16384 },
      },
    );
    expect(d.errorKind).toBe('cuda_oom');
    expect(d.numbers.triedToAllocateGiB).toBe(0.5);
    expect(d.remedies.map((r) => r.label)).toContain('Lower max-num-seqs to 32');
    expect(d.remedies.map((r) => r.label)).toContain('Lower max-num-batched-tokens to 8192');
  });

  it('unknown root cause: searches back from the generic failure to the first exception line', () => {
    const d = diagnoseLog(failed('Traceback (most recent call last):', '  File "x.py", line 1', 'ZeroDivisionError: division by zero'));
    expect(d.errorKind).toBe('other');
    expect(d.message).toBe('ZeroDivisionError: division by zero');
  });

  it('classifies argparse, repo, remote-code, hardware and runtime death', () => {
    expect(
      diagnoseLog([
        'usage: vllm [-h] [-v] {chat,complete,serve,bench,collect-env,run-batch} ...',
        "vllm serve: error: argument --max-model-len: invalid int value: 'lots'",
      ]),
    ).toMatchObject({
      outcome: 'arg-error',
      errorKind: 'invalid_argument_value',
    });
    expect(
      diagnoseLog(
        failed('huggingface_hub.errors.GatedRepoError: 401 Client Error. Cannot access gated repo for url https://huggingface.co/x'),
      ).errorKind,
    ).toBe('gated_or_missing_repo');
    expect(
      diagnoseLog(
        failed(
          'ValueError: Loading nvidia/x requires you to execute the configuration file in that repo on your local machine. Make sure you have read the code there, and set the option `trust_remote_code=True` to remove this error.',
        ),
      ).errorKind,
    ).toBe('remote_code_required');
    expect(
      diagnoseLog(
        failed('NotImplementedError: No compiled cutlass_scaled_mm for CUDA device capability: 120. Required capability: 90 or 100'),
      ).errorKind,
    ).toBe('unsupported_hardware_or_backend');
    const died = diagnoseLog([
      ...start,
      `${API}INFO:     Application startup complete.`,
      `${API}ERROR 01-17 23:30:00 [core_client.py:610] Engine core proc EngineCore_DP0 died unexpectedly, shutting down client.`,
    ]);
    expect([died.outcome, died.errorKind]).toEqual(['running-then-died', 'engine_died']);
  });

  it('reports a clean start as ready with the numbers vLLM printed, and a cut-off log as incomplete', () => {
    const ok = diagnoseLog([
      ...start,
      `${ENG}INFO 01-17 23:05:40 [gpu_worker.py:375] Available KV cache memory: 45.30 GiB`,
      `${ENG}INFO 01-17 23:05:40 [kv_cache_utils.py:1291] GPU KV cache size: 329,476 tokens`,
      `${ENG}INFO 01-17 23:05:40 [kv_cache_utils.py:1296] Maximum concurrency for 32,768 tokens per request: 50.30x`,
      `${API}INFO 01-17 23:06:00 [api_server.py:1428] Starting vLLM API server 0 on http://127.0.0.1:8000`,
      `${API}INFO:     Application startup complete.`,
    ]);
    expect(ok).toMatchObject({ outcome: 'ready', errorKind: 'none', phase: 'ready' });
    expect(ok.numbers).toMatchObject({
      gpuKvCacheTokens: 329476,
      maxConcurrency: 50.3,
      maxConcurrencyTokens: 32768,
      availableKvGiB: 45.3,
      port: 8000,
    });
    expect(diagnoseLog(start).outcome).toBe('incomplete');
    expect(diagnoseLog(start, { exitCode: 137 })).toMatchObject({
      outcome: 'failed',
      errorKind: 'other',
      message: 'vLLM exited with code 137 before it was ready.',
    });
  });
});
