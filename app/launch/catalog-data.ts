// The built-in `vllm serve` flag catalog: every flag of ../shared/reference/vllm-cli.md §4
// (upstream ~v0.18-dev, commit 2e292aed) plus the later additions of its §7, each with kind,
// default, choices, group and a help line. Help lines are short paraphrases of the reference's
// "meaning" column (vLLM's own docstrings are only available at run time, from `--help=all`).
// `since` marks flags the reference dates; where it only says "after v0.18" we use 0.19.0 (the
// earliest version that can have it) so an installed version is never refused a flag it has.
//
// Pure data: no Node imports (the simulator and the renderer-facing contract use it too).
import type { FlagKind, FlagSpec, FlagValue, RemovedItem } from './types';

type Extra = Omit<Partial<FlagSpec>, 'name' | 'kind' | 'group' | 'help' | 'default'>;

function group(name: string) {
  return (flagName: string, kind: FlagKind, def: FlagValue | undefined, help: string, extra: Extra = {}): FlagSpec => ({
    name: flagName,
    kind,
    group: name,
    help,
    default: def,
    ...extra,
  });
}

/** Help groups in the order `vllm serve --help` lists them; `description` is the one-line summary. */
export const FLAG_GROUPS: readonly { name: string; description: string }[] = [
  { name: 'positional arguments', description: '' },
  { name: 'options', description: '' },
  { name: 'Frontend', description: 'Arguments for the OpenAI-compatible frontend server.' },
  { name: 'ModelConfig', description: 'Configuration for the model.' },
  { name: 'LoadConfig', description: 'Configuration for loading the model weights.' },
  { name: 'AttentionConfig', description: 'Configuration for attention mechanisms in vLLM.' },
  { name: 'MambaConfig', description: 'Configuration for Mamba (state space model) layers.' },
  { name: 'StructuredOutputsConfig', description: 'Dataclass which contains structured outputs config for the engine.' },
  { name: 'ParallelConfig', description: 'Configuration for the distributed execution.' },
  { name: 'CacheConfig', description: 'Configuration for the KV cache.' },
  { name: 'OffloadConfig', description: 'Configuration for offloading model weights to CPU memory.' },
  { name: 'MultiModalConfig', description: 'Controls the behavior of multimodal models.' },
  { name: 'LoRAConfig', description: 'Configuration for LoRA.' },
  { name: 'ObservabilityConfig', description: 'Configuration for observability - metrics and tracing.' },
  { name: 'SchedulerConfig', description: 'Scheduler configuration.' },
  { name: 'CompilationConfig', description: 'Configuration for compilation.' },
  { name: 'KernelConfig', description: 'Configuration for kernel selection.' },
  {
    name: 'VllmConfig',
    description:
      'Dataclass which contains all vllm-related configuration. This simplifies passing around the distinct configurations in the codebase.',
  },
];

// §4.1 Top level ("options")
const top = group('options');
const TOP: FlagSpec[] = [
  top('headless', 'store-true', false, 'Run in headless mode: start the engines only, without an API server (multi-node data parallel).'),
  top(
    'api-server-count',
    'int',
    undefined,
    'How many API server processes to run. Defaults to data_parallel_size if not specified (1 before v0.18).',
    { aliases: ['-asc'], min: 1 },
  ),
  top('config', 'string', undefined, 'Read CLI options from a YAML config file; command-line values take priority over it.'),
  top('disable-log-stats', 'store-true', false, 'Disable logging statistics (the periodic "Engine 000: Avg prompt throughput" line).'),
  top('aggregate-engine-logging', 'store-true', false, 'Log one aggregated statistics line for all data parallel engines.'),
  top(
    'fail-on-environ-validation',
    'bool',
    false,
    'Raise an error instead of a warning when an unknown VLLM_* environment variable is set.',
  ),
  top('shutdown-timeout', 'int', 0, 'Seconds to wait for in-flight requests on shutdown; 0 aborts them immediately.', { min: 0 }),
  top('gdn-prefill-backend', 'choice', undefined, 'Prefill kernel for GatedDeltaNet layers (Qwen3-Next style models).', {
    choices: ['flashinfer', 'triton'],
  }),
  top('kda-prefill-backend', 'string', undefined, 'Prefill kernel for Kimi delta attention layers.', {
    since: '0.19.0',
    suggestions: ['auto', 'triton', 'flashkda'],
  }),
  top('enable-log-requests', 'bool', false, 'Log request ids and parameters (INFO) and prompts (DEBUG).'),
];

