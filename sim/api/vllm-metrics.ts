// vLLM V1's /metrics families (vllm-metrics.md §2, v0.12-line PrometheusStatLogger), fed by the
// API server from what it actually served, so counters match the tokens sent to clients:
// prompt tokens are counted when a request's first token is processed, generation tokens per
// output processed (outputs after a stop string or an abort are dropped, as vLLM's output
// processor drops them). Label sets: {engine, model_name} (+ finished_reason), one per DP engine.
// HELP texts follow vLLM's source wording where known; panels must key on names, not HELP.
import { type Counter, type Gauge, type Histogram, Registry } from './prometheus';

export const TTFT_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0,
];
export const ITL_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];
export const LAT_BUCKETS = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0,
];
export const ITER_BUCKETS = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];
export const N_BUCKETS = [1, 2, 5, 10, 20];

/** vLLM's build_1_2_5_buckets: 1, 2, 5, 10, 20, 50, … while ≤ max. */
export function buckets125(max: number): number[] {
  const out: number[] = [];
  for (let exp = 0; ; exp++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** exp;
      if (v > max) return out;
      out.push(v);
    }
  }
}

export interface FinishTimings {
  /** Seconds (engine clock) — arrival at the engine, first scheduled, first token, finished. */
  arrival: number;
  firstScheduled: number;
  firstToken: number;
  finished: number;
}

export interface EngineSeries {
  running: Gauge;
  waiting: Gauge;
  kvUsage: Gauge;
  prefixQueries: Counter;
  prefixHits: Counter;
  preemptions: Counter;
  promptTokens: Counter;
  generationTokens: Counter;
  success: Record<'stop' | 'length' | 'abort', Counter>;
  reqPromptTokens: Histogram;
  reqGenTokens: Histogram;
  iterationTokens: Histogram;
  reqMaxGen: Histogram;
  paramsN: Histogram;
  paramsMaxTokens: Histogram;
  ttft: Histogram;
  itl: Histogram;
  tpot: Histogram;
  e2e: Histogram;
  queue: Histogram;
  inference: Histogram;
  prefill: Histogram;
  decode: Histogram;
}

export interface MetricsOptions {
  modelName: string;
  engines: number;
  maxModelLen: number;
  /** Labels of vllm:cache_config_info (CacheConfig fields as strings), without `engine`. */
  cacheConfig: Record<string, string>;
  startTimeS: number;
  now?: () => number;
}

export class VllmMetrics {
  readonly registry: Registry;
  readonly engines: EngineSeries[] = [];
  private readonly process: { start: Gauge; cpu: Counter; rss: Gauge; vms: Gauge; fds: Gauge; maxFds: Gauge } | undefined;

  constructor(opts: MetricsOptions) {
    const r = new Registry(opts.now);
    this.registry = r;
    // prometheus_client's default collectors come first in a real dump.
    r.gauge('python_info', 'Python platform information', {
      implementation: 'CPython',
      major: '3',
      minor: '12',
      patchlevel: '3',
      version: '3.12.3',
    }).set(1);
    this.process = {
      vms: r.gauge('process_virtual_memory_bytes', 'Virtual memory size in bytes.', {}),
      rss: r.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', {}),
      start: r.gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', {}),
      cpu: r.counter('process_cpu_seconds', 'Total user and system CPU time spent in seconds.', {}, false),
      fds: r.gauge('process_open_fds', 'Number of open file descriptors.', {}),
      maxFds: r.gauge('process_max_fds', 'Maximum number of open file descriptors.', {}),
    };
    this.process.start.set(opts.startTimeS);
    this.process.maxFds.set(1048576);
    const gen125 = buckets125(opts.maxModelLen);
    for (let e = 0; e < opts.engines; e++) {
      const l = { model_name: opts.modelName, engine: String(e) };
      const h = (name: string, help: string, b: readonly number[]) => r.histogram(name, help, l, b);
      this.engines.push({
        running: r.gauge('vllm:num_requests_running', 'Number of requests in model execution batches.', l),
        waiting: r.gauge('vllm:num_requests_waiting', 'Number of requests waiting to be processed.', l),
        kvUsage: r.gauge('vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', l),
        prefixQueries: r.counter('vllm:prefix_cache_queries', 'Prefix cache queries, in terms of number of queried tokens.', l),
        prefixHits: r.counter('vllm:prefix_cache_hits', 'Prefix cache hits, in terms of number of cached tokens.', l),
        preemptions: r.counter('vllm:num_preemptions', 'Cumulative number of preemption from the engine.', l),
        promptTokens: r.counter('vllm:prompt_tokens', 'Number of prefill tokens processed.', l),
        generationTokens: r.counter('vllm:generation_tokens', 'Number of generation tokens processed.', l),
        success: {
          stop: r.counter('vllm:request_success', 'Count of successfully processed requests.', { ...l, finished_reason: 'stop' }),
          length: r.counter('vllm:request_success', 'Count of successfully processed requests.', { ...l, finished_reason: 'length' }),
          abort: r.counter('vllm:request_success', 'Count of successfully processed requests.', { ...l, finished_reason: 'abort' }),
        },
        reqPromptTokens: h('vllm:request_prompt_tokens', 'Number of prefill tokens processed.', gen125),
        reqGenTokens: h('vllm:request_generation_tokens', 'Number of generation tokens processed.', gen125),
        iterationTokens: h('vllm:iteration_tokens_total', 'Histogram of number of tokens per engine_step.', ITER_BUCKETS),
        reqMaxGen: h('vllm:request_max_num_generation_tokens', 'Histogram of maximum number of requested generation tokens.', gen125),
        paramsN: h('vllm:request_params_n', 'Histogram of the n request parameter.', N_BUCKETS),
        paramsMaxTokens: h('vllm:request_params_max_tokens', 'Histogram of the max_tokens request parameter.', gen125),
        ttft: h('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', TTFT_BUCKETS),
        itl: h('vllm:inter_token_latency_seconds', 'Histogram of inter-token latency in seconds.', ITL_BUCKETS),
        tpot: h('vllm:request_time_per_output_token_seconds', 'Histogram of time_per_output_token_seconds per request.', ITL_BUCKETS),
        e2e: h('vllm:e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.', LAT_BUCKETS),
        queue: h('vllm:request_queue_time_seconds', 'Histogram of time spent in WAITING phase for request.', LAT_BUCKETS),
        inference: h('vllm:request_inference_time_seconds', 'Histogram of time spent in RUNNING phase for request.', LAT_BUCKETS),
        prefill: h('vllm:request_prefill_time_seconds', 'Histogram of time spent in PREFILL phase for request.', LAT_BUCKETS),
        decode: h('vllm:request_decode_time_seconds', 'Histogram of time spent in DECODE phase for request.', LAT_BUCKETS),
      });
    }
    for (let e = 0; e < opts.engines; e++) {
      r.gauge('vllm:cache_config_info', 'Information of the LLMEngine CacheConfig', { ...opts.cacheConfig, engine: String(e) }).set(1);
    }
  }

  /** Refreshes the process_* values just before a scrape. */
  sampleProcess(): void {
    if (!this.process) return;
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    this.process.rss.set(mem.rss);
    this.process.vms.set(mem.rss + mem.external + 512 * 2 ** 20);
    this.process.cpu.value = (cpu.user + cpu.system) / 1e6;
    this.process.fds.set(32);
  }

  render(): string {
    this.sampleProcess();
    return this.registry.render();
  }
}
