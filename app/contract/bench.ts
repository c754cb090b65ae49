// Contract of the bench module (issue 8): the load generator, profile sweeps, saved results and
// their exports. Commands (request/response) and the pushed `bench` event, with zod schemas.
// Every number in a result is finite or null: JSON carries no NaN/Infinity.
import { z } from 'zod';
import { Empty } from './common';
import { FlagValuesSchema } from './launch';
import { ProfileId } from './profiles';

const num = z.number().nullable();

/** A length distribution in tokens (app/bench/stats.ts LengthDist). */
export const LengthDistSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed'), value: z.number().int().min(1).max(1_048_576) }).strict(),
  z
    .object({ kind: z.literal('uniform'), min: z.number().int().min(1).max(1_048_576), max: z.number().int().min(1).max(1_048_576) })
    .strict()
    .refine((d) => d.min <= d.max, { message: 'min must be ≤ max', path: ['max'] }),
]);
export type LengthDistDto = z.infer<typeof LengthDistSchema>;

/** Where prompts come from: generated words of a chosen length, or a JSONL file of prompts. */
export const PromptSourceSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('synthetic'),
      tokens: LengthDistSchema,
      /**
       * Fraction of every prompt that is the same for all requests of the run (a shared system
       * prompt / document), placed first so vLLM's prefix cache can reuse it. 0 = all unique.
       */
      sharedPrefixRatio: z.number().min(0).max(1).default(0),
    })
    .strict(),
  z
    .object({
      kind: z.literal('jsonl'),
      /** One JSON object per line: {"prompt": "..."} or {"messages": [...]}, optional "max_tokens". */
      path: z.string().min(1).max(4096),
    })
    .strict(),
]);
export type PromptSourceDto = z.infer<typeof PromptSourceSchema>;

export const SloSchema = z
  .object({
    ttftMs: z.number().positive().max(3_600_000).optional(),
    /** Mean inter-token latency of a request (its TPOT). */
    itlMs: z.number().positive().max(3_600_000).optional(),
    e2eMs: z.number().positive().max(86_400_000).optional(),
  })
  .strict();
export type SloDto = z.infer<typeof SloSchema>;

/** What every request of a run looks like, and when the run ends. The same for every level of a sweep. */
export const WorkloadSchema = z
  .object({
    /** /v1/completions (default, like `vllm bench serve`) or /v1/chat/completions. */
    api: z.enum(['completions', 'chat']).default('completions'),
    /** Model name to send; default: the first id of /v1/models. */
    model: z.string().min(1).max(512).optional(),
    prompt: PromptSourceSchema.default({ kind: 'synthetic', tokens: { kind: 'fixed', value: 256 }, sharedPrefixRatio: 0 }),
    outputTokens: LengthDistSchema.default({ kind: 'fixed', value: 128 }),
    /** Send ignore_eos so every request generates exactly its output length (vLLM extension). */
    ignoreEos: z.boolean().default(true),
    /** Requests run first at the same load and left out of the statistics. */
    warmupRequests: z.number().int().min(0).max(100_000).default(0),
    /** Stop after this many measured requests… */
    requests: z.number().int().min(1).max(1_000_000).optional(),
    /** …or after this many seconds of issuing requests (whichever comes first). In-flight requests finish. */
    durationS: z.number().positive().max(86_400).optional(),
    /** A request without its last token after this long is cut and counted as a `timeout` error. */
    requestTimeoutS: z.number().positive().max(86_400).default(600),
    slo: SloSchema.default({}),
    /** Seeds prompt words, lengths and Poisson arrivals: the same seed gives the same workload. */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(1),
    /** Open loop only: at most this many requests in flight (later arrivals wait, and are counted). */
    maxInFlight: z.number().int().min(1).max(16_384).default(1024),
    temperature: z.number().min(0).max(2).optional(),
    apiKey: z.string().max(4096).optional(),
  })
  .strict()
  .refine((w) => w.requests !== undefined || w.durationS !== undefined, {
    message: 'set a request count or a duration',
    path: ['requests'],
  });
export type WorkloadDto = z.infer<typeof WorkloadSchema>;
export type WorkloadInput = z.input<typeof WorkloadSchema>;

/** Closed loop: a fixed number of requests always in flight. Open loop: Poisson arrivals at a rate (requests/s). */
export const LoadMode = z.enum(['concurrency', 'rate']);
export type LoadMode = z.infer<typeof LoadMode>;
export const LoadSchema = z.object({ mode: LoadMode, value: z.number().positive().max(16_384) }).strict();
export type LoadDto = z.infer<typeof LoadSchema>;