// §4.2 Frontend
const fe = group('Frontend');
const FRONTEND: FlagSpec[] = [
  fe('host', 'string', undefined, 'Host name or address to bind to; unset binds all interfaces.'),
  fe('port', 'int', 8000, 'Port number for the HTTP server.', { min: 1, max: 65535 }),
  fe('uds', 'string', undefined, 'Unix domain socket path; when set, host and port are ignored.'),
  fe('uvicorn-log-level', 'choice', 'info', 'Log level for uvicorn.', {
    choices: ['critical', 'debug', 'error', 'info', 'trace', 'warning'],
  }),
  fe('disable-uvicorn-access-log', 'bool', false, 'Disable the uvicorn access log (one line per request).'),
  fe(
    'disable-access-log-for-endpoints',
    'string',
    undefined,
    'Comma separated paths to leave out of the access log, e.g. /health,/metrics.',
    {
      since: '0.17.0',
    },
  ),
  fe('allow-credentials', 'bool', false, 'Allow credentials in CORS requests.'),
  fe('allowed-origins', 'json', '["*"]', 'Allowed CORS origins (JSON list).'),
  fe('allowed-methods', 'json', '["*"]', 'Allowed CORS methods (JSON list).'),
  fe('allowed-headers', 'json', '["*"]', 'Allowed CORS headers (JSON list).'),
  fe('api-key', 'list', undefined, 'If provided, the server requires one of these keys in the Authorization: Bearer header.'),
  fe('lora-modules', 'list', undefined, 'Static LoRA adapters, as name=path or JSON objects.'),
  fe('chat-template', 'string', undefined, 'File path to the chat template, or the template inline, for the given model.'),
  fe('chat-template-content-format', 'choice', 'auto', 'How message content is rendered into the chat template.', {
    choices: ['auto', 'openai', 'string'],
  }),
  fe('trust-request-chat-template', 'bool', false, 'Allow a chat_template passed in a request.'),
  fe(
    'default-chat-template-kwargs',
    'json',
    undefined,
    'Default chat_template_kwargs for every request, e.g. {"enable_thinking": false}.',
    {
      since: '0.17.0',
    },
  ),
  fe('response-role', 'string', 'assistant', 'Role name returned when request.add_generation_prompt is true.'),
  fe('ssl-keyfile', 'string', undefined, 'File path to the SSL key file.'),
  fe('ssl-certfile', 'string', undefined, 'File path to the SSL cert file.'),
  fe('ssl-ca-certs', 'string', undefined, 'File path to the CA certificates file.'),
  fe('enable-ssl-refresh', 'bool', false, 'Refresh the SSL context when the SSL certificate files change.'),
  fe('ssl-cert-reqs', 'int', 0, 'Whether a client certificate is required (see ssl.CERT_* of the Python ssl module).', { min: 0, max: 2 }),
  fe('ssl-ciphers', 'string', undefined, 'SSL cipher list for HTTPS.', { since: '0.17.0' }),
  fe('root-path', 'string', undefined, 'FastAPI root_path when the app is behind a path based routing proxy.'),
  fe('middleware', 'list', [], 'Additional ASGI middleware to apply to the app, as import paths.'),
  fe('return-tokens-as-token-ids', 'bool', false, 'Represent logprob tokens as token_id:N strings.'),
  fe('enable-request-id-headers', 'bool', false, 'Add an X-Request-Id header to responses.'),
  fe('enable-auto-tool-choice', 'bool', false, 'Enable tool_choice="auto"; requires --tool-call-parser.'),
  fe('exclude-tools-when-tool-choice-none', 'bool', false, 'Leave tool definitions out of the prompt when tool_choice is none.'),
  fe('tool-call-parser', 'string', undefined, 'Tool call parser for the model (built-in name or one registered by --tool-parser-plugin).', {
    suggestions: [
      'deepseek_v3',
      'deepseek_v31',
      'glm45',
      'glm47',
      'hermes',
      'llama3_json',
      'minimax_m2',
      'mistral',
      'openai',
      'pythonic',
      'qwen3_coder',
    ],
  }),
  fe('tool-parser-plugin', 'string', '', 'Python file that registers extra tool parsers.'),
  fe('tool-server', 'string', undefined, 'Comma separated host:port tool servers for the Responses API, or "demo".'),
  fe('log-config-file', 'string', undefined, 'JSON logging config for vllm and uvicorn (env VLLM_LOGGING_CONFIG_PATH).'),
  fe('max-log-len', 'int', undefined, 'Maximum number of prompt characters or ids printed in the log; unset means unlimited.', { min: 0 }),
  fe('disable-fastapi-docs', 'bool', false, 'Disable the /docs, /redoc and /openapi.json endpoints.'),
  fe('enable-prompt-tokens-details', 'bool', false, 'Report usage.prompt_tokens_details (cached tokens).'),
  fe('enable-server-load-tracking', 'bool', false, 'Track the server load served by GET /load.'),
  fe('enable-force-include-usage', 'bool', false, 'Include a usage block in every response and stream.'),
  fe('enable-tokenizer-info-endpoint', 'bool', false, 'Enable the /get_tokenizer_info endpoint.'),
  fe('enable-log-outputs', 'bool', false, 'Log model outputs (generations); requires --enable-log-requests.'),
  fe('enable-log-deltas', 'bool', true, 'Log streaming deltas when output logging is enabled.', { since: '0.17.0' }),
  fe('h11-max-incomplete-event-size', 'int', 4194304, 'Maximum size in bytes of an incomplete HTTP event (header or body abuse limit).', {
    min: 1,
  }),
  fe('h11-max-header-count', 'int', 256, 'Maximum number of HTTP headers allowed in a request.', { min: 1 }),
  fe('log-error-stack', 'bool', false, 'Log the stack trace of error responses.'),
  fe('tokens-only', 'bool', false, 'Serve only the tokens-in, tokens-out endpoint.'),
  fe('enable-offline-docs', 'bool', false, 'Serve the API docs assets locally (for air-gapped hosts).', { since: '0.17.0' }),
  fe('grpc', 'store-true', false, 'Start a gRPC server instead of HTTP (needs the vllm[grpc] extra).', { since: '0.20.0' }),
];

