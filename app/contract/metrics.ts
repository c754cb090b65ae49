// Contract of the metrics module (issue 6): scraping a vLLM server's /metrics (the one the panel
// launched, followed automatically, or any server the user attaches to by URL), the derived
// serving stats over sliding windows, GPU telemetry on the same timeline, and server events as
// annotations. Every number is finite or null (JSON carries no NaN/Infinity).
import { z } from 'zod';
import { Empty, Remedy } from './common';

const num = z.number().nullable();

/** A histogram quantile. `atLeast`: the rank fell in the +Inf bucket, so the value is the largest finite bound ("≥"). */
export const QuantileSchema = z.object({ value: z.number(), atLeast: z.boolean() });

export const LatencyStatsSchema = z.object({
  /** Δsum / Δcount over the window (seconds). */
  mean: num,
  p50: QuantileSchema.nullable(),
  p95: QuantileSchema.nullable(),
  p99: QuantileSchema.nullable(),
  /** Observations in the window. */
  n: z.number(),
});

/** Serving stats between the start and the end of a window (app/metrics/vllm-map.ts DerivedStats). */
export const WindowStatsSchema = z.object({
  /** End of the window (epoch ms). */
  t: z.number(),
  /** Seconds actually covered (shorter than asked while the history is young). */
  windowS: z.number(),
  promptTokensPerS: z.number(),
  generationTokensPerS: z.number(),
  requestsPerS: z.number(),
  preemptionsPerS: z.number(),
  running: z.number(),
  waiting: z.number(),
  kvUsagePct: num,
  kvUsageMaxPct: num,
  prefixHitRatePct: num,
  latency: z.object({
    ttft: LatencyStatsSchema,
    itl: LatencyStatsSchema,
    e2e: LatencyStatsSchema,
    queue: LatencyStatsSchema,
    tpot: LatencyStatsSchema,
  }),
  reset: z.boolean(),
});
export type WindowStats = z.infer<typeof WindowStatsSchema>;

/** One GPU at one point of the timeline (from the GPU poller's latest nvidia-smi snapshot). */
export const GpuSampleSchema = z.object({
  index: z.number().int().nonnegative(),
  util: num,
  memUsedMiB: num,
  powerW: num,
  tempC: num,
});
export type GpuSample = z.infer<typeof GpuSampleSchema>;

/**
 * One row of the shared timeline. Rates are over the last RATE_WINDOW_S (5 s); percentiles and
 * the prefix hit rate over the last LATENCY_WINDOW_S (10 s); gauges are the scraped values.
 * Latencies in seconds. A row with `up: false` is a failed scrape (the lines break there).
 */
export const MetricsPointSchema = z.object({
  t: z.number(),
  up: z.boolean(),
  genTps: num,
  promptTps: num,
  reqPs: num,
  preemptPs: num,
  running: num,
  waiting: num,
  kvPct: num,
  kvMaxPct: num,
  prefixHitPct: num,
  ttftP50: num,
  ttftP95: num,
  ttftP99: num,
  itlP50: num,
  itlP95: num,
  e2eP50: num,
  e2eP95: num,
  queueP50: num,
  queueP95: num,
  tpotP50: num,
  gpus: z.array(GpuSampleSchema),
});
export type MetricsPoint = z.infer<typeof MetricsPointSchema>;

/** The numeric series of a point, in chart/CSV order. */
export const POINT_SERIES = [
  'genTps',
  'promptTps',
  'reqPs',
  'preemptPs',
  'running',
  'waiting',
  'kvPct',
  'kvMaxPct',
  'prefixHitPct',
  'ttftP50',
  'ttftP95',
  'ttftP99',
  'itlP50',
  'itlP95',
  'e2eP50',
  'e2eP95',
  'queueP50',
  'queueP95',
  'tpotP50',
] as const satisfies readonly (keyof MetricsPoint)[];
export type PointSeries = (typeof POINT_SERIES)[number];

export const AnnotationKind = z.enum([
  'starting',
  'ready',
  'restart',
  'profile',
  'crash',
  'failed',
  'stopped',
  'attached',
  'down',
  'up',
  'reset',
]);
export type AnnotationKind = z.infer<typeof AnnotationKind>;

/** A server event on the timeline (drawn as a vertical line on every chart). */
export const MetricsAnnotationSchema = z.object({ t: z.number(), kind: AnnotationKind, text: z.string() });
export type MetricsAnnotation = z.infer<typeof MetricsAnnotationSchema>;

/** Static facts about a GPU on the timeline (for axis limits and legends). */
export const GpuMetaSchema = z.object({
  index: z.number().int().nonnegative(),
  name: z.string(),
  memoryTotalMiB: num,
  powerLimitW: num,
});

export const ScrapeErrorKind = z.enum(['refused', 'timeout', 'http', 'unauthorized', 'too_large', 'truncated', 'not_vllm', 'network']);
export type ScrapeErrorKind = z.infer<typeof ScrapeErrorKind>;