export const LevelsSchema = z
  .object({ mode: LoadMode, values: z.array(z.number().positive().max(16_384)).min(1).max(32) })
  .strict()
  .refine((l) => l.mode === 'rate' || l.values.every(Number.isInteger), {
    message: 'concurrency levels are whole numbers',
    path: ['values'],
  });
export type LevelsDto = z.infer<typeof LevelsSchema>;

export const SummarySchema = z.object({
  n: z.number(),
  mean: num,
  min: num,
  max: num,
  p50: num,
  p90: num,
  p95: num,
  p99: num,
});
export type SummaryDto = z.infer<typeof SummarySchema>;

export const AggregateSchema = z.object({
  /** Measured requests that ended (succeeded or failed); cancelled ones are not in here. */
  requests: z.number(),
  succeeded: z.number(),
  /** In flight when the run was stopped: cut off, left out of every statistic. */
  cancelled: z.number(),
  errorsByKind: z.record(z.string(), z.number()),
  /** From the first measured request's start to the last one's end. */
  durationS: z.number(),
  requestsPerS: z.number(),
  outputTokensPerS: z.number(),
  totalTokensPerS: z.number(),
  /** Requests per second that met every SLO of the workload. */
  goodputPerS: z.number(),
  /** Share of measured requests that met every SLO (0–100). */
  goodputPct: num,
  ttftMs: SummarySchema,
  /** Gaps between streamed chunks, all requests pooled. */
  itlMs: SummarySchema,
  /** Per request: (E2E − TTFT) / (output tokens − 1). */
  tpotMs: SummarySchema,
  /**
   * Per request: its longest gap between chunks — the longest pause a reader sees. Prefill
   * chunks of other requests cause these stalls; max-num-batched-tokens bounds them.
   */
  stallMs: SummarySchema,
  e2eMs: SummarySchema,
  outputTokens: SummarySchema,
  promptTokens: SummarySchema,
});
export type AggregateDto = z.infer<typeof AggregateSchema>;

const Quantile = z.object({ value: z.number(), atLeast: z.boolean() }).nullable();
const ServerLatency = z.object({ mean: num, p50: Quantile, p95: Quantile, p99: Quantile, n: z.number() });

/** The server's own view of the measured window: /metrics before and after (app/metrics deriveStats). */
export const ServerDeltaSchema = z.object({
  windowS: z.number(),
  promptTokens: z.number(),
  generationTokens: z.number(),
  requestsFinished: z.number(),
  preemptions: z.number(),
  promptTokensPerS: z.number(),
  generationTokensPerS: z.number(),
  prefixHitRatePct: num,
  kvUsageMaxPct: num,
  /** Seconds (vLLM's unit). */
  latency: z.object({ ttft: ServerLatency, itl: ServerLatency, e2e: ServerLatency, queue: ServerLatency, tpot: ServerLatency }),
  reset: z.boolean(),
});
export type ServerDeltaDto = z.infer<typeof ServerDeltaSchema>;

/** How much the client itself cost: if this is large, the numbers measure us, not the server. */
export const ClientStatsSchema = z.object({
  /** Time inside our stream handling (SSE parsing + accounting), µs per output token. */
  overheadUsPerToken: num,
  /** Whole client process CPU (Node's HTTP stack included), µs per output token. */
  cpuUsPerToken: num,
  /** Client process CPU use over the run, % of one core. */
  cpuPct: num,
  /** Event-loop delay while running (p99, ms): timestamps are late by about this much. */
  eventLoopDelayP99Ms: num,
  peakInFlight: z.number(),
  /** Open loop: arrivals that had to wait for a free slot (maxInFlight). */
  delayedArrivals: z.number(),
});
export type ClientStatsDto = z.infer<typeof ClientStatsSchema>;

export const LevelResultSchema = z.object({
  load: LoadSchema,
  startedAt: z.number(),
  finishedAt: z.number(),
  aggregate: AggregateSchema,
  /** A few error messages, one per kind. */
  errorSamples: z.array(z.object({ kind: z.string(), message: z.string() })).max(20),
  server: ServerDeltaSchema.nullable(),
  /** Why `server` is null (no /metrics, scrape failed). */
  serverNote: z.string().nullable(),
  client: ClientStatsSchema,
  /** Stopped before its limit: the numbers cover what finished. */
  stopped: z.boolean(),
  /** JSONL prompts: lines that were not usable (line number + reason), at most 50. */
  promptIssues: z.array(z.string()).max(50),
});
export type LevelResultDto = z.infer<typeof LevelResultSchema>;