// §4.3 ModelConfig
const mc = group('ModelConfig');
const MODEL: FlagSpec[] = [
  mc('model', 'string', 'Qwen/Qwen3-0.6B', 'Name or path of the model. With vllm serve, give it as the positional argument instead.', {
    deprecated: true,
  }),
  mc('runner', 'choice', 'auto', 'The type of model runner to use.', { choices: ['auto', 'draft', 'generate', 'pooling'] }),
  mc('convert', 'choice', 'auto', 'Convert the model with adapters so it can be used for pooling tasks.', {
    choices: ['auto', 'classify', 'embed', 'none', 'reward'],
  }),
  mc('tokenizer', 'string', undefined, 'Name or path of the tokenizer; defaults to the model.'),
  mc('tokenizer-mode', 'string', 'auto', 'Tokenizer implementation to use.', {
    suggestions: ['auto', 'deepseek_v32', 'hf', 'mistral', 'slow'],
  }),
  mc('trust-remote-code', 'bool', false, 'Trust remote code (e.g. from Hugging Face) when downloading the model and tokenizer.'),
  mc('dtype', 'choice', 'auto', 'Data type for model weights and activations.', {
    choices: ['auto', 'bfloat16', 'float', 'float16', 'float32', 'half'],
  }),
  mc('seed', 'int', 0, 'Random seed for reproducibility.', { nullable: true }),
  mc('hf-config-path', 'string', undefined, 'Name or path of the Hugging Face config to use; defaults to the model.'),
  mc('allowed-local-media-path', 'string', '', 'Allow API requests to read local images or videos under this directory.'),
  mc('allowed-media-domains', 'list', undefined, 'If set, only media URLs from these domains are accepted.'),
  mc('revision', 'string', undefined, 'Model revision (branch, tag or commit id).'),
  mc('code-revision', 'string', undefined, 'Revision of the model code on the Hugging Face Hub.'),
  mc('tokenizer-revision', 'string', undefined, 'Revision of the tokenizer on the Hugging Face Hub.'),
  mc(
    'max-model-len',
    'hr-int',
    undefined,
    'Model context length (prompt and output); derived from the model config if unset. Accepts human-readable values like 1k, 1K, 25.6k, and -1 or auto.',
    { min: 1 },
  ),
  mc('quantization', 'string', undefined, 'Method used to quantize the weights; derived from the checkpoint if unset.', {
    aliases: ['-q'],
  }),
  mc('allow-deprecated-quantization', 'bool', false, 'Allow quantization methods that are deprecated.'),
  mc('enforce-eager', 'bool', false, 'Always use eager-mode PyTorch: no CUDA graphs and no torch.compile.'),
  mc('enable-return-routed-experts', 'bool', false, 'Return the routed experts of MoE models in the outputs.'),
  mc('max-logprobs', 'int', 20, 'Maximum number of log probabilities returned per token.', { min: -1 }),
  mc('logprobs-mode', 'choice', 'raw_logprobs', 'What the returned logprobs contain.', {
    choices: ['processed_logits', 'processed_logprobs', 'raw_logits', 'raw_logprobs'],
  }),
  mc('disable-sliding-window', 'bool', false, 'Disable sliding window attention and cap the length to the window size.'),
  mc('disable-cascade-attn', 'bool', true, 'Disable cascade attention.'),
  mc('skip-tokenizer-init', 'bool', false, 'Skip tokenizer and detokenizer initialization (token ids in and out only).'),
  mc('enable-prompt-embeds', 'bool', false, 'Accept prompt embeddings as input.'),
  mc('served-model-name', 'list', undefined, 'Model names used in the API; the first one is the model_name label of the metrics.'),
  mc('config-format', 'choice', 'auto', 'Format of the model config to load.', { choices: ['auto', 'hf', 'mistral'] }),
  mc('hf-token', 'string', undefined, 'Hugging Face token for remote files; give the flag alone to use the cached token.'),
  mc('hf-overrides', 'json', '{}', 'Overrides for the Hugging Face config (JSON), e.g. rope_scaling.'),
  mc('pooler-config', 'json', undefined, 'Pooling options for pooling models (JSON).'),
  mc('generation-config', 'string', 'auto', 'Generation config folder; auto uses the model one, vllm ignores it.'),
  mc('override-generation-config', 'json', '{}', 'Overrides for the default sampling parameters (JSON).'),
  mc('enable-sleep-mode', 'bool', false, 'Enable sleep mode for the engine (/sleep and /wake_up).'),
  mc('model-impl', 'choice', 'auto', 'Which model implementation to use.', { choices: ['auto', 'terratorch', 'transformers', 'vllm'] }),
  mc('override-attention-dtype', 'string', undefined, 'Override the dtype used for attention.'),
  mc('logits-processors', 'list', undefined, 'Custom logits processors, as import paths.'),
  mc('io-processor-plugin', 'string', undefined, 'IO processor plugin to load at model start-up.'),
  mc('renderer-num-workers', 'int', 1, 'Number of prompt renderer workers.', { min: 1, since: '0.17.0' }),
];

// §4.4 LoadConfig
const lc = group('LoadConfig');
const LOAD: FlagSpec[] = [
  lc('load-format', 'string', 'auto', 'Format of the model weights to load; dummy uses random weights.', {
    suggestions: [
      'auto',
      'pt',
      'safetensors',
      'npcache',
      'dummy',
      'tensorizer',
      'runai_streamer',
      'bitsandbytes',
      'sharded_state',
      'gguf',
      'mistral',
      'fastsafetensors',
    ],
  }),
  lc('download-dir', 'string', undefined, 'Directory to download and load the weights; defaults to the Hugging Face cache.'),
  lc('safetensors-load-strategy', 'string', undefined, 'How safetensors files are read (version dependent, e.g. lazy).', {
    suggestions: ['lazy'],
  }),
  lc('safetensors-prefetch-block-size', 'hr-int', undefined, 'Block size for prefetching safetensors files (human-readable).', {
    since: '0.19.0',
    min: 1,
  }),
  lc('model-loader-extra-config', 'json', '{}', 'Extra config for the model loader (JSON).'),
  lc('ignore-patterns', 'list', ['original/**/*'], 'Patterns of files to ignore when loading the model.'),
  lc('use-tqdm-on-load', 'bool', true, 'Show a progress bar while loading the weights.'),
  lc('pt-load-map-location', 'string', 'cpu', 'map_location for loading PyTorch checkpoints (a device or a JSON mapping).'),
];

// §4.5 AttentionConfig. The flag replaced env VLLM_ATTENTION_BACKEND; it came with AttentionConfig
// (vllm PR #26315, merged 2025-11-24), so 0.12.0 is the first release that can have it.
const ac = group('AttentionConfig');
const ATTENTION: FlagSpec[] = [
  ac(
    'attention-backend',
    'string',
    undefined,
    'Force the attention backend (a name of the installed AttentionBackendEnum); unset selects automatically.',
    {
      since: '0.12.0',
      suggestions: ['FLASH_ATTN', 'FLASHINFER', 'TRITON_ATTN', 'FLEX_ATTENTION', 'ROCM_ATTN', 'ROCM_AITER_FA', 'ROCM_AITER_UNIFIED_ATTN'],
    },
  ),
];

// §4.6 MambaConfig: at 2e292aed, not in the slightly older (~v0.17) dump.
const mb = group('MambaConfig');
const MAMBA: FlagSpec[] = [
  mb('mamba-backend', 'choice', undefined, 'Kernel for the Mamba selective state update (unset = triton).', {
    choices: ['flashinfer', 'triton'],
    since: '0.18.0',
  }),
  mb(
    'enable-mamba-cache-stochastic-rounding',
    'bool',
    false,
    'Stochastic rounding when writing the SSM state to a float16 cache (CUDA only).',
    { since: '0.18.0' },
  ),
  mb('mamba-cache-philox-rounds', 'int', 0, 'Philox rounds used by the stochastic rounding.', { since: '0.18.0', min: 0 }),
];

// §4.7 StructuredOutputsConfig
const so = group('StructuredOutputsConfig');
const STRUCTURED: FlagSpec[] = [
  so('reasoning-parser', 'string', '', 'Parser that splits reasoning (think blocks) from the answer into the reasoning field.', {
    suggestions: [
      'deepseek_r1',
      'deepseek_v3',
      'ernie45',
      'glm45',
      'granite',
      'hunyuan_a13b',
      'kimi_k2',
      'mimo',
      'minimax_m2',
      'minimax_m2_append_think',
      'mistral',
      'nemotron_v3',
      'olmo3',
      'openai_gptoss',
      'qwen3',
      'seed_oss',
      'step3',
    ],
  }),
  so('reasoning-parser-plugin', 'string', '', 'Python file that registers extra reasoning parsers.'),
];

