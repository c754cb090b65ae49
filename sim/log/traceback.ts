// Python 3.12 tracebacks in the shapes of the real failure logs (vllm-logs 02, 03, 05, 08, 09).
// Frames are copied from those logs; paths are rebuilt for the emulated install (VIRTUAL_ENV if
// set, else the Docker image's /usr/local/lib/python3.12/dist-packages as in vllm-logs 07–10).
// Line numbers inside frames are the real ones where a log shows them; they change per release and
// nothing should match on them (vllm-runtime.md).

export interface Frame {
  /** Path relative to the install root: 'vllm/v1/engine/core.py', or '@stdlib/…', '@bin', '@raw:…'. */
  file: string;
  line: number;
  func: string;
  code?: string;
  /** Python 3.12 `^^^^` marker line under `code`, when the real traceback has one. */
  caret?: string;
}

export interface InstallPaths {
  sitePackages: string;
  stdlib: string;
  bin: string;
}

export function installPaths(env: NodeJS.ProcessEnv): InstallPaths {
  const venv = env.VIRTUAL_ENV;
  if (venv) return { sitePackages: `${venv}/lib/python3.12/site-packages`, stdlib: '/usr/lib/python3.12', bin: `${venv}/bin/vllm` };
  return { sitePackages: '/usr/local/lib/python3.12/dist-packages', stdlib: '/usr/lib/python3.12', bin: '/usr/local/bin/vllm' };
}

function resolve(paths: InstallPaths, file: string): string {
  if (file === '@bin') return paths.bin;
  if (file.startsWith('@stdlib/')) return `${paths.stdlib}/${file.slice(8)}`;
  if (file.startsWith('@raw:')) return file.slice(5);
  return `${paths.sitePackages}/${file}`;
}

/** Renders `Traceback (most recent call last):`, the frames and the final `Type: message` line. */
export function renderTraceback(
  paths: InstallPaths,
  frames: Frame[],
  exception: string,
  header = 'Traceback (most recent call last):',
): string[] {
  const out = [header];
  for (const f of frames) {
    out.push(`  File "${resolve(paths, f.file)}", line ${f.line}, in ${f.func}`);
    if (f.code !== undefined) out.push(`    ${f.code}`);
    if (f.caret !== undefined) out.push(`    ${f.caret}`);
  }
  out.push(exception);
  return out;
}

const caret = (indent: number, n: number) => ' '.repeat(indent) + '^'.repeat(n);

/** `vllm` entry point down to `run_server` — shared by every API-server traceback (vllm-logs 02, 03, 05, 08). */
export function apiServerPrefixFrames(): Frame[] {
  return [
    { file: '@bin', line: 7, func: '<module>', code: 'sys.exit(main())', caret: caret(9, 6) },
    { file: 'vllm/entrypoints/cli/main.py', line: 73, func: 'main', code: 'args.dispatch_function(args)' },
    { file: 'vllm/entrypoints/cli/serve.py', line: 60, func: 'cmd', code: 'uvloop.run(run_server(args))' },
    { file: 'uvloop/__init__.py', line: 96, func: 'run', code: 'return __asyncio.run(', caret: caret(7, 14) },
    { file: '@stdlib/asyncio/runners.py', line: 195, func: 'run', code: 'return runner.run(main)', caret: caret(7, 16) },
    { file: '@stdlib/asyncio/runners.py', line: 118, func: 'run', code: 'return self._loop.run_until_complete(task)', caret: caret(7, 35) },
    { file: '@raw:uvloop/loop.pyx', line: 1518, func: 'uvloop.loop.Loop.run_until_complete' },
    { file: 'uvloop/__init__.py', line: 48, func: 'wrapper', code: 'return await main', caret: caret(7, 10) },
  ];
}

