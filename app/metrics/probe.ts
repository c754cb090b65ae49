// One look at a vLLM server (for `vllm-panel status`): /health, /version, /v1/models with
// max_model_len, and the serving stats from two /metrics scrapes `gapMs` apart. Works against any
// server, started by the panel or not.
import { z } from 'zod';
import type { Remedy } from '../contract/common';
import type { ScrapeErrorKind, WindowStats } from '../contract/metrics';
import { accessLogRemedy } from './access-log';
import { fetchGetter, fetchText } from './fetch-text';
import { toWindowStats } from './history';
import { scrapeOnce } from './scraper';
import { deriveStats, type VllmSnapshot } from './vllm-map';

const VersionBody = z.object({ version: z.string().max(200) });
const ModelsBody = z.object({
  data: z.array(
    z.object({
      id: z.string().max(1000),
      root: z.string().max(1000).nullish(),
      max_model_len: z.number().int().positive().nullish(),
    }),
  ),
});

export interface ProbeResult {
  url: string;
  reachable: boolean;
  health: { ok: boolean; status: number | null; error: { kind: ScrapeErrorKind; message: string } | null };
  version: string | null;
  models: { id: string; root: string | null; maxModelLen: number | null }[] | null;
  modelsError: string | null;
  metrics: {
    ok: boolean;
    error: { kind: ScrapeErrorKind; message: string } | null;
    /** Between the two scrapes. */
    window: WindowStats | null;
    /** Latency from the cumulative histograms (every request since the server started). */
    sinceStart: WindowStats['latency'] | null;
    engines: string[];
    modelNames: string[];
    bodyBytes: number | null;
    scrapeMs: number | null;
    parseIssues: number;
  };
  /** Scraping every second floods vLLM's access log unless it is told to skip /metrics. */
  accessLogTip: Remedy;
}

export interface ProbeOptions {
  apiKey?: string;
  /** Time between the two scrapes (default 1 s). */
  gapMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Latency stats over everything the histograms hold (rates in the result are meaningless and dropped by the caller). */
function cumulativeLatency(cur: VllmSnapshot): WindowStats['latency'] {
  const zero: VllmSnapshot = {
    ...cur,
    t: cur.t - 1,
    promptTokens: 0,
    generationTokens: 0,
    requestsFinished: 0,
    preemptions: 0,
    prefixQueries: 0,
    prefixHits: 0,
    hist: {},
  };
  return toWindowStats(deriveStats(zero, cur)).latency;
}

export async function probeServer(fetchImpl: typeof fetch, url: string, o: ProbeOptions = {}): Promise<ProbeResult> {
  const timeoutMs = o.timeoutMs ?? 3000;
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const get = (path: string, accept = 'application/json') =>
    fetchText(fetchImpl, `${url}${path}`, { timeoutMs, maxBytes: 1024 * 1024, accept, ...(o.apiKey ? { apiKey: o.apiKey } : {}) });

  const result: ProbeResult = {
    url,
    reachable: false,
    health: { ok: false, status: null, error: null },
    version: null,
    models: null,
    modelsError: null,
    metrics: {
      ok: false,
      error: null,
      window: null,
      sinceStart: null,
      engines: [],
      modelNames: [],
      bodyBytes: null,
      scrapeMs: null,
      parseIssues: 0,
    },
    accessLogTip: accessLogRemedy(null, 1000),
  };

  const h = await get('/health', '*/*');
  if (!h.ok && h.status === undefined) {
    // Nothing answered HTTP at all: the other checks would say the same thing three more times.
    result.health.error = { kind: h.kind, message: h.message };
    return result;
  }
  result.reachable = true;
  result.health = h.ok
    ? { ok: true, status: h.status, error: null }
    : { ok: false, status: h.status ?? null, error: { kind: h.kind, message: h.message } };

  const [v, m] = await Promise.all([get('/version'), get('/v1/models')]);
  if (v.ok) {
    try {
      const parsed = VersionBody.safeParse(JSON.parse(v.text));
      if (parsed.success) result.version = parsed.data.version;
    } catch {
      // not JSON: leave the version unknown
    }
  }
  if (m.ok) {
    try {
      const parsed = ModelsBody.safeParse(JSON.parse(m.text));
      if (parsed.success)
        result.models = parsed.data.data.map((d) => ({ id: d.id, root: d.root ?? null, maxModelLen: d.max_model_len ?? null }));
      else result.modelsError = '/v1/models answered, but not with an OpenAI model list';
    } catch {
      result.modelsError = '/v1/models answered, but not with JSON';
    }
  } else result.modelsError = m.message;
  result.accessLogTip = accessLogRemedy(result.version, 1000);

  const target = { url, ...(o.apiKey ? { apiKey: o.apiKey } : {}) };
  const a = await scrapeOnce(fetchGetter(fetchImpl), target, { timeoutMs, now });
  if (!a.ok) {
    result.metrics.error = { kind: a.kind, message: a.message };
    return result;
  }
  await sleep(o.gapMs ?? 1000);
  const b = await scrapeOnce(fetchGetter(fetchImpl), target, { timeoutMs, now });
  const last = b.ok ? b : a;
  result.metrics = {
    ok: true,
    error: b.ok ? null : { kind: b.kind, message: b.message },
    window: b.ok ? toWindowStats(deriveStats(a.snapshot, b.snapshot)) : null,
    sinceStart: cumulativeLatency(last.snapshot),
    engines: last.snapshot.engines,
    modelNames: last.snapshot.modelNames,
    bodyBytes: last.bytes,
    scrapeMs: last.ms,
    parseIssues: last.parsed.issues.length,
  };
  return result;
}