// §4.8 ParallelConfig
const pc = group('ParallelConfig');
const PARALLEL: FlagSpec[] = [
  pc('distributed-executor-backend', 'choice', undefined, 'Backend that launches the workers; unset chooses automatically.', {
    choices: ['external_launcher', 'mp', 'ray', 'uni'],
  }),
  pc('pipeline-parallel-size', 'int', 1, 'Number of pipeline parallel groups.', { aliases: ['-pp'], min: 1 }),
  pc('master-addr', 'string', '127.0.0.1', 'Address of the master node for multi-node rendezvous.'),
  pc('master-port', 'int', 29501, 'Port of the master node for multi-node rendezvous.', { min: 1, max: 65535 }),
  pc('nnodes', 'int', 1, 'Number of nodes.', { aliases: ['-n'], min: 1 }),
  pc('node-rank', 'int', 0, 'Rank of this node.', { aliases: ['-r'], min: 0 }),
  pc('distributed-timeout-seconds', 'int', undefined, 'Timeout in seconds for distributed collectives.', { min: 1 }),
  pc('tensor-parallel-size', 'int', 1, 'Number of tensor parallel groups.', { aliases: ['-tp'], min: 1 }),
  pc('decode-context-parallel-size', 'int', 1, 'Number of decode context parallel groups.', { aliases: ['-dcp'], min: 1 }),
  pc('dcp-comm-backend', 'choice', 'ag_rs', 'Communication backend for decode context parallel.', { choices: ['a2a', 'ag_rs'] }),
  pc('dcp-kv-cache-interleave-size', 'int', 1, 'Interleave size of the KV cache for decode context parallel.', { min: 1 }),
  pc('cp-kv-cache-interleave-size', 'int', 1, 'Interleave size of the KV cache for context parallel.', { min: 1 }),
  pc('prefill-context-parallel-size', 'int', 1, 'Number of prefill context parallel groups.', { aliases: ['-pcp'], min: 1 }),
  pc('data-parallel-size', 'int', 1, 'Number of data parallel groups (engine replicas EngineCore_DP0..N).', { aliases: ['-dp'], min: 1 }),
  pc('data-parallel-rank', 'int', undefined, 'Data parallel rank of this instance (external load balancing).', {
    aliases: ['-dpn'],
    min: 0,
  }),
  pc('data-parallel-start-rank', 'int', undefined, 'First data parallel rank on this node.', { aliases: ['-dpr'], min: 0 }),
  pc('data-parallel-size-local', 'int', undefined, 'Number of data parallel replicas on this node.', { aliases: ['-dpl'], min: 0 }),
  pc('data-parallel-address', 'string', undefined, 'Address of the data parallel head node.', { aliases: ['-dpa'] }),
  pc('data-parallel-rpc-port', 'int', undefined, 'RPC port of the data parallel head node.', { aliases: ['-dpp'], min: 1, max: 65535 }),
  pc('data-parallel-backend', 'string', 'mp', 'Backend that launches data parallel replicas.', {
    aliases: ['-dpb'],
    suggestions: ['mp', 'ray'],
  }),
  pc('data-parallel-hybrid-lb', 'bool', false, 'Use hybrid data parallel load balancing.', { aliases: ['-dph'] }),
  pc('data-parallel-external-lb', 'bool', false, 'Use an external data parallel load balancer.', { aliases: ['-dpe'] }),
  pc('enable-expert-parallel', 'bool', false, 'Use expert parallelism instead of tensor parallelism for MoE layers.', { aliases: ['-ep'] }),
  pc('enable-ep-weight-filter', 'bool', false, 'Filter expert weights when expert parallelism is on.'),
  pc('all2all-backend', 'choice', 'allgather_reducescatter', 'All2all backend for MoE expert parallel communication.', {
    choices: [
      'allgather_reducescatter',
      'deepep_high_throughput',
      'deepep_low_latency',
      'flashinfer_all2allv',
      'flashinfer_nvlink_one_sided',
      'flashinfer_nvlink_two_sided',
      'mori',
      'naive',
      'nixl_ep',
      'pplx',
    ],
  }),
  pc('enable-dbo', 'bool', false, 'Enable dual batch overlap for the model executor.'),
  pc('ubatch-size', 'int', 0, 'Number of micro-batches for dual batch overlap.', { min: 0 }),
  pc('dbo-decode-token-threshold', 'int', 32, 'Minimum decode tokens in a batch for dual batch overlap.', { min: 0 }),
  pc('dbo-prefill-token-threshold', 'int', 512, 'Minimum prefill tokens in a batch for dual batch overlap.', { min: 0 }),
  pc('enable-elastic-ep', 'bool', false, 'Enable elastic expert parallelism.'),
  pc('disable-nccl-for-dp-synchronization', 'bool', undefined, 'Use gloo instead of NCCL for data parallel synchronization.'),
  pc('enable-eplb', 'bool', false, 'Enable expert parallelism load balancing for MoE layers.'),
  pc('eplb-config', 'json', undefined, 'Expert parallelism load balancer options (JSON).'),
  pc('expert-placement-strategy', 'choice', 'linear', 'Placement of experts across ranks.', { choices: ['linear', 'round_robin'] }),
  pc('max-parallel-loading-workers', 'int', undefined, 'Load the model sequentially in this many batches (limits host RAM).', { min: 1 }),
  pc('ray-workers-use-nsight', 'bool', false, 'Profile Ray workers with nsight.'),
  pc('disable-custom-all-reduce', 'bool', false, 'Disable the custom all-reduce kernel and use NCCL only.'),
  pc('worker-cls', 'string', 'auto', 'Full name of the worker class to use.'),
  pc('worker-extension-cls', 'string', '', 'Full name of a worker extension class.'),
];

