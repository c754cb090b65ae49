// `vllm serve` — the APIServer process: parse and validate the command line, print the start-up
// log in vLLM's order (vllm-runtime.md §2), bind the port before anything heavy (§7), spawn the
// EngineCore process(es), serve HTTP once they are ready, shut down on SIGINT/SIGTERM (§6), and
// follow an engine death with the real "died unexpectedly" path (vllm-logs 04).
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { parseServeArgs } from '../../app/launch/argv';
import { getCatalog } from '../../app/launch/catalog';
import { renderHelp } from '../../app/launch/help-render';
import type { FlagValue } from '../../app/launch/types';
import { defaultModel, serveErrorText, unrecognizedText } from '../cli/argv';
import { buildConfig, type HangPhase, readSwitches, type SimConfig } from '../config';
import { parseGpus } from '../gpu';
import {
  apiServerPrefixFrames,
  engineInitFailedApiTraceback,
  installPaths,
  portInUseTraceback,
  renderTraceback,
  resourceTrackerNoise,
  validateArgsTraceback,
} from '../log/traceback';
import { ProcLog, wantColor } from '../log/writer';
import { loadGeometry, type SimMemoryPlan, simPlan } from '../memory';
import { exitAfterFlush, hangForever, pause } from '../proc/common';
import type { EngineInit } from '../proc/protocol';
import { type VersionTraits, versionTraits } from '../version';
import { EngineClient, type EngineHandle } from './engine-client';
import { ROUTES, SimHttp } from './http';
import { VllmMetrics } from './vllm-metrics';

/** Tool-call parsers of vLLM 0.14 (vllm-logs 03); 0.13 lacks functiongemma and glm47 (vllm-logs 05). */
const TOOL_PARSERS_014 =
  'deepseek_v3,deepseek_v31,deepseek_v32,ernie45,functiongemma,gigachat3,glm45,glm47,granite,granite-20b-fc,hermes,hunyuan_a13b,internlm,jamba,kimi_k2,llama3_json,llama4_json,llama4_pythonic,longcat,minimax,minimax_m2,mistral,olmo3,openai,phi4_mini_json,pythonic,qwen3_coder,qwen3_xml,seed_oss,step3,xlam'.split(
    ',',
  );
const TOOL_PARSERS_013 = TOOL_PARSERS_014.filter((p) => p !== 'functiongemma' && p !== 'glm47');

const BANNER = ['       █     █     █▄   ▄█', ' ▄▄ ▄█ █     █     █ ▀▄▀ █', '  █▄█▀ █     █     █     █', '   ▀▀  ▀▀▀▀▀ ▀▀▀▀▀ ▀     ▀'];

/** Python repr of a parsed flag value, as in "non-default args: {…}". */
function pyValue(v: FlagValue, kind: string | undefined): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return kind === 'float' && Number.isInteger(v) ? `${v}.0` : String(v);
  if (Array.isArray(v)) return `[${v.map((x) => `'${x}'`).join(', ')}]`;
  if (kind === 'json') {
    try {
      return pyJson(JSON.parse(v));
    } catch {
      return `'${v}'`;
    }
  }
  return `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function pyJson(v: unknown): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `'${k}': ${pyJson(x)}`)
    .join(', ')}}`;
}