/** API server: the engine process exited during startup (vllm-logs 02 v0.14 / 08 v0.13: no carets under `with`). */
export function engineInitFailedApiTraceback(paths: InstallPaths, v013 = false): string[] {
  const frames: Frame[] = [
    ...apiServerPrefixFrames(),
    {
      file: 'vllm/entrypoints/openai/api_server.py',
      line: 919,
      func: 'run_server',
      code: 'await run_server_worker(listen_address, sock, args, **uvicorn_kwargs)',
    },
    {
      file: 'vllm/entrypoints/openai/api_server.py',
      line: 938,
      func: 'run_server_worker',
      code: 'async with build_async_engine_client(',
      caret: caret(11, 26),
    },
    { file: '@stdlib/contextlib.py', line: 210, func: '__aenter__', code: 'return await anext(self.gen)', caret: caret(7, 21) },
    {
      file: 'vllm/entrypoints/openai/api_server.py',
      line: 146,
      func: 'build_async_engine_client',
      code: 'async with build_async_engine_client_from_engine_args(',
      caret: caret(11, 43),
    },
    { file: '@stdlib/contextlib.py', line: 210, func: '__aenter__', code: 'return await anext(self.gen)', caret: caret(7, 21) },
    {
      file: 'vllm/entrypoints/openai/api_server.py',
      line: 187,
      func: 'build_async_engine_client_from_engine_args',
      code: 'async_llm = AsyncLLM.from_vllm_config(',
      caret: caret(12, 26),
    },
    { file: 'vllm/v1/engine/async_llm.py', line: 202, func: 'from_vllm_config', code: 'return cls(', caret: caret(7, 4) },
    {
      file: 'vllm/v1/engine/async_llm.py',
      line: 129,
      func: '__init__',
      code: 'self.engine_core = EngineCoreClient.make_async_mp_client(',
      caret: caret(19, 38),
    },
    {
      file: 'vllm/v1/engine/core_client.py',
      line: 122,
      func: 'make_async_mp_client',
      code: 'return AsyncMPClient(*client_args)',
      caret: caret(7, 27),
    },
    { file: 'vllm/v1/engine/core_client.py', line: 819, func: '__init__', code: 'super().__init__(' },
    {
      file: 'vllm/v1/engine/core_client.py',
      line: 479,
      func: '__init__',
      code: 'with launch_core_engines(vllm_config, executor_class, log_stats) as (',
      caret: caret(5, 59),
    },
    { file: '@stdlib/contextlib.py', line: 144, func: '__exit__', code: 'next(self.gen)' },
    { file: 'vllm/v1/engine/utils.py', line: 918, func: 'launch_core_engines', code: 'wait_for_engine_startup(' },
    { file: 'vllm/v1/engine/utils.py', line: 977, func: 'wait_for_engine_startup', code: 'raise RuntimeError(' },
  ];
  if (v013) for (const f of frames) if (f.code?.startsWith('async with ') || f.code?.startsWith('with ')) delete f.caret;
  return renderTraceback(paths, frames, 'RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}');
}

/** API server: `--port` already taken; vLLM binds the socket before building the engine (vllm-runtime.md §7). */
export function portInUseTraceback(paths: InstallPaths): string[] {
  const frames: Frame[] = [
    ...apiServerPrefixFrames(),
    {
      file: 'vllm/entrypoints/openai/api_server.py',
      line: 1324,
      func: 'run_server',
      code: 'listen_address, sock = setup_server(args)',
      caret: caret(23, 18),
    },
    {
      file: 'vllm/entrypoints/openai/api_server.py',
      line: 1300,
      func: 'setup_server',
      code: 'sock = create_server_socket(sock_addr)',
      caret: caret(7, 31),
    },
    { file: 'vllm/entrypoints/openai/api_server.py', line: 1253, func: 'create_server_socket', code: 'sock.bind(addr)' },
  ];
  return renderTraceback(paths, frames, 'OSError: [Errno 98] Address already in use');
}

/** Top-level `vllm` validating the parsed args before `serve` decorates its output (vllm-logs 03). */
export function validateArgsTraceback(paths: InstallPaths, exception: string, raiseLine: string): string[] {
  const frames: Frame[] = [
    { file: '@bin', line: 7, func: '<module>', code: 'sys.exit(main())', caret: caret(9, 6) },
    { file: 'vllm/entrypoints/cli/main.py', line: 70, func: 'main', code: 'cmds[args.subparser].validate(args)' },
    { file: 'vllm/entrypoints/cli/serve.py', line: 63, func: 'validate', code: 'validate_parsed_serve_args(args)' },
    { file: 'vllm/entrypoints/openai/cli_args.py', line: 311, func: 'validate_parsed_serve_args', code: raiseLine },
  ];
  return renderTraceback(paths, frames, exception);
}