// §4.9 CacheConfig. Choices added in later versions are listed in catalog.ts (VERSIONED_CHOICES).
const cc = group('CacheConfig');
const CACHE: FlagSpec[] = [
  cc('block-size', 'int', undefined, 'Size of a KV cache block in tokens (16 when unset; hybrid models raise it).', { min: 1 }),
  cc(
    'gpu-memory-utilization',
    'float',
    0.9,
    'Fraction of the total GPU memory this instance may use (weights, activations and KV cache), from 0 to 1.',
    { min: 0, minExclusive: true, max: 1 },
  ),
  cc(
    'kv-cache-memory-bytes',
    'hr-int',
    undefined,
    'Fixed KV cache size per GPU in bytes (human-readable); overrides gpu-memory-utilization.',
    {
      min: 1,
    },
  ),
  cc('kv-cache-dtype', 'choice', 'auto', 'Data type for KV cache storage; fp8 means fp8_e4m3 on CUDA.', {
    choices: ['auto', 'bfloat16', 'float16', 'fp8', 'fp8_ds_mla', 'fp8_e4m3', 'fp8_e5m2', 'fp8_inc'],
  }),
  cc('num-gpu-blocks-override', 'int', undefined, 'Force the number of GPU blocks (testing only).', { min: 1 }),
  cc('enable-prefix-caching', 'bool', undefined, 'Enable automatic prefix caching; unset lets the model decide.'),
  cc('prefix-caching-hash-algo', 'choice', 'sha256', 'Hash algorithm for prefix caching blocks.', {
    choices: ['sha256', 'sha256_cbor', 'xxhash', 'xxhash_cbor'],
  }),
  cc('calculate-kv-scales', 'bool', false, 'Calculate k_scale and v_scale dynamically for fp8 KV cache (deprecated).', {
    deprecated: true,
  }),
  cc('kv-cache-dtype-skip-layers', 'list', [], 'Layers whose KV cache stays unquantized.'),
  cc('kv-sharing-fast-prefill', 'bool', false, 'Skip prefill of layers that share KV (work in progress).'),
  cc('mamba-cache-dtype', 'choice', 'auto', 'Data type of the Mamba cache (conv and SSM state).', {
    choices: ['auto', 'float16', 'float32'],
  }),
  cc('mamba-ssm-cache-dtype', 'choice', 'auto', 'Data type of the Mamba SSM state only; auto follows mamba-cache-dtype.', {
    choices: ['auto', 'float16', 'float32'],
  }),
  cc('mamba-block-size', 'int', undefined, 'Mamba cache block size for prefix caching (a multiple of 8).', { min: 1 }),
  cc('mamba-cache-mode', 'choice', 'none', 'Prefix caching strategy for Mamba state.', { choices: ['align', 'all', 'none'] }),
  cc('kv-offloading-size', 'float', undefined, 'Size of the CPU KV offload buffer in GiB.', { min: 0 }),
  cc('kv-offloading-backend', 'choice', 'native', 'Backend for KV cache offloading.', { choices: ['lmcache', 'native'] }),
];

// §4.10 OffloadConfig
const oc = group('OffloadConfig');
const OFFLOAD: FlagSpec[] = [
  oc('offload-backend', 'choice', 'auto', 'Weight offloading backend.', { choices: ['auto', 'prefetch', 'uva'] }),
  oc('cpu-offload-gb', 'float', 0, 'GiB of CPU memory used as virtual extra GPU memory per GPU (UVA).', { min: 0 }),
  oc('cpu-offload-params', 'list', [], 'Parameter names to offload to CPU.'),
  oc('offload-group-size', 'int', 0, 'Layers per offload group for prefetch offloading.', { min: 0 }),
  oc('offload-num-in-group', 'int', 1, 'Layers offloaded in each group for prefetch offloading.', { min: 0 }),
  oc('offload-prefetch-step', 'int', 1, 'How many groups ahead to prefetch.', { min: 0 }),
  oc('offload-params', 'list', [], 'Parameter names to offload with prefetch offloading.'),
];

// §4.11 MultiModalConfig
const mm = group('MultiModalConfig');
const MULTIMODAL: FlagSpec[] = [
  mm('language-model-only', 'bool', false, 'Load only the language model part of a multimodal model.'),
  mm('limit-mm-per-prompt', 'json', '{}', 'Maximum number of items per modality in one prompt (JSON).'),
  mm('enable-mm-embeds', 'bool', false, 'Accept multimodal embeddings as input.'),
  mm('media-io-kwargs', 'json', '{}', 'Extra arguments for media loading, per modality (JSON).'),
  mm('mm-processor-kwargs', 'json', undefined, 'Arguments for the multimodal processor (JSON).'),
  mm('mm-processor-cache-gb', 'float', 4, 'Size in GiB of the multimodal processor cache.', { min: 0 }),
  mm('mm-processor-cache-type', 'choice', 'lru', 'Type of the multimodal processor cache.', { choices: ['lru', 'shm'] }),
  mm('mm-shm-cache-max-object-size-mb', 'int', 128, 'Maximum object size in MiB in the shared memory cache.', { min: 1 }),
  mm('mm-encoder-only', 'bool', false, 'Run only the multimodal encoder.'),
  mm('mm-encoder-tp-mode', 'choice', 'weights', 'How the multimodal encoder uses tensor parallelism.', { choices: ['data', 'weights'] }),
  mm('mm-encoder-attn-backend', 'string', undefined, 'Attention backend of the multimodal encoder.'),
  mm('interleave-mm-strings', 'bool', false, 'Allow interleaving multimodal items and text in string prompts.'),
  mm('skip-mm-profiling', 'bool', false, 'Skip multimodal memory profiling at start-up.'),
  mm('video-pruning-rate', 'float', undefined, 'Fraction of video tokens to prune.', { min: 0, max: 1 }),
  mm('mm-tensor-ipc', 'choice', 'direct_rpc', 'How multimodal tensors are passed between processes.', {
    choices: ['direct_rpc', 'torch_shm'],
  }),
];

// §4.12 LoRAConfig
const lo = group('LoRAConfig');
const LORA: FlagSpec[] = [
  lo('enable-lora', 'bool', false, 'Enable handling of LoRA adapters.'),
  lo('max-loras', 'int', 1, 'Maximum number of LoRAs in a single batch.', { min: 1 }),
  lo('max-lora-rank', 'choice', '16', 'Maximum LoRA rank.', { choices: ['1', '8', '16', '32', '64', '128', '256', '320', '512'] }),
  lo('lora-dtype', 'string', 'auto', 'Data type for LoRA; auto uses the model dtype.', { suggestions: ['auto', 'bfloat16', 'float16'] }),
  lo('enable-tower-connector-lora', 'bool', false, 'Apply LoRA to the vision tower and connector too.'),
  lo('max-cpu-loras', 'int', undefined, 'Maximum number of LoRAs kept in CPU memory.', { min: 1 }),
  lo('fully-sharded-loras', 'bool', false, 'Fully shard LoRA computation across tensor parallel ranks.'),
  lo('lora-target-modules', 'list', undefined, 'Modules to apply LoRA to.'),
  lo('default-mm-loras', 'json', undefined, 'Default LoRA per modality (JSON).'),
  lo('specialize-active-lora', 'bool', false, 'Specialize kernels for the number of active LoRAs.'),
];