/** "non-default args: {…}": model_tag, the top-level and frontend flags, model, then the rest, in the parser's order. */
export function nonDefaultArgs(version: string, modelTag: string | null, model: string, values: Record<string, FlagValue>): string {
  const catalog = getCatalog(version);
  const entries: string[] = [];
  if (modelTag !== null) entries.push(`'model_tag': '${modelTag}'`);
  const specs = catalog.all();
  const given = (name: string) => Object.hasOwn(values, name) && name !== 'model';
  const fmt = (name: string) => {
    const spec = catalog.get(name);
    const key = name.replaceAll('-', '_').replaceAll('.', '_');
    const v = values[name] as FlagValue;
    const shown = name === 'api-key' ? "['__REDACTED__']" : pyValue(v, spec?.kind);
    return `'${key}': ${shown}`;
  };
  const front = specs.filter((s) => (s.group === 'options' || s.group === 'Frontend') && given(s.name));
  for (const s of front) entries.push(fmt(s.name));
  entries.push(`'model': '${model}'`);
  for (const s of specs) if (s.group !== 'options' && s.group !== 'Frontend' && given(s.name)) entries.push(fmt(s.name));
  for (const k of Object.keys(values)) if (k.includes('.') && !k.startsWith('model.')) entries.push(fmt(k));
  return `{${entries.join(', ')}}`;
}

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Runs `vllm serve …`; resolves only for early exits (help, errors): a started server exits by itself. */
export async function runServe(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io = process): Promise<number | undefined> {
  let traits: VersionTraits;
  try {
    traits = versionTraits(env.VLLM_SIM_VERSION);
  } catch (err) {
    io.stderr.write(`vllm-sim: ${(err as Error).message}\n`);
    return 2;
  }
  const catalog = getCatalog(traits.version);
  const parsed = parseServeArgs(argv, catalog);
  if (parsed.help !== undefined) {
    io.stdout.write(renderHelp(catalog, parsed.help, { columns: Number(env.COLUMNS) || 80 }));
    return 0;
  }
  if (parsed.errors.length > 0) {
    io.stderr.write(serveErrorText(parsed.errors[0]!.message));
    return 2;
  }
  if (parsed.unrecognized.length > 0) {
    io.stderr.write(unrecognizedText(traits.subcommands, parsed.unrecognized));
    return 2;
  }
  const gpusR = parseGpus(env);
  if (!gpusR.ok) {
    io.stderr.write(`vllm-sim: ${gpusR.message}\n`);
    return 2;
  }
  const switches = readSwitches(env);
  const paths = installPaths(env);
  const model = parsed.model ?? defaultModel(traits.version);
  const values = parsed.values;
  const bare = new ProcLog({ pid: process.pid, color: false, stdout: io.stdout, stderr: io.stderr });
  if (parsed.modelFromOption) {
    bare.warn(
      'argparse_utils.py:193',
      'With `vllm serve`, you should provide the model as a positional argument or in a config file instead of via the `--model` option. The `--model` option will be removed in a future version.',
    );
  }
  for (const d of parsed.duplicates) bare.warn('argparse_utils.py:342', `Found duplicate keys ${d}`);

  // `vllm` validates the parsed args before `serve` decorates its output (vllm-logs 03).
  if (values['enable-auto-tool-choice'] === true && !values['tool-call-parser']) {
    const msg = 'Error: --enable-auto-tool-choice requires --tool-call-parser';
    io.stderr.write(`${validateArgsTraceback(paths, `TypeError: ${msg}`, `raise TypeError("${msg}")`).join('\n')}\n`);
    return 1;
  }
  if (values['enable-log-outputs'] === true && values['enable-log-requests'] !== true) {
    const msg = 'Error: --enable-log-outputs requires --enable-log-requests';
    io.stderr.write(`${validateArgsTraceback(paths, `TypeError: ${msg}`, `raise TypeError("${msg}")`).join('\n')}\n`);
    return 1;
  }

  const log = new ProcLog({ name: 'APIServer', pid: process.pid, color: wantColor(env), stdout: io.stdout, stderr: io.stderr });
  const L = traits.lines;
  const at = (file: string, key: string) => `${file}:${L[key] ?? 1}`;
  const speed = switches.speed;
  const hang = async (phase: HangPhase) => {
    if (switches.hangAt === phase) await hangForever();
  };
  const crash = (lines: string[]) => {
    log.raw('err', `${lines.join('\n')}\n`);
    return 1;
  };

  if (traits.banner) {
    const site = `${traits.apiUtilsFile}:${L.banner}`;
    log.info(site, '');
    log.info(site, BANNER[0]!);
    log.info(site, `${BANNER[1]}  version ${traits.version}`);
    log.info(site, `${BANNER[2]}  model   ${model}`);
    log.info(site, BANNER[3]!);
    log.info(site, '');
  } else {
    log.info(at('api_server.py', 'api_server_version'), `vLLM API server version ${traits.version}`);
  }
  log.info(
    `${traits.apiUtilsFile}:${L.utils_args}`,
    `non-default args: ${nonDefaultArgs(traits.version, parsed.modelFromOption ? null : parsed.model, model, values)}`,
  );
  if (values['trust-remote-code'] === true)
    log.raw('err', 'The argument `trust_remote_code` is to be used with Auto classes. It has no effect here and is ignored.\n');
  await hang('args');

  // validate_api_server_args (vllm-logs 03/05): unknown tool-call parser.
  const toolParser = typeof values['tool-call-parser'] === 'string' ? (values['tool-call-parser'] as string) : null;
  const known = traits.minor >= 14 || traits.major > 0 ? TOOL_PARSERS_014 : TOOL_PARSERS_013;
  if (toolParser && !values['tool-parser-plugin'] && !known.includes(toolParser)) {
    return crash(
      renderTraceback(
        paths,
        [
          ...apiServerPrefixFrames(),
          {
            file: 'vllm/entrypoints/openai/api_server.py',
            line: 1324,
            func: 'run_server',
            code: 'listen_address, sock = setup_server(args)',
            caret: `${' '.repeat(23)}${'^'.repeat(18)}`,
          },
          { file: 'vllm/entrypoints/openai/api_server.py', line: 1287, func: 'setup_server', code: 'validate_api_server_args(args)' },
          { file: 'vllm/entrypoints/openai/api_server.py', line: 1259, func: 'validate_api_server_args', code: 'raise KeyError(' },
        ],
        `KeyError: 'invalid tool call parser: ${toolParser} (chose from { ${known.join(',')} })'`,
      ),
    );
  }

  // Bind the port first ("bind the port before the engine is set up", vllm-runtime.md §7).
  const sockets = new Set<Socket>();
  let ready = false;
  let http: SimHttp | undefined;
  const server: Server = createServer((req, res) => {
    if (!ready || !http) {
      req.socket.destroy();
      return;
    }
    http.handle(req, res);
  });
  server.keepAliveTimeout = 5000; // uvicorn's timeout_keep_alive
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    if (!ready) s.destroy();
  });
  const port = typeof values.port === 'number' ? values.port : 8000;
  const host = typeof values.host === 'string' && values.host !== '' ? values.host : undefined;
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ port, host }, () => resolve(true));
  });
  if (!bound) return crash(portInUseTraceback(paths));

  const geometry = await loadGeometry(model, env);
  const gpus = gpusR.gpus;
  const tp = typeof values['tensor-parallel-size'] === 'number' ? (values['tensor-parallel-size'] as number) : 1;
  const dp = typeof values['data-parallel-size'] === 'number' ? (values['data-parallel-size'] as number) : 1;
  const configFrames = [
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
      caret: `${' '.repeat(11)}${'^'.repeat(26)}`,
    },
    {
      file: 'vllm/engine/arg_utils.py',
      line: 1345,
      func: 'create_engine_config',
      code: 'model_config = self.create_model_config()',
      caret: `${' '.repeat(15)}${'^'.repeat(26)}`,
    },
  ];
  if (gpus.length < tp * dp) {
    server.close();
    return crash(
      renderTraceback(
        paths,
        configFrames,
        gpus.length === 0
          ? 'RuntimeError: No CUDA GPUs are available'
          : `ValueError: World size (${tp * dp}) is larger than the number of available GPUs (${gpus.length}) in this node. If this is intentional and you are using:\n- ray, set '--distributed-executor-backend ray'.\n- multiprocessing, set '--distributed-executor-backend mp'.`,
      ),
    );
  }
  const plans: SimMemoryPlan[] = [];
  for (let r = 0; r < dp; r++)
    plans.push(simPlan({ geometry, gpus: gpus.slice(r * tp, r * tp + tp), flags: values, version: traits.version }));
  const plan = plans[0]!;
  if (
    typeof values['max-model-len'] === 'number' &&
    geometry.maxPositionEmbeddings &&
    plan.maxModelLen > geometry.maxPositionEmbeddings &&
    env.VLLM_ALLOW_LONG_MAX_MODEL_LEN !== '1'
  ) {
    server.close();
    return crash(
      renderTraceback(
        paths,
        configFrames,
        `ValueError: User-specified max_model_len (${plan.maxModelLen}) is greater than the derived max_model_len (max_position_embeddings=${geometry.maxPositionEmbeddings} or model_max_length=None in model's config.json). To allow overriding this maximum, set the env var VLLM_ALLOW_LONG_MAX_MODEL_LEN=1. VLLM_ALLOW_LONG_MAX_MODEL_LEN must be used with extreme caution. If the model uses relative position encoding (RoPE), positions exceeding derived_max_model_len lead to nan. If the model uses absolute position encoding, positions exceeding derived_max_model_len will cause a CUDA array out-of-bounds error.`,
      ),
    );
  }

  await pause(0.15, speed);
  log.info(at('model.py', 'model_arch'), `Resolved architecture: ${plan.architecture}`);
  log.info(at('model.py', 'model_len'), `Using max model len ${plan.maxModelLen}`);
  if (plan.kvCacheDtype.startsWith('fp8')) {
    log.info(
      at('cache.py', 'cache_fp8'),
      'Using fp8 data type to store kv cache. It reduces the GPU memory footprint and boosts the performance. Meanwhile, it may cause accuracy drop without a proper scaling factor.',
    );
  }
  const cfg: SimConfig = buildConfig({ model, values }, traits.version, gpus, env);
  cfg.switches = switches;
  cfg.paths = paths;
  if (cfg.chunkedPrefill)
    log.info(
      at('scheduler.py', 'scheduler_chunked'),
      `Chunked prefill is enabled with max_num_batched_tokens=${plan.maxNumBatchedTokens}.`,
    );
  if (plan.hybrid) {
    if (plan.logLines.mambaSsmDtype) log.info(at('config.py', 'config_mamba_dtype'), plan.logLines.mambaSsmDtype);
    log.info(at('config.py', 'config_cascade'), 'Disabling cascade attention since it is not supported for hybrid models.');
    if (plan.logLines.blockSize) log.info(at('config.py', 'config_block'), plan.logLines.blockSize);
    if (plan.logLines.mambaPadding) log.info(at('config.py', 'config_pad'), plan.logLines.mambaPadding);
  }
  if (traits.asyncSchedulingLine) {
    log.info(at('vllm.py', 'vllm_async'), 'Asynchronous scheduling is enabled.');
    log.info(at('vllm.py', 'vllm_nccl'), 'Disabling NCCL for DP synchronization when using async scheduling.');
  }
  if (cfg.enforceEager) {
    log.warn('vllm.py:653', 'Enforce eager set, overriding optimization level to -O0');
    log.info('vllm.py:753', 'Cudagraph is disabled under eager mode');
  }
  await pause(0.2, speed);
  await hang('engine-start');

  // Engines.
  const startedAt = Date.now();
  const metrics = new VllmMetrics({
    modelName: cfg.modelName,
    engines: dp,
    maxModelLen: plan.maxModelLen,
    startTimeS: startedAt / 1000,
    cacheConfig: {
      block_size: String(plan.blockSize),
      cache_dtype: plan.kvCacheDtype,
      calculate_kv_scales: 'False',
      enable_prefix_caching: plan.prefixCaching ? 'True' : 'False',
      gpu_memory_utilization: String(plan.gpuMemoryUtilization),
      is_attention_free: 'False',
      kv_sharing_fast_prefill: 'False',
      mamba_cache_dtype: 'auto',
      mamba_ssm_cache_dtype: plan.mambaSsmCacheDtype ?? 'auto',
      num_cpu_blocks: 'None',
      num_gpu_blocks: String(plan.numGpuBlocks),
      num_gpu_blocks_override: 'None',
      prefix_caching_hash_algo: 'sha256',
      sliding_window: 'None',
    },
  });
  let stopping = false;
  let engineDead = false;
  let startupFailed = false;
  const client = new EngineClient(metrics, {
    onExit: (e: EngineHandle, code, signal) => {
      if (stopping) return;
      if (!ready) {
        if (startupFailed) return;
        startupFailed = true;
        for (const other of client.engines) if (other !== e && other.alive) other.child.kill('SIGTERM');
        // Let the engine's last stderr lines land first (separate pipes, same reader).
        setTimeout(() => {
          log.raw('err', `${engineInitFailedApiTraceback(paths, traits.major === 0 && traits.minor < 14).join('\n')}\n`);
          server.close();
          exitAfterFlush(1);
        }, 50);
        return;
      }
      if (engineDead) return;
      engineDead = true;
      const name = traits.engineCoreName(e.dpRank);
      log.error(at('core_client.py', 'core_client_died'), `Engine core proc ${name} died unexpectedly, shutting down client.`);
      client.failAll('EngineCore encountered an issue. See stack trace (above) for the root cause.', traits.nestedErrorBody);
      void signal;
      void code;
      // The API server shuts its client down and exits (unless VLLM_KEEP_ALIVE_ON_ENGINE_DEATH);
      // /health answers 503 meanwhile. The resource tracker then complains about leaked segments.
      if (env.VLLM_KEEP_ALIVE_ON_ENGINE_DEATH === '1') return;
      const linger = Math.min(2000, Math.max(300, 2000 / speed));
      setTimeout(() => {
        const hex = () =>
          Math.floor(Math.random() * 0xffffffff)
            .toString(16)
            .padStart(8, '0');
        process.stderr.write(`${resourceTrackerNoise(paths, [`/psm_${hex()}`, `/psm_${hex()}`, `/mp-${hex().slice(0, 8)}`]).join('\n')}\n`);
        for (const other of client.engines) if (other.alive) other.child.kill('SIGTERM');
        for (const s of sockets) s.destroy();
        server.close();
        exitAfterFlush(1);
      }, linger);
    },
  });

  const shutdown = (code: number) => {
    if (stopping) return;
    stopping = true;
    if (ready) {
      log.info(`launcher.py:${L.launcher_shutdown}`, 'Shutting down FastAPI HTTP server.');
      if (!['warning', 'error', 'critical'].includes(cfg.uvicornLogLevel)) log.uvicorn('Shutting down');
    }
    ready = false;
    server.close();
    for (const req of [...client.requests.values()]) client.abort(req);
    for (const s of sockets) s.destroy();
    if (!['warning', 'error', 'critical'].includes(cfg.uvicornLogLevel) && http) {
      log.uvicorn('Waiting for application shutdown.');
      log.uvicorn('Application shutdown complete.');
    }
    client.shutdownEngines();
    // vLLM's engine manager waits for its processes, then kills what is left (5 s).
    const deadline = Date.now() + 5000;
    const wait = setInterval(() => {
      const left = client.engines.filter((e) => e.alive);
      if (left.length === 0 || Date.now() > deadline) {
        clearInterval(wait);
        for (const e of left) e.child.kill('SIGKILL');
        exitAfterFlush(code);
      }
    }, 20);
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (sig === 'SIGTERM' && switches.ignoreSigterm) return;
      shutdown(0);
    });
  }

  const inits: EngineInit[] = plans.map((p, r) => ({
    t: 'init',
    cfg,
    plan: p,
    dpRank: r,
    gpuIndices: Array.from({ length: tp }, (_, k) => r * tp + k),
  }));
  await client.start(inits);
  if (startupFailed || stopping) return hangForever();

  // API server, after the engines (vllm-logs 07/10).
  log.info(at('api_server.py', 'api_tasks'), "Supported tasks: ['generate']");
  if (!cfg.generationConfigVllm && plan.hybrid) {
    log.warn(
      at('model.py', 'model_gen_cfg'),
      "Default sampling parameters have been overridden by the model's Hugging Face generation config recommended from the model creator. If this is not intended, please relaunch vLLM instance with `--generation-config vllm`.",
    );
    const params = "{'top_p': 0.95}";
    log.info(at('serving_responses.py', 'serving_responses'), `Using default chat sampling params from model: ${params}`);
    log.info(at('serving_chat.py', 'serving_chat'), `Using default chat sampling params from model: ${params}`);
    log.info(at('serving_completion.py', 'serving_completion'), `Using default completion sampling params from model: ${params}`);
  }
  await pause(0.1, speed);
  await hang('api-start');
  const shownHost = host ?? '0.0.0.0';
  log.info(
    at('api_server.py', 'api_starting'),
    `Starting vLLM API server 0 on http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`,
  );
  log.info(at('launcher.py', 'launcher_routes'), 'Available routes are:');
  for (const [route, methods] of ROUTES) {
    if (!cfg.docs && ['/openapi.json', '/docs', '/docs/oauth2-redirect', '/redoc'].includes(route)) continue;
    // A Python set: the order of "GET, HEAD" varies between builds (0.13 logs GET first, 0.14 HEAD first).
    const shown = methods === 'GET, HEAD' && (traits.minor >= 14 || traits.major > 0) ? 'HEAD, GET' : methods;
    log.info(at('launcher.py', 'launcher_route'), `Route: ${route}, Methods: ${shown}`);
  }
  const uvicornInfo = !['warning', 'error', 'critical'].includes(cfg.uvicornLogLevel);
  if (uvicornInfo) {
    log.uvicorn(`Started server process [${process.pid}]`);
    log.uvicorn('Waiting for application startup.');
  }
  await hang('startup');
  http = new SimHttp({ cfg, traits, plan, log, client, metrics, startedAt, healthy: () => !engineDead && !stopping });
  ready = true;
  if (uvicornInfo) log.uvicorn('Application startup complete.');

  // Periodic stats line (LoggingStatLogger), unless --disable-log-stats.
  if (!cfg.disableLogStats) {
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      const lines = client.statsLines((now - last) / 1000);
      last = now;
      for (const line of lines) log.info(at('loggers.py', 'loggers'), line);
    }, switches.statsIntervalS * 1000);
  }
  if (switches.logFlood > 0) startLogFlood(log, switches.logFlood);
  return undefined;
}

/** VLLM_SIM_LOG_FLOOD: access-log-shaped lines at a fixed rate, written in batches. */
function startLogFlood(log: ProcLog, perSecond: number): void {
  let owed = 0;
  let last = performance.now();
  let n = 0;
  setInterval(() => {
    const now = performance.now();
    owed += ((now - last) / 1000) * perSecond;
    last = now;
    const count = Math.floor(owed);
    if (count <= 0) return;
    owed -= count;
    let batch = '';
    for (let i = 0; i < count; i++) batch += `INFO:     127.0.0.1:${40000 + (n++ % 20000)} - "GET /metrics HTTP/1.1" 200 OK\n`;
    log.raw('out', batch);
  }, 10);
}

export { readSwitches };