// ---- Engine core ------------------------------------------------------------------------------

/** Where inside the engine core's `__init__` a startup failure is raised. */
export type EngineFailSite = 'init_device' | 'load_model' | 'kv_cache_check' | 'cuda_graphs' | 'workers' | 'worker_rpc';

function engineFramesFor(site: EngineFailSite, tp: boolean, v013: boolean): Frame[] {
  const head: Frame[] = [
    v013
      ? {
          file: 'vllm/v1/engine/core.py',
          line: 857,
          func: 'run_engine_core',
          code: 'engine_core = EngineCoreProc(*args, **kwargs)',
          caret: caret(14, 31),
        }
      : {
          file: 'vllm/v1/engine/core.py',
          line: 926,
          func: 'run_engine_core',
          code: 'engine_core = EngineCoreProc(*args, engine_index=dp_rank, **kwargs)',
          caret: caret(14, 53),
        },
    { file: 'vllm/v1/engine/core.py', line: 691, func: '__init__', code: 'super().__init__(' },
  ];
  const executor: Frame[] = [
    {
      file: 'vllm/v1/engine/core.py',
      line: 105,
      func: '__init__',
      code: 'self.model_executor = executor_class(vllm_config)',
      caret: caret(22, 27),
    },
    { file: 'vllm/v1/executor/abstract.py', line: 101, func: '__init__', code: 'self._init_executor()' },
  ];
  const kvInit: Frame[] = [
    {
      file: 'vllm/v1/engine/core.py',
      line: 112,
      func: '__init__',
      code: 'num_gpu_blocks, num_cpu_blocks, kv_cache_config = self._initialize_kv_caches(',
      caret: caret(50, 27),
    },
  ];
  if (tp && (site === 'init_device' || site === 'load_model' || site === 'workers')) {
    return [
      ...head,
      ...executor,
      {
        file: 'vllm/v1/executor/multiproc_executor.py',
        line: 106,
        func: '_init_executor',
        code: 'self.workers = WorkerProc.wait_for_ready(unready_workers)',
        caret: caret(15, 42),
      },
      { file: 'vllm/v1/executor/multiproc_executor.py', line: 509, func: 'wait_for_ready', code: 'raise e from None' },
    ];
  }
  switch (site) {
    case 'init_device':
      return [
        ...head,
        ...executor,
        { file: 'vllm/v1/executor/uniproc_executor.py', line: 47, func: '_init_executor', code: 'self.driver_worker.init_device()' },
        { file: 'vllm/v1/worker/worker_base.py', line: 326, func: 'init_device', code: 'self.worker.init_device()  # type: ignore' },
        { file: 'vllm/v1/worker/gpu_worker.py', line: 240, func: 'init_device', code: 'raise ValueError(' },
      ];
    case 'load_model':
    case 'workers':
      return [
        ...head,
        ...executor,
        { file: 'vllm/v1/executor/uniproc_executor.py', line: 48, func: '_init_executor', code: 'self.driver_worker.load_model()' },
        {
          file: 'vllm/v1/worker/gpu_worker.py',
          line: 289,
          func: 'load_model',
          code: 'self.model_runner.load_model(eep_scale_up=eep_scale_up)',
        },
        {
          file: 'vllm/v1/worker/gpu_model_runner.py',
          line: 3803,
          func: 'load_model',
          code: 'self.model = model_loader.load_model(',
          caret: caret(13, 24),
        },
        {
          file: 'vllm/model_executor/model_loader/base_loader.py',
          line: 55,
          func: 'load_model',
          code: 'self.load_weights(model, model_config)',
        },
        {
          file: 'vllm/model_executor/model_loader/default_loader.py',
          line: 300,
          func: 'load_weights',
          code: 'loaded_weights = model.load_weights(',
          caret: caret(17, 18),
        },
        {
          file: 'vllm/model_executor/models/utils.py',
          line: 332,
          func: 'load_weights',
          code: 'autoloaded_weights = set(self._load_module("", self.module, weights))',
          caret: caret(29, 45),
        },
        {
          file: 'vllm/model_executor/model_loader/weight_utils.py',
          line: 690,
          func: 'safetensors_weights_iterator',
          code: 'param = f.get_tensor(name)',
          caret: caret(8, 18),
        },
      ];
    case 'kv_cache_check':
      return [
        ...head,
        ...kvInit,
        {
          file: 'vllm/v1/engine/core.py',
          line: 248,
          func: '_initialize_kv_caches',
          code: 'kv_cache_configs = get_kv_cache_configs(',
          caret: caret(19, 21),
        },
        { file: 'vllm/v1/core/kv_cache_utils.py', line: 1340, func: 'get_kv_cache_configs', code: 'check_enough_kv_cache_memory(' },
        { file: 'vllm/v1/core/kv_cache_utils.py', line: 687, func: 'check_enough_kv_cache_memory', code: 'raise ValueError(' },
      ];
    case 'worker_rpc':
      // A TP worker raised inside a collective RPC (vllm-logs 02).
      return [
        ...head,
        ...kvInit,
        {
          file: 'vllm/v1/engine/core.py',
          line: 262,
          func: '_initialize_kv_caches',
          code: 'self.model_executor.initialize_from_config(kv_cache_configs)',
        },
        {
          file: 'vllm/v1/executor/abstract.py',
          line: 116,
          func: 'initialize_from_config',
          code: 'self.collective_rpc("compile_or_warm_up_model")',
        },
        {
          file: 'vllm/v1/executor/multiproc_executor.py',
          line: 374,
          func: 'collective_rpc',
          code: 'return aggregate(get_response())',
          caret: caret(22, 14),
        },
        { file: 'vllm/v1/executor/multiproc_executor.py', line: 357, func: 'get_response', code: 'raise RuntimeError(' },
      ];
    case 'cuda_graphs':
      return [
        ...head,
        ...kvInit,
        {
          file: 'vllm/v1/engine/core.py',
          line: 262,
          func: '_initialize_kv_caches',
          code: 'self.model_executor.initialize_from_config(kv_cache_configs)',
        },
        {
          file: 'vllm/v1/executor/abstract.py',
          line: 116,
          func: 'initialize_from_config',
          code: 'self.collective_rpc("compile_or_warm_up_model")',
        },
        {
          file: 'vllm/v1/executor/uniproc_executor.py',
          line: 75,
          func: 'collective_rpc',
          code: 'result = run_method(self.driver_worker, method, args, kwargs)',
          caret: caret(13, 48),
        },
        {
          file: 'vllm/v1/worker/gpu_worker.py',
          line: 463,
          func: 'compile_or_warm_up_model',
          code: 'cuda_graph_memory_bytes = self.model_runner.capture_model()',
          caret: caret(30, 32),
        },
        {
          file: 'vllm/v1/worker/gpu_model_runner.py',
          line: 4671,
          func: 'capture_model',
          code: 'cudagraph_mode = self.compilation_config.resolve_cudagraph_mode_and_sizes(',
          caret: caret(21, 52),
        },
        { file: 'vllm/config/compilation.py', line: 1513, func: 'resolve_cudagraph_mode_and_sizes', code: 'raise ValueError(' },
      ];
  }
}