// §4.13 ObservabilityConfig
const ob = group('ObservabilityConfig');
const OBSERVABILITY: FlagSpec[] = [
  ob('show-hidden-metrics-for-version', 'string', undefined, 'Re-expose metrics deprecated in this version (X.Y, one minor back).'),
  ob('otlp-traces-endpoint', 'string', undefined, 'Target URL to which OpenTelemetry traces are sent.'),
  ob('collect-detailed-traces', 'list', undefined, 'Collect detailed traces for these modules.', { choices: ['all', 'model', 'worker'] }),
  ob('kv-cache-metrics', 'bool', false, 'Enable the KV cache block metrics (vllm:kv_block_* histograms).'),
  ob('kv-cache-metrics-sample', 'float', 0.01, 'Sampling rate of the KV cache block metrics.', { min: 0, max: 1 }),
  ob('cudagraph-metrics', 'bool', false, 'Enable CUDA graph metrics.'),
  ob('enable-layerwise-nvtx-tracing', 'bool', false, 'Emit NVTX ranges per layer.'),
  ob('enable-mfu-metrics', 'bool', false, 'Enable model FLOPs utilization metrics.'),
  ob('enable-logging-iteration-details', 'bool', false, 'Log details of every engine iteration.'),
  ob('enable-mm-processor-stats', 'bool', false, 'Collect multimodal processor statistics.'),
];

// §4.14 SchedulerConfig
const sc = group('SchedulerConfig');
const SCHEDULER: FlagSpec[] = [
  sc(
    'max-num-batched-tokens',
    'hr-int',
    undefined,
    'Maximum number of tokens processed in one engine step (human-readable); derived from the GPU and the usage context if unset.',
    { min: 1 },
  ),
  sc('max-num-scheduled-tokens', 'hr-int', undefined, 'Maximum number of tokens the scheduler schedules per step (human-readable).', {
    since: '0.19.0',
    min: 1,
  }),
  sc('max-num-seqs', 'int', undefined, 'Maximum number of sequences processed in one engine step; derived if unset.', { min: 1 }),
  sc('max-num-partial-prefills', 'int', 1, 'Maximum number of concurrent partial prefills (must stay 1).', { min: 1 }),
  sc('max-long-partial-prefills', 'int', 1, 'Maximum number of concurrent long partial prefills (must stay 1).', { min: 1 }),
  sc('long-prefill-token-threshold', 'int', 0, 'Prompts longer than this many tokens count as long.', { min: 0 }),
  sc('max-num-queued-reqs', 'int', undefined, 'Admission control: maximum queued requests before new ones get HTTP 503.', {
    since: '0.31.0',
    min: 1,
  }),
  sc('max-num-queued-tokens', 'int', undefined, 'Admission control: maximum queued prompt tokens before new requests get HTTP 503.', {
    since: '0.31.0',
    min: 1,
  }),
  sc('scheduling-policy', 'choice', 'fcfs', 'Scheduling policy: first come first served, or by request priority.', {
    choices: ['fcfs', 'priority'],
  }),
  sc('enable-chunked-prefill', 'bool', undefined, 'Chunk prefill requests by max-num-batched-tokens; unset lets the model decide.'),
  sc('disable-chunked-mm-input', 'bool', false, 'Never split one multimodal item across prefill chunks.'),
  sc('scheduler-cls', 'string', undefined, 'Import path of a custom scheduler class.'),
  sc('scheduler-reserve-full-isl', 'bool', true, 'Reserve KV cache for the full input length when admitting a request.'),
  sc('disable-hybrid-kv-cache-manager', 'bool', undefined, 'Use one KV cache group for all layers of hybrid models.'),
  sc('async-scheduling', 'bool', undefined, 'Overlap scheduling with model execution; unset enables it where supported.'),
  sc('stream-interval', 'int', 1, 'Number of tokens per streamed chunk.', { min: 1 }),
];

// §4.15 CompilationConfig / KernelConfig / VllmConfig
const cp = group('CompilationConfig');
const COMPILATION: FlagSpec[] = [
  cp('cudagraph-capture-sizes', 'list', undefined, 'Batch sizes to capture CUDA graphs for (integers).'),
  cp('max-cudagraph-capture-size', 'int', undefined, 'Largest batch size to capture CUDA graphs for.', { min: 1 }),
];

const kc = group('KernelConfig');
const KERNEL: FlagSpec[] = [
  kc('enable-flashinfer-autotune', 'bool', false, 'Autotune FlashInfer kernels at start-up.'),
  kc('moe-backend', 'choice', 'auto', 'Backend for MoE kernels (dashes are accepted for underscores).', {
    choices: ['aiter', 'auto', 'cutlass', 'deep_gemm', 'flashinfer_cutedsl', 'flashinfer_cutlass', 'flashinfer_trtllm', 'marlin', 'triton'],
  }),
];