export const ProfileRunStatus = z.enum(['pending', 'running', 'done', 'skipped', 'failed', 'stopped']);
export const ProfileRunSchema = z.object({
  /** Profile id, or "external" for a run against a URL. */
  profileId: z.string(),
  profileName: z.string(),
  status: ProfileRunStatus,
  /** skipped: "planner says …"; failed: why the server did not come up. */
  message: z.string().nullable(),
  levels: z.array(LevelResultSchema),
  /** Flags the profile launched with (profile + sweep overrides); empty for an external server. */
  flags: FlagValuesSchema,
  /** The spawned argv (API key redacted). */
  argv: z.array(z.string()),
  vllmVersion: z.string().nullable(),
  startupS: num,
});
export type ProfileRunDto = z.infer<typeof ProfileRunSchema>;

export const EnvironmentSchema = z.object({
  gpus: z.array(z.object({ name: z.string(), memoryGiB: num })),
  gpuSource: z.enum(['nvidia-smi', 'simulated', 'none']),
  driverVersion: z.string().nullable(),
  cudaVersion: z.string().nullable(),
  vllmVersion: z.string().nullable(),
  model: z.string().nullable(),
  runtime: z.object({ kind: z.string(), label: z.string() }).nullable(),
  url: z.string().nullable(),
  panelVersion: z.string(),
  platform: z.string(),
  cpu: z.string().nullable(),
});
export type EnvironmentDto = z.infer<typeof EnvironmentSchema>;

export const OBJECTIVES = ['max-output-tps', 'min-p50-itl', 'min-p90-stall', 'min-p95-ttft', 'max-goodput'] as const;
export const Objective = z.enum(OBJECTIVES);
export type Objective = z.infer<typeof Objective>;

export const ObjectiveResultSchema = z.object({
  objective: Objective,
  label: z.string(),
  unit: z.string(),
  better: z.enum(['higher', 'lower']),
  /** Per load level: every profile's value and the best one (null: no profile has a value). */
  perLevel: z.array(
    z.object({
      level: z.number(),
      values: z.record(z.string(), num),
      /** null when nothing has a value, or when the best ones are within the noise tolerance (see `tied`). */
      winner: z.string().nullable(),
      /** Profiles within the tolerance of the best value, when more than one. */
      tied: z.array(z.string()),
    }),
  ),
  /** The profile that wins at most levels; null when nothing ran or the count is tied. */
  winner: z.string().nullable(),
  /** Levels won, per profile. */
  wins: z.record(z.string(), z.number()),
});
export type ObjectiveResultDto = z.infer<typeof ObjectiveResultSchema>;
export const ComparisonSchema = z.object({
  /** Relative difference below which two values count as a tie (run-to-run noise). */
  tolerance: z.number(),
  objectives: z.array(ObjectiveResultSchema),
});
export type ComparisonDto = z.infer<typeof ComparisonSchema>;

export const BenchStatus = z.enum(['running', 'complete', 'stopped', 'failed']);
export const BENCH_SCHEMA_VERSION = 1;

export const BenchResultSchema = z.object({
  schemaVersion: z.literal(BENCH_SCHEMA_VERSION),
  id: z.string().regex(/^[a-z0-9-]{1,80}$/),
  name: z.string().max(200),
  kind: z.enum(['run', 'sweep']),
  createdAt: z.number(),
  finishedAt: z.number().nullable(),
  status: BenchStatus,
  message: z.string().nullable(),
  workload: WorkloadSchema,
  levels: LevelsSchema,
  environment: EnvironmentSchema,
  profiles: z.array(ProfileRunSchema),
  comparison: ComparisonSchema,
});
export type BenchResultDto = z.infer<typeof BenchResultSchema>;

export const BenchSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['run', 'sweep']),
  createdAt: z.number(),
  status: BenchStatus,
  model: z.string().nullable(),
  gpu: z.string().nullable(),
  profiles: z.array(z.string()),
  levels: LevelsSchema,
  /** Best output tokens/s of the run. */
  bestOutputTps: num,
});
export type BenchSummaryDto = z.infer<typeof BenchSummarySchema>;