/** `ERROR … [core.py:N] EngineCore failed to start.` + traceback (logger.exception) — returned as message lines. */
export function engineFailedLoggedLines(paths: InstallPaths, site: EngineFailSite, tp: boolean, exception: string, v013 = false): string[] {
  return ['EngineCore failed to start.', ...renderTraceback(paths, engineFramesFor(site, tp, v013), exception)];
}

/** `Process EngineCore_DP0:` + the multiprocessing traceback printed to stderr when the process dies. */
export function engineProcessDiedLines(
  paths: InstallPaths,
  procName: string,
  site: EngineFailSite,
  tp: boolean,
  exception: string,
  v013 = false,
): string[] {
  const frames: Frame[] = [
    { file: '@stdlib/multiprocessing/process.py', line: 314, func: '_bootstrap', code: 'self.run()' },
    { file: '@stdlib/multiprocessing/process.py', line: 108, func: 'run', code: 'self._target(*self._args, **self._kwargs)' },
    { file: 'vllm/v1/engine/core.py', line: 939, func: 'run_engine_core', code: 'raise e' },
    ...engineFramesFor(site, tp, v013),
  ];
  return [`Process ${procName}:`, ...renderTraceback(paths, frames, exception)];
}

/** A TP worker's `WorkerProc failed to start.` traceback (logger.exception in worker_main). */
export function workerFailedLines(paths: InstallPaths, site: 'init_device' | 'load_model', exception: string): string[] {
  const frames: Frame[] = [
    {
      file: 'vllm/v1/executor/multiproc_executor.py',
      line: 722,
      func: 'worker_main',
      code: 'worker = WorkerProc(*args, **kwargs)',
      caret: caret(9, 27),
    },
    site === 'init_device'
      ? { file: 'vllm/v1/executor/multiproc_executor.py', line: 553, func: '__init__', code: 'self.worker.init_device()' }
      : { file: 'vllm/v1/executor/multiproc_executor.py', line: 560, func: '__init__', code: 'self.worker.load_model()' },
    ...(site === 'init_device'
      ? [{ file: 'vllm/v1/worker/gpu_worker.py', line: 240, func: 'init_device', code: 'raise ValueError(' }]
      : [
          {
            file: 'vllm/v1/worker/gpu_worker.py',
            line: 289,
            func: 'load_model',
            code: 'self.model_runner.load_model(eep_scale_up=eep_scale_up)',
          },
          {
            file: 'vllm/v1/worker/gpu_model_runner.py',
            line: 3803,
            func: 'load_model',
            code: 'self.model = model_loader.load_model(',
            caret: caret(13, 24),
          },
          {
            file: 'vllm/model_executor/model_loader/weight_utils.py',
            line: 690,
            func: 'safetensors_weights_iterator',
            code: 'param = f.get_tensor(name)',
            caret: caret(8, 18),
          },
        ]),
  ];
  return ['WorkerProc failed to start.', ...renderTraceback(paths, frames, exception)];
}