const vc = group('VllmConfig');
const VLLM: FlagSpec[] = [
  vc(
    'speculative-config',
    'json',
    undefined,
    'Speculative decoding configuration (JSON), e.g. {"method": "mtp", "num_speculative_tokens": 1}.',
    {
      aliases: ['-sc'],
    },
  ),
  vc('kv-transfer-config', 'json', undefined, 'Distributed KV cache transfer configuration (JSON).'),
  vc('kv-events-config', 'json', undefined, 'KV cache event publishing configuration (JSON).'),
  vc('ec-transfer-config', 'json', undefined, 'Encoder cache transfer configuration (JSON).'),
  vc('compilation-config', 'json', undefined, 'torch.compile and CUDA graph configuration (JSON), e.g. {"cudagraph_mode": "PIECEWISE"}.', {
    aliases: ['-cc'],
  }),
  vc('attention-config', 'json', undefined, 'Attention configuration (JSON); --attention-config.backend equals --attention-backend.', {
    aliases: ['-ac'],
  }),
  vc('reasoning-config', 'json', undefined, 'Reasoning configuration (JSON).'),
  vc('kernel-config', 'json', undefined, 'Kernel configuration (JSON).'),
  vc('additional-config', 'json', '{}', 'Additional platform specific configuration (JSON).'),
  vc('structured-outputs-config', 'json', undefined, 'Structured outputs configuration (JSON), e.g. {"backend": "xgrammar"}.'),
  vc('profiler-config', 'json', undefined, 'Profiler configuration (JSON).'),
  vc('optimization-level', 'int', 2, 'Optimization level from 0 (fastest start-up) to 3; also -O0 to -O3.', { min: 0, max: 3 }),
  vc('performance-mode', 'choice', 'balanced', 'Tune defaults for throughput or interactivity.', {
    choices: ['balanced', 'interactivity', 'throughput'],
  }),
  vc('weight-transfer-config', 'json', undefined, 'Weight transfer configuration (JSON).'),
];

/** Every `vllm serve` flag of the built-in catalog (newest known vLLM; see catalog.ts for per-version views). */
export const FLAG_CATALOG: readonly FlagSpec[] = [
  ...TOP,
  ...FRONTEND,
  ...MODEL,
  ...LOAD,
  ...ATTENTION,
  ...MAMBA,
  ...STRUCTURED,
  ...PARALLEL,
  ...CACHE,
  ...OFFLOAD,
  ...MULTIMODAL,
  ...LORA,
  ...OBSERVABILITY,
  ...SCHEDULER,
  ...COMPILATION,
  ...KERNEL,
  ...VLLM,
];

/**
 * Removed/renamed flags and env vars. `removedIn` is the first version known NOT to have the item.
 * Where the exact release is unknown it is the first version the reference (or a cited report)
 * saw without it, so older versions are never refused a flag they still had; the note says so.
 */
export const REMOVED_ITEMS: readonly RemovedItem[] = [
  {
    name: '--enable-reasoning',
    removedIn: '0.10.0',
    deprecatedIn: '0.9.0',
    replacement: '--reasoning-parser <name> (the parser alone enables reasoning output)',
    note: 'Deprecated by vllm PR #17452 (v0.9.0); "unrecognized arguments: --enable-reasoning" reported on v0.10.0 (vllm issue #18538).',
  },
  {
    name: '--rope-scaling',
    removedIn: '0.12.0',
    replacement: `--hf-overrides '{"rope_scaling": {...}}'`,
    note: 'Removed by vllm PR #28006 (Nov 2025); reported unrecognized on 0.13.0.',
  },
  {
    name: '--rope-theta',
    removedIn: '0.12.0',
    replacement: `--hf-overrides '{"rope_theta": ...}'`,
    note: 'Removed together with --rope-scaling (vllm PR #28006).',
  },
  {
    name: '--guided-decoding-backend',
    removedIn: '0.13.0',
    replacement: '--structured-outputs-config.backend <name>',
    replacementFlag: 'structured-outputs-config.backend',
    note: 'Unrecognized on 0.13.0 (real log vllm-logs/11); the exact removal release is earlier and unverified.',
  },
  {
    name: '--guided-decoding-disable-fallback',
    removedIn: '0.13.0',
    replacement: `--structured-outputs-config '{"disable_fallback": true}'`,
    note: 'Went with --guided-decoding-backend; exact release unverified.',
  },
  {
    name: '--guided-decoding-disable-any-whitespace',
    removedIn: '0.13.0',
    replacement: `--structured-outputs-config '{"disable_any_whitespace": true}'`,
    note: 'Went with --guided-decoding-backend; exact release unverified.',
  },
  {
    name: '--guided-decoding-disable-additional-properties',
    removedIn: '0.13.0',
    replacement: `--structured-outputs-config '{"disable_additional_properties": true}'`,
    note: 'Went with --guided-decoding-backend; exact release unverified.',
  },
  {
    name: '--disable-frontend-multiprocessing',
    removedIn: '0.17.0',
    replacement: undefined,
    note: 'Present up to v0.11, absent in the v0.17-era parser dump; the exact release is unverified. Drop the flag.',
  },
  {
    name: '--swap-space',
    removedIn: '0.18.0',
    replacement: '--kv-offloading-size <GiB> (CPU KV offload) if CPU memory for KV is wanted',
    note: 'Present in v0.11, absent at ~v0.18 (2e292aed); exact release unverified.',
  },
  {
    name: '--cuda-graph-sizes',
    removedIn: '0.18.0',
    replacement: '--cudagraph-capture-sizes or --max-cudagraph-capture-size',
    replacementFlag: 'cudagraph-capture-sizes',
    note: 'Deprecated name in v0.11, absent at ~v0.18; exact release unverified.',
  },
  {
    name: '--task',
    removedIn: '0.18.0',
    replacement: '--runner pooling and --convert embed|classify|reward',
    note: 'Absent at ~v0.18 (newer parsers print a hint); exact release unverified.',
  },
  {
    name: '--disable-log-requests',
    removedIn: '0.18.0',
    replacement: '--no-enable-log-requests (request logging is off by default)',
    note: 'Inverted into --enable-log-requests; absent at ~v0.18, exact release unverified.',
  },
  {
    name: '--num-scheduler-steps',
    removedIn: '0.18.0',
    replacement: undefined,
    note: 'Multi-step scheduling has been removed; absent at ~v0.18, exact release unverified.',
  },
  {
    name: '--multi-step-stream-outputs',
    removedIn: '0.18.0',
    replacement: undefined,
    note: 'Multi-step scheduling has been removed; absent at ~v0.18, exact release unverified.',
  },
  {
    name: '--scheduler-delay-factor',
    removedIn: '0.18.0',
    replacement: undefined,
    note: 'Absent at ~v0.18; exact release unverified.',
  },
  {
    name: '--preemption-mode',
    removedIn: '0.18.0',
    replacement: undefined,
    note: 'Absent at ~v0.18; exact release unverified.',
  },
  {
    name: '--num-lookahead-slots',
    removedIn: '0.18.0',
    replacement: undefined,
    note: 'Absent at ~v0.18; exact release unverified.',
  },
  {
    name: '--use-v2-block-manager',
    removedIn: '0.18.0',
    replacement: undefined,
    note: 'The v2 block manager is the only one; absent at ~v0.18, exact release unverified.',
  },
  {
    name: '--speculative-model',
    removedIn: '0.18.0',
    replacement: `--speculative-config '{"model": "...", "num_speculative_tokens": N}'`,
    note: 'Speculative decoding options moved into --speculative-config; absent at ~v0.18, exact release unverified.',
  },
  {
    name: '--num-speculative-tokens',
    removedIn: '0.18.0',
    replacement: `--speculative-config '{"num_speculative_tokens": N}'`,
    note: 'Moved into --speculative-config; absent at ~v0.18, exact release unverified.',
  },
  {
    name: '--max-seq-len-to-capture',
    removedIn: '0.18.0',
    replacement: '--max-cudagraph-capture-size',
    note: 'Absent at ~v0.18; exact release unverified.',
  },
  {
    name: '--enable-lora-bias',
    removedIn: '0.18.0',
    replacement: undefined,
    note: 'Absent at ~v0.18; exact release unverified.',
  },
  {
    name: '--lora-extra-vocab-size',
    removedIn: '0.18.0',
    replacement: undefined,
    note: 'Absent at ~v0.18; exact release unverified.',
  },
  {
    name: '--long-lora-scaling-factors',
    removedIn: '0.18.0',
    replacement: undefined,
    note: 'Absent at ~v0.18; exact release unverified.',
  },
  {
    name: '--calculate-kv-scales',
    removedIn: '0.19.0',
    deprecatedIn: '0.18.0',
    replacement: 'use a checkpoint with calibrated KV scales',
    note: 'CacheConfig says it "is deprecated and will be removed in v0.19" (2e292aed).',
  },
  {
    name: 'env:VLLM_USE_V1',
    removedIn: '0.11.0',
    replacement: undefined,
    note: 'The V0 engine was removed (2025); current builds warn "Unknown vLLM environment variable detected: VLLM_USE_V1" and fail with --fail-on-environ-validation. Remove it. Exact release unverified.',
  },
  {
    name: 'env:VLLM_ATTENTION_BACKEND',
    removedIn: '0.20.0',
    deprecatedIn: '0.12.0',
    replacement: '--attention-backend NAME (or --attention-config.backend)',
    replacementFlag: 'attention-backend',
    note: 'Deprecated when AttentionConfig arrived (vllm PR #26315; 0.14.1 warns it "will be removed"); reported removed and ignored in 0.20.2.',
  },
];

