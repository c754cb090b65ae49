// The EngineCore_DPn process (vllm-runtime.md §5): logs the engine's start, runs the model runner
// phases itself (TP = 1) or through Worker_TPk child processes (TP > 1), reports a startup
// failure the way vLLM does ("EngineCore failed to start." + traceback, then exit 1), and then
// runs the scheduler loop for the API server. It exits when its parent dies.
import type { ChildProcess } from 'node:child_process';
import { EngineLoop } from '../engine/loop';
import { type EngineFailSite, engineFailedLoggedLines, engineProcessDiedLines } from '../log/traceback';
import { ProcLog } from '../log/writer';
import { versionTraits } from '../version';
import { exitAfterFlush, firstMessage, hangForever, pause, send, spawnRole, watchParent } from './common';
import { captureSizes, fixed, type RunnerCtx, runPhase } from './phases';
import type { ApiToEngine, EngineInit, WorkerPhase, WorkerToEngine } from './protocol';

const NCCL_WARNING =
  'Warning: WARNING: destroy_process_group() was not called before program exit, which can leak resources. For more info, please see https://pytorch.org/docs/stable/distributed.html#shutdown (function operator())';

function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `'${k}': ${pyRepr(x)}`)
    .join(', ')}}`;
}

/** The `Initializing a V1 LLM engine (vX) with config: …` dump, in the shape of vllm-logs 07/10/01. */
export function engineConfigText(init: EngineInit): string {
  const { cfg, plan } = init;
  const traits = versionTraits(cfg.version);
  const f = cfg.flags;
  const sizes = captureSizes(plan.maxNumSeqs);
  const eager = plan.enforceEager;
  const observability = [
    'show_hidden_metrics_for_version=None',
    'otlp_traces_endpoint=None',
    'collect_detailed_traces=None',
    'kv_cache_metrics=False',
    'kv_cache_metrics_sample=0.01',
    'cudagraph_metrics=False',
    'enable_layerwise_nvtx_tracing=False',
    ...(traits.minor >= 14 || traits.major > 0
      ? ['enable_mfu_metrics=False', 'enable_mm_processor_stats=False', 'enable_logging_iteration_details=False']
      : []),
  ].join(', ');
  const compilation = {
    level: null,
    mode: eager ? '<CompilationMode.NONE: 0>' : '<CompilationMode.VLLM_COMPILE: 3>',
    debug_dump_path: null,
    cache_dir: '',
    compile_cache_save_format: 'binary',
    backend: 'inductor',
    custom_ops: eager ? [] : ['none'],
    splitting_ops: [
      'vllm::unified_attention',
      'vllm::unified_attention_with_output',
      'vllm::unified_mla_attention',
      'vllm::unified_mla_attention_with_output',
      'vllm::mamba_mixer2',
      'vllm::mamba_mixer',
      'vllm::short_conv',
      'vllm::linear_attention',
      'vllm::plamo2_mamba_mixer',
      'vllm::gdn_attention_core',
      'vllm::kda_attention',
      'vllm::sparse_attn_indexer',
    ],
    compile_mm_encoder: false,
    compile_sizes: [],
    compile_ranges_split_points: [plan.maxNumBatchedTokens],
  };
  const enumVal = (s: string) => s; // printed without quotes
  const comp =
    `{${Object.entries(compilation)
      .map(([k, v]) => `'${k}': ${k === 'mode' ? enumVal(String(v)) : pyRepr(v)}`)
      .join(
        ', ',
      )}, 'inductor_compile_config': {'enable_auto_functionalized_v2': False, 'combo_kernels': True, 'benchmark_combo_kernel': True}, ` +
    `'inductor_passes': {}, 'cudagraph_mode': ${eager ? '<CUDAGraphMode.NONE: 0>' : '<CUDAGraphMode.FULL_AND_PIECEWISE: (2, 1)>'}, 'cudagraph_num_of_warmups': ${eager ? 0 : 1}, ` +
    `'cudagraph_capture_sizes': ${eager ? '[]' : pyRepr(sizes)}, 'cudagraph_copy_inputs': False, 'cudagraph_specialize_lora': True, 'use_inductor_graph_partition': False, ` +
    `'pass_config': {'fuse_norm_quant': False, 'fuse_act_quant': False, 'fuse_attn_quant': False, 'eliminate_noops': True, 'enable_sp': False, 'fuse_gemm_comms': False, 'fuse_allreduce_rms': False}, ` +
    `'max_cudagraph_capture_size': ${eager ? 0 : sizes[sizes.length - 1]}, 'dynamic_shapes_config': {'type': <DynamicShapesType.BACKED: 'backed'>, 'evaluate_guards': False}, 'local_cache_dir': None}`;
  const reasoning = cfg.reasoningParser ?? '';
  const quant = typeof f.quantization === 'string' ? f.quantization : 'None';
  return (
    `model='${cfg.model}', speculative_config=None, tokenizer='${typeof f.tokenizer === 'string' ? f.tokenizer : cfg.model}', skip_tokenizer_init=False, ` +
    `tokenizer_mode=auto, revision=None, tokenizer_revision=None, trust_remote_code=${cfg.trustRemoteCode ? 'True' : 'False'}, dtype=torch.bfloat16, ` +
    `max_seq_len=${plan.maxModelLen}, download_dir=None, load_format=auto, tensor_parallel_size=${cfg.tp}, pipeline_parallel_size=1, ` +
    `data_parallel_size=${cfg.dp}, disable_custom_all_reduce=False, quantization=${quant}, enforce_eager=${eager ? 'True' : 'False'}, ` +
    `kv_cache_dtype=${plan.kvCacheDtype}, device_config=cuda, structured_outputs_config=StructuredOutputsConfig(backend='auto', disable_fallback=False, ` +
    `disable_any_whitespace=False, disable_additional_properties=False, reasoning_parser='${reasoning}', reasoning_parser_plugin='', enable_in_reasoning=False), ` +
    `observability_config=ObservabilityConfig(${observability}), seed=${cfg.seed}, served_model_name=${cfg.servedModelNames[0]}, ` +
    `enable_prefix_caching=${plan.prefixCaching ? 'True' : 'False'}, enable_chunked_prefill=${cfg.chunkedPrefill ? 'True' : 'False'}, pooler_config=None, ` +
    `compilation_config=${comp}`
  );
}

export async function runEngineCore(): Promise<void> {
  const init = await firstMessage<EngineInit>('init');
  const { cfg, plan, dpRank } = init;
  const traits = versionTraits(cfg.version);
  const name = traits.engineCoreName(dpRank);
  const log = new ProcLog({ name, pid: process.pid, color: cfg.switches.color, stdout: process.stdout, stderr: process.stderr });
  const L = traits.lines;
  const at = (file: string, key: string) => `${file}:${L[key] ?? 1}`;
  const speed = cfg.switches.speed;
  const workers: ChildProcess[] = [];
  let loop: EngineLoop | undefined;
  let exiting = false;

  const stopWorkers = () => {
    for (const w of workers) {
      if (w.connected) w.send({ t: 'shutdown' });
    }
  };
  const shutdown = (code: number) => {
    if (exiting) return;
    exiting = true;
    loop?.stop();
    stopWorkers();
    // Workers log their own "WorkerProc shutting down."; give them a moment, then go.
    setTimeout(() => exitAfterFlush(code), workers.length ? 100 : 0);
  };

  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      if (sig === 'SIGTERM' && cfg.switches.ignoreSigterm) return;
      shutdown(0);
    });
  }
  // Parent gone: leave at once; the workers notice this process die (vllm-logs 04).
  // VLLM_SIM_ORPHAN_CHILDREN: stay up like a stuck engine whose parent vanished.
  if (cfg.switches.orphanChildren) setInterval(() => {}, 1 << 30);
  else {
    watchParent(() => {
      exiting = true;
      loop?.stop();
      exitAfterFlush(0);
    });
  }

  const t0 = performance.now();
  log.info(at('core.py', 'core_init'), `Initializing a V1 LLM engine (v${cfg.version}) with config: ${engineConfigText(init)}`);

  const fail = async (site: EngineFailSite, exception: string): Promise<never> => {
    const tp = cfg.tp > 1;
    const v013 = traits.major === 0 && traits.minor < 14;
    log.error(at('core.py', 'core_failed'), engineFailedLoggedLines(cfg.paths, site, tp, exception, v013).join('\n'));
    log.raw('err', `${engineProcessDiedLines(cfg.paths, name, site, tp, exception, v013).join('\n')}\n`);
    if (site !== 'init_device' || tp) {
      const d = new Date();
      const p = (n: number, w = 2) => String(n).padStart(w, '0');
      const stamp = `${p(d.getMonth() + 1)}${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}${p(0, 6)}`;
      process.stderr.write(`[rank0]:[W${stamp} ProcessGroupNCCL.cpp:1565] ${NCCL_WARNING}\n`);
    }
    stopWorkers();
    await pause(0.05, 1);
    exitAfterFlush(1);
    return hangForever();
  };

  const ctx: RunnerCtx = {
    log,
    traits,
    cfg,
    plan,
    rank: 0,
    tp: cfg.tp,
    dpRank,
    gpu: cfg.gpus[init.gpuIndices[0] ?? 0]!,
    device: init.gpuIndices[0] ?? 0,
  };

  // Runs one model-runner phase here (TP = 1) or on every worker (TP > 1).
  let phase: (p: WorkerPhase) => Promise<void>;
  if (cfg.tp === 1) {
    phase = async (p) => {
      const r = await runPhase(ctx, p);
      if (!r.ok) await fail(r.site, r.exception);
    };
  } else {
    if (!process.env.OMP_NUM_THREADS) {
      log.warn(
        at('multiproc_executor.py', 'multiproc_reduce'),
        'Reducing Torch parallelism from 32 threads to 1 to avoid unnecessary CPU contention. Set OMP_NUM_THREADS in the external environment to tune this value as needed.',
      );
    }
    const up: Promise<void>[] = [];
    for (let rank = 0; rank < cfg.tp; rank++) {
      const w = spawnRole('worker');
      workers.push(w);
      w.on('error', () => {});
      up.push(new Promise((resolve) => w.on('message', (m: WorkerToEngine) => m.t === 'up' && resolve())));
      w.send({ t: 'init', cfg, plan, rank, gpuIndex: init.gpuIndices[rank] ?? rank, dpRank });
    }
    // Every worker has joined the process group before the first collective step.
    await Promise.all(up);
    phase = (p) =>
      new Promise<void>((resolve) => {
        let done = 0;
        let failure: WorkerToEngine | undefined;
        const onMsg = (m: WorkerToEngine) => {
          if (m.t === 'up' || m.phase !== p) return;
          if (m.t === 'failed') failure ??= m;
          if (++done < workers.length) return;
          for (const w of workers) w.off('message', onMsg);
          if (!failure) return resolve();
          const rpc = p === 'capture';
          const exception = rpc
            ? `RuntimeError: Worker failed with error '${(failure as { error: string }).error.replace(/^\w+: /, '')}', please check the stack trace above for the root cause`
            : 'Exception: WorkerProc initialization failed due to an exception in a background process. See stack trace for root cause.';
          void fail(rpc ? 'worker_rpc' : 'workers', exception);
        };
        for (const w of workers) {
          w.on('message', onMsg);
          w.send({ t: 'phase', phase: p });
        }
      });
  }

  await phase('init_device');
  await phase('load_model');
  await phase('compile');
  await phase('profile');

  // Engine side: the KV-cache configuration (kv_cache_utils.py, vllm-logs 07/08).
  await pause(0.05, speed);
  if (plan.failure?.kind === 'no_kv_cache_memory' || plan.failure?.kind === 'kv_cache_too_small_for_max_model_len') {
    await fail('kv_cache_check', `ValueError: ${plan.failure.message}`);
  }
  if (plan.logLines.paddingLayers) log.warn(at('kv_cache_utils.py', 'kv_padding'), plan.logLines.paddingLayers);
  if (plan.logLines.kvCacheSize) log.info(at('kv_cache_utils.py', 'kv_size'), plan.logLines.kvCacheSize);
  if (plan.logLines.maxConcurrency) log.info(at('kv_cache_utils.py', 'kv_conc'), plan.logLines.maxConcurrency);
  if (cfg.switches.hangAt === 'kv-cache') await hangForever();

  await phase('capture');
  log.info(
    at('core.py', 'core_ready'),
    `init engine (profile, create kv cache, warmup model) took ${fixed((performance.now() - t0) / 1000, 2)} seconds`,
  );

  const clock = () => performance.timeOrigin + performance.now();
  loop = new EngineLoop(
    {
      maxNumSeqs: plan.maxNumSeqs,
      maxNumBatchedTokens: plan.maxNumBatchedTokens,
      chunkedPrefill: cfg.chunkedPrefill,
      blockSize: plan.blockSize,
      numGpuBlocks: plan.numGpuBlocks,
      attnGroups: plan.attnGroups,
      stateBlocksPerSeq: plan.stateBlocksPerSeq,
      prefixCaching: plan.prefixCaching,
      maxModelLen: plan.maxModelLen,
    },
    {
      gpu: ctx.gpu,
      tensorParallel: cfg.tp,
      weightBytesPerGpu: plan.weightsGiB * 2 ** 30,
      activeParams: plan.activeParams,
      kvBytesPerToken: plan.kvBytesPerToken,
      stateBytesPerSeq: plan.stateBytesPerSeq,
    },
    speed,
    { now: clock, send },
  );
  process.on('message', (m: ApiToEngine) => {
    if (!loop) return;
    if (m.t === 'add')
      loop.add({
        id: m.id,
        promptLen: m.promptLen,
        hashes: m.hashes,
        maxTokens: m.maxTokens,
        eosAt: m.eosAt < 0 ? Number.POSITIVE_INFINITY : m.eosAt,
      });
    else if (m.t === 'abort') {
      loop.abort(m.id);
      send({ t: 'out', steps: [], ...loop.gauges(), preemptions: 0, prefixQueries: 0, prefixHits: 0 });
    } else if (m.t === 'shutdown') shutdown(0);
  });
  send({ t: 'ready', numGpuBlocks: plan.numGpuBlocks });

  // VLLM_SIM_CRASH_AFTER_S: the engine dies as if OOM-killed (no goodbye, vllm-logs 04).
  if (cfg.switches.crashAfterS !== null && dpRank === 0) {
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), cfg.switches.crashAfterS * 1000);
  }
}