/** A TP worker's exception inside an RPC (`WorkerProc hit an exception.`, vllm-logs 02). */
export function workerRpcFailedLines(paths: InstallPaths, exception: string): string[] {
  const frames: Frame[] = [
    {
      file: 'vllm/v1/executor/multiproc_executor.py',
      line: 834,
      func: 'worker_busy_loop',
      code: 'output = func(*args, **kwargs)',
      caret: caret(13, 21),
    },
    { file: 'torch/utils/_contextlib.py', line: 120, func: 'decorate_context', code: 'return func(*args, **kwargs)', caret: caret(11, 21) },
    {
      file: 'vllm/v1/worker/gpu_worker.py',
      line: 463,
      func: 'compile_or_warm_up_model',
      code: 'cuda_graph_memory_bytes = self.model_runner.capture_model()',
      caret: caret(30, 32),
    },
    {
      file: 'vllm/v1/worker/gpu_model_runner.py',
      line: 4671,
      func: 'capture_model',
      code: 'cudagraph_mode = self.compilation_config.resolve_cudagraph_mode_and_sizes(',
      caret: caret(21, 52),
    },
    { file: 'vllm/config/compilation.py', line: 1513, func: 'resolve_cudagraph_mode_and_sizes', code: 'raise ValueError(' },
  ];
  return ['WorkerProc hit an exception.', ...renderTraceback(paths, frames, exception), ''];
}

/** The multiprocessing resource tracker's noise after an engine death (vllm-logs 04), unprefixed, stderr. */
export function resourceTrackerNoise(paths: InstallPaths, names: string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    out.push(
      ...renderTraceback(
        paths,
        [{ file: '@stdlib/multiprocessing/resource_tracker.py', line: 264, func: 'main', code: 'cache[rtype].remove(name)' }],
        `KeyError: '${name}'`,
      ),
    );
  }
  return out;
}
