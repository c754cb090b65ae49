// The load generator: one workload at one load level against an OpenAI-compatible server.
// Sends streaming requests on the schedule (schedule.ts), measures each one (TTFT, the gaps
// between streamed chunks, end-to-end, output tokens from usage), aggregates them with stats.ts
// (throughput, percentiles, goodput against the user's SLOs), records the server's /metrics
// deltas over the measured window, and reports what the client itself cost. Stopping (signal)
// cuts the requests in flight and keeps everything that finished.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ClientStatsDto, LevelResultDto, LiveStatsDto, LoadDto, WorkloadDto } from '../contract/bench';
import { type PromptSet, preparePrompts } from './prompts';
import { realScheduleClock, runSchedule, type ScheduleClock } from './schedule';
import { type ScrapeResult, scrapeVllm, serverDelta } from './server-metrics';
import { aggregate, meetsSlo, percentile, type RequestRecord, summarize } from './stats';
import { StreamClient } from './stream-client';

export type LivePhase = 'warmup' | 'running' | 'draining';

export interface LoadgenOptions {
  url: string;
  workload: WorkloadDto;
  load: LoadDto;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Prepared once per sweep (the same prompts at every level); built here when absent. */
  prompts?: PromptSet;
  /** The model name to send; undefined: ask /v1/models (the workload's model wins). */
  model?: string | null;
  onLive?: (live: LiveStatsDto, phase: LivePhase) => void;
  liveIntervalMs?: number;
  /**
   * Request numbers start here: a sweep moves it on at every level so no level re-sends the
   * prompts of an earlier one (they would be prefix-cache hits and measure something else).
   */
  indexOffset?: number;
  /** Record /metrics before and after (default true). */
  scrapeMetrics?: boolean;
  clock?: ScheduleClock;
  wallNow?: () => number;
}

/** The first model id of GET /v1/models, or null when the server does not say. */
export async function resolveModel(fetchImpl: typeof fetch, baseUrl: string, apiKey?: string): Promise<string | null> {
  try {
    const res = await fetchImpl(`${baseUrl.replace(/\/+$/, '')}/v1/models`, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(5000),
    });
    if (res.status !== 200) return null;
    const body = (await res.json()) as { data?: { id?: unknown }[] };
    const id = body?.data?.[0]?.id;
    return typeof id === 'string' && id ? id : null;
  } catch {
    return null;
  }
}

function maxOf(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let m = xs[0]!;
  for (const x of xs) if (x > m) m = x;
  return m;
}

export const API_PATHS = { completions: '/v1/completions', chat: '/v1/chat/completions' } as const;

