// Contract of the server module (issue 5): the supervisor's state machine, logs, diagnosis.
import { z } from 'zod';
import { Empty, Remedy } from './common';
import { BuildRequest } from './profiles';

export const ServerStatus = z.enum(['idle', 'preflight', 'starting', 'ready', 'stopping', 'stopped', 'failed', 'crashed']);
export type ServerStatus = z.infer<typeof ServerStatus>;

export const PhaseName = z.enum([
  'resolve-model',
  'download',
  'load-weights',
  'compile',
  'memory-profiling',
  'kv-cache',
  'cuda-graphs',
  'api-server',
  'ready',
]);
export type PhaseName = z.infer<typeof PhaseName>;

export const ErrorKind = z.enum([
  'none',
  'cuda_oom',
  'insufficient_free_memory',
  'kv_cache_too_small_for_max_model_len',
  'no_kv_cache_memory',
  'mamba_cache_blocks_exceeded',
  'port_in_use',
  'unrecognized_argument',
  'invalid_argument_value',
  'remote_code_required',
  'gated_or_missing_repo',
  'engine_died',
  'unsupported_hardware_or_backend',
  'other',
]);

export const DiagnosisSchema = z.object({
  vllmVersion: z.string().nullable(),
  outcome: z.enum(['ready', 'failed', 'running-then-died', 'arg-error', 'incomplete']),
  errorKind: ErrorKind,
  message: z.string(),
  remedies: z.array(Remedy),
  phase: PhaseName,
  numbers: z.record(z.string(), z.number()),
  attentionBackend: z.string().nullable(),
  model: z.string().nullable(),
  line: z.number().nullable(),
});
export type DiagnosisDto = z.infer<typeof DiagnosisSchema>;

export const StartFactsSchema = z.object({
  vllmVersion: z.string().optional(),
  architecture: z.string().optional(),
  maxModelLen: z.number().optional(),
  maxNumBatchedTokens: z.number().optional(),
  attentionBackend: z.string().optional(),
  kvCacheDtype: z.string().optional(),
  weightsGiB: z.number().optional(),
  weightsLoadS: z.number().optional(),
  modelLoadS: z.number().optional(),
  compileS: z.number().optional(),
  availableKvGiB: z.number().optional(),
  gpuKvCacheTokens: z.number().optional(),
  maxConcurrency: z.object({ tokensPerRequest: z.number(), x: z.number() }).optional(),
  cudaGraphGiB: z.number().optional(),
  cudaGraphS: z.number().optional(),
  initEngineS: z.number().optional(),
  readyUrl: z.string().optional(),
  attentionBlockSize: z.number().optional(),
  nonDefaultArgs: z.string().optional(),
});

/** The planner's prediction next to what vLLM reported (shown side by side). */
export const PredictionSchema = z.object({
  gpuKvCacheTokens: z.number().nullable(),
  maxConcurrency: z.number().nullable(),
  availableKvGiB: z.number().nullable(),
  weightsGiB: z.number().nullable(),
  verdict: z.string().nullable(),
});

export const KilledProcess = z.object({ pid: z.number(), cmd: z.string(), signal: z.enum(['SIGTERM', 'SIGKILL']) });
export const StopReport = z.object({
  /** Every process of the tree when the stop began, and the signal that ended it. */
  killed: z.array(KilledProcess),
  /** Processes still alive after SIGKILL (should be empty; a zombie-free check via the process table). */
  survivors: z.array(z.object({ pid: z.number(), cmd: z.string() })),
  escalated: z.boolean(),
  durationMs: z.number(),
  /** null where nvidia-smi is not available; else whether no stopped pid still holds GPU memory. */
  gpuMemoryReleased: z.boolean().nullable(),
});
export type StopReport = z.infer<typeof StopReport>;