/** Specs of removed flags, so a catalog for an older vLLM still knows them (see REMOVED_ITEMS). */
const legacy = (g: string) => group(g);
export const LEGACY_FLAGS: readonly FlagSpec[] = [
  legacy('Frontend')(
    'enable-reasoning',
    'store-true',
    false,
    'Whether to enable reasoning_content for the model (needs --reasoning-parser).',
    {
      deprecated: true,
    },
  ),
  legacy('Frontend')(
    'disable-frontend-multiprocessing',
    'bool',
    false,
    'Run the OpenAI frontend server in the same process as the engine.',
  ),
  legacy('ModelConfig')('rope-scaling', 'json', '{}', 'RoPE scaling configuration (JSON).', { deprecated: true }),
  legacy('ModelConfig')('rope-theta', 'float', undefined, 'RoPE theta; use with rope_scaling.', { deprecated: true }),
  legacy('ModelConfig')('task', 'string', 'auto', 'The task to use the model for.', { deprecated: true }),
  legacy('StructuredOutputsConfig')(
    'guided-decoding-backend',
    'string',
    'auto',
    'Engine used for guided decoding (JSON schema, regex, ...).',
  ),
  legacy('StructuredOutputsConfig')(
    'guided-decoding-disable-fallback',
    'bool',
    false,
    'Do not fall back to another guided decoding backend.',
  ),
  legacy('StructuredOutputsConfig')(
    'guided-decoding-disable-any-whitespace',
    'bool',
    false,
    'Do not generate any whitespace in guided decoding.',
  ),
  legacy('StructuredOutputsConfig')(
    'guided-decoding-disable-additional-properties',
    'bool',
    false,
    'Do not allow additional properties in guided JSON.',
  ),
  legacy('CacheConfig')('swap-space', 'float', 4, 'CPU swap space size in GiB per GPU.', { min: 0 }),
  legacy('SchedulerConfig')('cuda-graph-sizes', 'list', undefined, 'CUDA graph capture sizes (deprecated name).', { deprecated: true }),
  legacy('options')('disable-log-requests', 'store-true', false, 'Disable logging requests (deprecated).', { deprecated: true }),
  legacy('SchedulerConfig')('num-scheduler-steps', 'int', 1, 'Maximum number of forward steps per scheduler call.', { min: 1 }),
  legacy('SchedulerConfig')('multi-step-stream-outputs', 'bool', true, 'Stream outputs of every step of multi-step scheduling.'),
  legacy('SchedulerConfig')('scheduler-delay-factor', 'float', 0, 'Delay factor before scheduling the next prompt.', { min: 0 }),
  legacy('SchedulerConfig')('preemption-mode', 'string', undefined, 'Preemption by recompute or swap.', {
    suggestions: ['recompute', 'swap'],
  }),
  legacy('SchedulerConfig')('num-lookahead-slots', 'int', 0, 'Slots allocated per sequence per step beyond the known token ids.', {
    min: 0,
  }),
  legacy('CacheConfig')('use-v2-block-manager', 'store-true', true, '[DEPRECATED] block manager v2 is always used.', { deprecated: true }),
  legacy('SpeculativeConfig')('speculative-model', 'string', undefined, 'Name of the draft model for speculative decoding.'),
  legacy('SpeculativeConfig')('num-speculative-tokens', 'int', undefined, 'Number of speculative tokens to sample.', { min: 1 }),
  legacy('ModelConfig')('max-seq-len-to-capture', 'int', 8192, 'Maximum sequence length covered by CUDA graphs.', { min: 1 }),
  legacy('LoRAConfig')('enable-lora-bias', 'bool', false, 'Enable bias for LoRA adapters.'),
  legacy('LoRAConfig')('lora-extra-vocab-size', 'int', 256, 'Maximum size of extra vocabulary in LoRA adapters.', { min: 0 }),
  legacy('LoRAConfig')('long-lora-scaling-factors', 'list', undefined, 'Scaling factors for multiple long-context LoRAs.'),
];