export async function runLoad(o: LoadgenOptions): Promise<LevelResultDto> {
  const w = o.workload;
  const fetchImpl = o.fetch ?? globalThis.fetch;
  const clock = o.clock ?? realScheduleClock;
  const wallNow = o.wallNow ?? Date.now;
  const startedAt = wallNow();
  const model = w.model ?? (o.model !== undefined ? o.model : await resolveModel(fetchImpl, o.url, w.apiKey));
  const prompts = o.prompts ?? (await preparePrompts(w, model));
  const path = API_PATHS[w.api];
  const timeoutMs = w.requestTimeoutS * 1000;
  const maxSockets = o.load.mode === 'concurrency' ? Math.ceil(o.load.value) : w.maxInFlight;
  const client = new StreamClient({ baseUrl: o.url, apiKey: w.apiKey, maxSockets, now: () => clock.now() });
  const scrape = (o.scrapeMetrics ?? true) ? () => scrapeVllm(fetchImpl, o.url, { apiKey: w.apiKey, modelName: model ?? undefined }) : null;

  const records: RequestRecord[] = [];
  const errorSamples = new Map<string, string>();
  let cancelled = 0;
  let lastEnd = Number.NEGATIVE_INFINITY;
  let totalTokens = 0;
  // Live numbers: cheap running sums, percentiles over completed requests only.
  const liveTtft: number[] = [];
  let liveTokens = 0;
  let liveErrors = 0;
  let liveGapSum = 0;
  let liveGapN = 0;
  let inFlight = 0;
  let measureStart: number | null = null;
  let before: Promise<ScrapeResult> | null = null;
  let sendingDone = false;

  // Without warm-up the "before" snapshot is taken first and awaited: its fetch (and loading
  // undici on the first call, ~0.2 s of blocked event loop) must not land inside the measurement.
  if (scrape && w.warmupRequests === 0) before = Promise.resolve(await scrape());
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const cpuT0 = clock.now();

  const send = async (index: number, warmup: boolean): Promise<void> => {
    const b0 = clock.now();
    const req = prompts.request(index + (o.indexOffset ?? 0));
    client.overheadMs += clock.now() - b0;
    inFlight++;
    const r = await client.request(path, req.body, timeoutMs);
    inFlight--;
    totalTokens += r.outputTokens;
    if (warmup) return;
    if (r.cancelled) {
      cancelled++;
      return;
    }
    const rec: RequestRecord = {
      ok: r.ok,
      ttftMs: r.ttftMs,
      itlMs: r.itlMs,
      e2eMs: r.endedAt - r.startedAt,
      outputTokens: r.outputTokens,
      promptTokens: r.promptTokens ?? req.promptTokensEstimate ?? 0,
      ...(r.ok ? {} : { errorKind: r.errorKind ?? 'unknown' }),
    };
    records.push(rec);
    if (r.endedAt > lastEnd) lastEnd = r.endedAt;
    if (r.ok) {
      if (r.ttftMs !== null) liveTtft.push(r.ttftMs);
      liveTokens += r.outputTokens;
      for (const g of r.itlMs) liveGapSum += g;
      liveGapN += r.itlMs.length;
    } else {
      liveErrors++;
      const kind = r.errorKind ?? 'unknown';
      if (!errorSamples.has(kind) && errorSamples.size < 20) errorSamples.set(kind, (r.errorMessage ?? kind).slice(0, 500));
    }
  };

  const liveStats = (): LiveStatsDto => {
    const sorted = [...liveTtft].sort((a, b) => a - b);
    const elapsed = measureStart === null ? 0 : (clock.now() - measureStart) / 1000;
    return {
      completed: records.length,
      errors: liveErrors,
      inFlight,
      outputTokensPerS: elapsed > 0 ? liveTokens / elapsed : null,
      ttftP50Ms: percentile(sorted, 50),
      ttftP95Ms: percentile(sorted, 95),
      itlMeanMs: liveGapN > 0 ? liveGapSum / liveGapN : null,
    };
  };
  const phase = (): LivePhase => {
    if (measureStart === null) return 'warmup';
    const timeUp = w.durationS !== undefined && clock.now() >= measureStart + w.durationS * 1000;
    return sendingDone || timeUp ? 'draining' : 'running';
  };
  const liveTimer = o.onLive ? setInterval(() => o.onLive?.(liveStats(), phase()), o.liveIntervalMs ?? 500) : undefined;
  liveTimer?.unref?.();

  const onAbort = () => client.cancelAll();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let report: Awaited<ReturnType<typeof runSchedule>>;
  try {
    report = await runSchedule({
      load: o.load,
      warmupRequests: w.warmupRequests,
      requests: w.requests,
      durationS: w.durationS,
      maxInFlight: w.maxInFlight,
      seed: w.seed,
      clock,
      signal: o.signal,
      send: (i, warm) => {
        const p = send(i, warm);
        if (!warm && w.requests !== undefined && i + 1 - w.warmupRequests >= w.requests) sendingDone = true;
        return p;
      },
      onMeasureStart: (t) => {
        measureStart = t;
        if (scrape && before === null) before = scrape();
      },
    });
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    if (liveTimer) clearInterval(liveTimer);
    client.close();
    loop.disable();
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuWallMs = clock.now() - cpuT0;

  let server: LevelResultDto['server'] = null;
  let serverNote: string | null = scrape ? null : 'not recorded';
  if (scrape && before) {
    const [b, a] = [await before, await scrape()];
    if (b.ok && a.ok) server = serverDelta(b.snapshot, a.snapshot);
    else serverNote = !b.ok ? b.message : !a.ok ? a.message : null;
  }

  const durationS = report.measureStart !== null && lastEnd > report.measureStart ? (lastEnd - report.measureStart) / 1000 : 0;
  const agg = aggregate(records, durationS, w.slo);
  const ok = records.filter((r) => r.ok);
  const goodCount = records.filter((r) => meetsSlo(r, w.slo)).length;
  const cpuUs = cpu.user + cpu.system;
  const p99 = loop.percentile(99);
  const clientStats: ClientStatsDto = {
    overheadUsPerToken: totalTokens > 0 ? (client.overheadMs * 1000) / totalTokens : null,
    cpuUsPerToken: totalTokens > 0 ? cpuUs / totalTokens : null,
    cpuPct: cpuWallMs > 0 ? (cpuUs / 1000 / cpuWallMs) * 100 : null,
    eventLoopDelayP99Ms: Number.isFinite(p99) && p99 > 0 ? p99 / 1e6 : null,
    peakInFlight: report.peakInFlight,
    delayedArrivals: report.delayedArrivals,
  };
  return {
    load: o.load,
    startedAt,
    finishedAt: wallNow(),
    aggregate: {
      ...agg,
      cancelled,
      goodputPct: records.length > 0 ? (100 * goodCount) / records.length : null,
      stallMs: summarize(ok.map((r) => maxOf(r.itlMs)).filter((x): x is number => x !== null)),
      tpotMs: summarize(ok.filter((r) => r.outputTokens > 1 && r.ttftMs !== null).map((r) => (r.e2eMs - r.ttftMs!) / (r.outputTokens - 1))),
      promptTokens: summarize(ok.map((r) => r.promptTokens)),
    },
    errorSamples: [...errorSamples].map(([kind, message]) => ({ kind, message })),
    server,
    serverNote,
    client: clientStats,
    stopped: report.stopped,
    promptIssues: prompts.issues.slice(0, 50),
  };
}