/** Live numbers of the level in progress (completed requests so far). */
export const LiveStatsSchema = z.object({
  completed: z.number(),
  errors: z.number(),
  inFlight: z.number(),
  outputTokensPerS: num,
  ttftP50Ms: num,
  ttftP95Ms: num,
  itlMeanMs: num,
});
export type LiveStatsDto = z.infer<typeof LiveStatsSchema>;

export const BenchPhase = z.enum(['preparing', 'stopping-server', 'starting-server', 'warmup', 'running', 'draining', 'saving']);
export const BenchEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    id: z.string(),
    phase: BenchPhase,
    profileId: z.string().nullable(),
    level: z.number().nullable(),
    /** Levels finished (or skipped) so far, and how many there are in all. */
    levelsDone: z.number(),
    levelsTotal: z.number(),
    /** 0–1 of the whole run. */
    fraction: z.number(),
    elapsedS: z.number(),
    /** Seconds left (estimate); null until there is something to estimate from. */
    etaS: num,
    live: LiveStatsSchema.nullable(),
  }),
  /** The result so far, after every finished level, skipped profile and at the end. */
  z.object({ type: z.literal('partial'), id: z.string(), result: BenchResultSchema }),
  z.object({ type: z.literal('finished'), id: z.string(), status: BenchStatus, message: z.string().nullable() }),
]);
export type BenchEventDto = z.infer<typeof BenchEventSchema>;

export const BenchRunRequest = z
  .object({
    /** Base URL of an OpenAI-compatible server (http://host:port). */
    url: z.string().url().max(2048),
    workload: WorkloadSchema,
    load: LoadSchema,
    name: z.string().max(200).optional(),
  })
  .strict();
export type BenchRunRequest = z.input<typeof BenchRunRequest>;
export type BenchRunParsed = z.output<typeof BenchRunRequest>;

export const BenchSweepRequest = z
  .object({
    workload: WorkloadSchema,
    profiles: z.array(ProfileId).min(1).max(16),
    levels: LevelsSchema,
    /** Flag edits applied to every profile (e.g. port). */
    overrides: FlagValuesSchema.optional(),
    gpus: z.array(z.number().int().nonnegative().max(1023)).max(1024).optional(),
    runtimeId: z.string().max(200).optional(),
    /** Longest wait for each server to become ready (first start of a big model downloads it). */
    readyTimeoutS: z.number().positive().max(86_400).default(1800),
    /** Leave the last profile's server running when the sweep ends (default: stop it). */
    leaveRunning: z.boolean().default(false),
    name: z.string().max(200).optional(),
  })
  .strict();
export type BenchSweepRequest = z.input<typeof BenchSweepRequest>;
export type BenchSweepParsed = z.output<typeof BenchSweepRequest>;

export const ExportFormat = z.enum(['json', 'csv', 'markdown']);
export type ExportFormat = z.infer<typeof ExportFormat>;

const BenchIdSchema = z.string().regex(/^[a-z0-9-]{1,80}$/, 'not a bench result id');

export const benchCommands = {
  /** Starts one workload against a URL; answers at once with the id, progress comes as `bench` events. */
  'bench:run': { req: BenchRunRequest, res: z.object({ id: z.string() }) },
  /** Starts a profile sweep (restarts the panel's server with each profile); progress as `bench` events. */
  'bench:sweep': { req: BenchSweepRequest, res: z.object({ id: z.string() }) },
  /** Stops the running benchmark; its partial result is kept. */
  'bench:stop': { req: Empty, res: z.object({ stopped: z.boolean(), id: z.string().nullable() }) },
  /** Saved results, newest first, plus the id of the one running now. */
  'bench:list': { req: Empty, res: z.object({ runs: z.array(BenchSummarySchema), running: z.string().nullable() }) },
  'bench:get': { req: z.object({ id: BenchIdSchema }).strict(), res: BenchResultSchema },
  'bench:delete': { req: z.object({ id: BenchIdSchema }).strict(), res: z.object({ deleted: z.string() }) },
  /** One or more results as JSON, CSV (one row per profile × level) or a Markdown report; written to `path` when given. */
  'bench:export': {
    req: z.object({ ids: z.array(BenchIdSchema).min(1).max(50), format: ExportFormat, path: z.string().max(4096).optional() }).strict(),
    res: z.object({ text: z.string(), path: z.string().nullable(), mime: z.string(), filename: z.string() }),
  },
} as const;

export const benchEvents = {
  bench: BenchEventSchema,
} as const;