export const ServerStateSchema = z.object({
  status: ServerStatus,
  /** Monotonic run counter: a UI can tell a restart from a continuation. */
  runId: z.number(),
  profileId: z.string().nullable(),
  phase: PhaseName.nullable(),
  /** 0–100 inside the current phase (weights, CUDA graphs), when the log shows it. */
  percent: z.number().nullable(),
  phaseStartedAt: z.record(z.string(), z.number()),
  startedAt: z.number().nullable(),
  readyAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  pid: z.number().nullable(),
  url: z.string().nullable(),
  host: z.string().nullable(),
  port: z.number().nullable(),
  argv: z.array(z.string()),
  facts: StartFactsSchema,
  prediction: PredictionSchema.nullable(),
  stall: z.object({ phase: PhaseName, seconds: z.number(), usual: z.number() }).nullable(),
  diagnosis: DiagnosisSchema.nullable(),
  exitCode: z.number().nullable(),
  signal: z.string().nullable(),
  lastStop: StopReport.nullable(),
  /** Re-attached to a server a previous panel session left running (no live log stream). */
  attached: z.boolean(),
  message: z.string().nullable(),
});
export type ServerStateDto = z.infer<typeof ServerStateSchema>;

/** The state before any run (the supervisor starts here; tests build their states from it). */
export const idleServerState = (): ServerStateDto => ({
  status: 'idle',
  runId: 0,
  profileId: null,
  phase: null,
  percent: null,
  phaseStartedAt: {},
  startedAt: null,
  readyAt: null,
  endedAt: null,
  pid: null,
  url: null,
  host: null,
  port: null,
  argv: [],
  facts: {},
  prediction: null,
  stall: null,
  diagnosis: null,
  exitCode: null,
  signal: null,
  lastStop: null,
  attached: false,
  message: null,
});

export const LogEntrySchema = z.object({
  seq: z.number(),
  ts: z.number(),
  stream: z.enum(['stdout', 'stderr']),
  text: z.string(),
  level: z.enum(['debug', 'info', 'warning', 'error', 'critical', 'none']),
  proc: z.enum(['api', 'engine', 'worker', 'other']),
  procName: z.string(),
});
export type LogEntryDto = z.infer<typeof LogEntrySchema>;
export const LogBatchSchema = z.object({ runId: z.number(), entries: z.array(LogEntrySchema), firstSeq: z.number(), cleared: z.boolean() });

export const LeftoverProcess = z.object({
  pid: z.number(),
  ppid: z.number(),
  pgid: z.number(),
  cmd: z.string(),
  gpuMiB: z.number().nullable(),
});

export const StartRequest = z
  .object({
    build: BuildRequest,
    /** Runtime id from runtime:detect (default: the first one found, else the simulator). */
    runtimeId: z.string().max(200).optional(),
    /** Start even though the planner predicts failure (the user confirmed). */
    confirmPlannerFailure: z.boolean().optional(),
    /** Start even though other processes already use GPU memory. */
    confirmGpuInUse: z.boolean().optional(),
  })
  .strict();
export type StartRequest = z.infer<typeof StartRequest>;

export const serverCommands = {
  'server:state': { req: Empty, res: ServerStateSchema },
  'server:start': { req: StartRequest, res: ServerStateSchema },
  'server:stop': { req: Empty, res: StopReport.nullable() },
  'server:restart': { req: Empty, res: ServerStateSchema },
  'server:leftovers': { req: Empty, res: z.array(LeftoverProcess) },
  'server:reap': { req: z.object({ pids: z.array(z.number().int().positive()).max(1024) }).strict(), res: StopReport },
  'server:bundle': {
    req: z
      .object({ path: z.string().max(4096).optional() })
      .strict()
      .optional(),
    res: z.object({ path: z.string() }),
  },
  'logs:get': {
    req: z
      .object({ fromSeq: z.number().int().nonnegative().optional(), limit: z.number().int().min(1).max(200_000).optional() })
      .strict()
      .optional(),
    res: z.object({ runId: z.number(), entries: z.array(LogEntrySchema), firstSeq: z.number(), endSeq: z.number() }),
  },
  'logs:clear': { req: Empty, res: z.object({ ok: z.literal(true) }) },
  'logs:save': {
    req: z
      .object({ path: z.string().max(4096).optional() })
      .strict()
      .optional(),
    res: z.object({ path: z.string(), lines: z.number() }),
  },
  'diagnose:log': { req: z.object({ text: z.string().max(64 * 1024 * 1024) }).strict(), res: DiagnosisSchema },
} as const;

export const serverEvents = {
  server: ServerStateSchema,
  logs: LogBatchSchema,
} as const;