export const MetricsStateSchema = z.object({
  /** What is scraped: the server the panel launched (followed automatically) or a URL the user attached. Null: nothing. */
  target: z
    .object({
      url: z.string(),
      source: z.enum(['server', 'attached']),
      hasApiKey: z.boolean(),
    })
    .nullable(),
  /**
   * idle: no target. connecting: no successful scrape yet (a starting server has no /metrics yet).
   * up: the last scrape worked. down: it worked before and fails now. stopped: the followed server ended.
   */
  status: z.enum(['idle', 'connecting', 'up', 'down', 'stopped']),
  /** When the current status began (for `down`: down since). */
  since: num,
  lastOkAt: num,
  /** Next scrape attempt while backing off (null while scraping normally). */
  nextAttemptAt: num,
  /** Consecutive failed scrapes. */
  failures: z.number().int().nonnegative(),
  error: z.object({ kind: ScrapeErrorKind, message: z.string() }).nullable(),
  intervalMs: z.number(),
  /** Duration and size of the last successful scrape. */
  scrapeMs: num,
  bodyBytes: num,
  /** Lines of the last body that could not be parsed (reported, never thrown). */
  parseIssues: z.number().int().nonnegative(),
  modelNames: z.array(z.string()),
  engines: z.array(z.string()),
  /** v0.8 counted prefix-cache lookups in blocks, later versions in tokens. */
  prefixUnit: z.enum(['tokens', 'blocks']),
  /** Whether this machine's GPUs are charted (launched server, or an attached URL on this host). */
  gpuTelemetry: z.boolean(),
  /** Advice about the followed server (e.g. its access log gets one line per scrape). */
  tips: z.array(Remedy),
});
export type MetricsState = z.infer<typeof MetricsStateSchema>;

const WindowEntry = z.object({ windowS: z.number(), stats: WindowStatsSchema.nullable() });

export const MetricsSeriesSchema = z.object({
  state: MetricsStateSchema,
  windowS: z.number(),
  /** Rows of the window, oldest first, downsampled to at most maxPoints (bucket means). */
  points: z.array(MetricsPointSchema),
  /** True when the rows are bucket means of more scrapes. */
  downsampled: z.boolean(),
  annotations: z.array(MetricsAnnotationSchema),
  /** Stats over the whole window (tiles). */
  stats: WindowStatsSchema.nullable(),
  gpus: z.array(GpuMetaSchema),
});
export type MetricsSeries = z.infer<typeof MetricsSeriesSchema>;

export const RawFamilySchema = z.object({
  name: z.string(),
  type: z.string(),
  help: z.string(),
  /** Values as exposition text ("NaN", "+Inf" survive JSON). */
  samples: z.array(z.object({ name: z.string(), labels: z.record(z.string(), z.string()), value: z.string() })),
});

/** Windows the `metrics` event carries stats for (the UI's 1/5/15-minute choices). */
export const METRICS_WINDOWS_S = [60, 300, 900] as const;

export const metricsCommands = {
  'metrics:state': { req: Empty, res: MetricsStateSchema },
  /** Scrape any vLLM server by URL ("attach to existing server"); replaces following the launched one. */
  'metrics:attach': {
    req: z
      .object({
        url: z.string().trim().min(1).max(2048),
        apiKey: z.string().max(4096).optional(),
      })
      .strict(),
    res: MetricsStateSchema,
  },
  /** Stops scraping the attached URL (the launched server, if any, is followed again). */
  'metrics:detach': { req: Empty, res: MetricsStateSchema },
  /** The bounded timeline of the last windowS seconds, with annotations and the window's stats. */
  'metrics:series': {
    req: z
      .object({
        windowS: z.number().int().min(10).max(3600),
        maxPoints: z.number().int().min(10).max(2000).optional(),
      })
      .strict(),
    res: MetricsSeriesSchema,
  },
  /** The last scraped body, parsed (for a raw view): every family, unknown ones included. */
  'metrics:raw': {
    req: z
      .object({ filter: z.string().max(200).optional(), maxSamples: z.number().int().min(1).max(20_000).optional() })
      .strict()
      .optional(),
    res: z.object({
      at: num,
      bytes: num,
      families: z.array(RawFamilySchema),
      /** Samples left out by maxSamples. */
      omitted: z.number().int().nonnegative(),
      /** Families the dashboard does not chart. */
      unknownFamilies: z.array(z.string()),
      issues: z.array(z.object({ line: z.number(), message: z.string(), text: z.string() })),
    }),
  },
} as const;

export const metricsEvents = {
  /**
   * Pushed at most every 100 ms while something is scraped: the state, the rows and annotations
   * added since the last event, and the stats of the 1/5/15-minute windows. `reset`: the timeline
   * was cleared (new target): reload with metrics:series.
   */
  metrics: z.object({
    state: MetricsStateSchema,
    points: z.array(MetricsPointSchema),
    annotations: z.array(MetricsAnnotationSchema),
    windows: z.array(WindowEntry),
    gpus: z.array(GpuMetaSchema),
    reset: z.boolean(),
  }),
} as const;
