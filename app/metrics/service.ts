// The metrics module's long-lived state inside one core: what is scraped (the launched server,
// followed automatically while it is starting or ready, or a URL the user attached), the
// history, server events as annotations, GPU telemetry on the same timeline, and the batched
// `metrics` event (at most every 100 ms).
import type { Remedy } from '../contract/common';
import type { GpuSnapshot } from '../contract/gpu';
import {
  type GpuSample,
  METRICS_WINDOWS_S,
  type MetricsAnnotation,
  type MetricsPoint,
  type MetricsSeries,
  type MetricsState,
  type ScrapeErrorKind,
} from '../contract/metrics';
import type { ServerStateDto } from '../contract/server';
import { gpuService } from '../gpu/service';
import type { CoreContext } from '../host/context';
import { PanelError } from '../host/context';
import { argValue, serverService } from '../server/handlers';
import { accessLogQuiet, accessLogRemedy } from './access-log';
import { isLoopbackUrl, normaliseBaseUrl } from './fetch-text';
import { DEFAULT_MAX_POINTS, MetricsHistory } from './history';
import { parsePrometheusText } from './prom-parser';
import { type ScrapeOutcome, Scraper, scrapeTimeoutMs } from './scraper';

/** Events at most every 100 ms (10 Hz): the UI batches per frame, so faster would only cost CPU. */
export const EMIT_MIN_GAP_MS = 100;
/** How often the launched server's state is looked at (its transitions become annotations). */
export const SERVER_WATCH_MS = 500;

type GpuMeta = MetricsSeries['gpus'][number];

interface Target {
  url: string;
  apiKey?: string;
  source: 'server' | 'attached';
}

export interface MetricsServiceOptions {
  /** Follow the launched server automatically (off for one-shot CLI commands). */
  follow?: boolean;
  /** Cap on a /metrics body (tests use a small one). */
  maxBytes?: number;
}

const isActive = (s: ServerStateDto['status']) => s === 'starting' || s === 'ready';

function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

export class MetricsService {
  readonly history = new MetricsHistory();
  readonly scraper: Scraper;
  private target: Target | null = null;
  private status: MetricsState['status'] = 'idle';
  private since: number | null = null;
  private lastOkAt: number | null = null;
  private error: { kind: ScrapeErrorKind; message: string } | null = null;
  private scrapeMs: number | null = null;
  private bodyBytes: number | null = null;
  private parseIssues = 0;
  private modelNames: string[] = [];
  private engines: string[] = [];
  private prefixUnit: 'tokens' | 'blocks' = 'tokens';
  /**
   * The last body, for the raw view. Kept as text and parsed again on demand: a parse is ~1,000
   * small objects that would otherwise outlive every scrape and burden the old-generation GC.
   */
  private latest: { text: string; at: number; bytes: number; unknownFamilies: string[] } | undefined;
  private gpuTelemetry = false;
  private gpuWatching = false;
  private gpuMeta = new Map<number, GpuMeta>();
  private lastGpuSnap: GpuSnapshot | undefined;
  /** The next successful scrape starts a new counter baseline (a new run of the launched server). */
  private forceReset = false;
  private lastServer: ServerStateDto | undefined;
  private lastRunAnnotated = 0;
  private lastProfileId: string | null | undefined;
  private tips: Remedy[] = [];
  private pending: { points: MetricsPoint[]; annotations: MetricsAnnotation[]; reset: boolean } = {
    points: [],
    annotations: [],
    reset: false,
  };
  private emitTimer: unknown;
  private lastEmitAt = 0;
  private serverTimer: unknown;
  private waiters: ((r: ScrapeOutcome) => void)[] = [];
  private disposed = false;

  constructor(
    private readonly ctx: CoreContext,
    opts: MetricsServiceOptions = {},
  ) {
    this.scraper = new Scraper({
      // The real fetch is replaced by the lighter node:http transport; an injected one (tests) is used as is.
      ...(ctx.deps.fetch !== globalThis.fetch ? { fetch: ctx.deps.fetch } : {}),
      clock: ctx.deps.clock,
      intervalMs: () => this.intervalMs,
      ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
      onResult: (r) => this.onResult(r),
      onIdleTick: (t) => this.onIdleTick(t),
    });
    ctx.onDispose(() => this.dispose());
    if (opts.follow ?? true) {
      // The supervisor reports through one onState callback (wired to the `server` event); its
      // state object is replaced on every change, so a cheap reference check finds transitions.
      this.checkServer();
      const h = ctx.deps.clock.setInterval(() => this.checkServer(), SERVER_WATCH_MS);
      (h as { unref?: () => void } | undefined)?.unref?.();
      this.serverTimer = h;
    }
  }

  get intervalMs(): number {
    return this.ctx.settings.get().metricsIntervalMs;
  }

  state(): MetricsState {
    return {
      target: this.target ? { url: this.target.url, source: this.target.source, hasApiKey: Boolean(this.target.apiKey) } : null,
      status: this.status,
      since: this.since,
      lastOkAt: this.lastOkAt,
      nextAttemptAt: this.scraper.active ? this.scraper.backoffUntil : null,
      failures: this.scraper.consecutiveFailures,
      error: this.error,
      intervalMs: this.intervalMs,
      scrapeMs: this.scrapeMs,
      bodyBytes: this.bodyBytes,
      parseIssues: this.parseIssues,
      modelNames: this.modelNames,
      engines: this.engines,
      prefixUnit: this.prefixUnit,
      gpuTelemetry: this.gpuTelemetry,
      tips: this.tips,
    };
  }

  series(windowS: number, maxPoints = DEFAULT_MAX_POINTS): MetricsSeries {
    return {
      state: this.state(),
      windowS,
      ...this.history.series(windowS, maxPoints),
      stats: this.history.windowStats(windowS, this.intervalMs),
      gpus: [...this.gpuMeta.values()],
    };
  }

  raw(filter?: string, maxSamples = 5000) {
    const l = this.latest;
    if (!l) return { at: null, bytes: null, families: [], omitted: 0, unknownFamilies: [], issues: [] };
    const f = filter?.trim().toLowerCase();
    let left = maxSamples;
    let omitted = 0;
    const families = [];
    const parsed = parsePrometheusText(l.text);
    for (const fam of parsed.families.values()) {
      if (f && !fam.name.toLowerCase().includes(f)) continue;
      const take = fam.samples.slice(0, Math.max(0, left));
      omitted += fam.samples.length - take.length;
      left -= take.length;
      families.push({
        name: fam.name,
        type: fam.type,
        help: fam.help,
        samples: take.map((s) => ({ name: s.name, labels: { ...s.labels }, value: formatSampleValue(s.value) })),
      });
    }
    return {
      at: l.at,
      bytes: l.bytes,
      families,
      omitted,
      unknownFamilies: l.unknownFamilies,
      issues: parsed.issues.slice(0, 50).map((i) => ({ line: i.line, message: i.message, text: i.text.slice(0, 300) })),
    };
  }

  /** Scrapes a server the panel did not start. Waits for the first attempt so the answer says whether it worked. */
  async attach(url: string, apiKey?: string): Promise<MetricsState> {
    let base: string;
    try {
      base = normaliseBaseUrl(url);
    } catch (err) {
      throw new PanelError(
        'invalid_url',
        `Not a server URL: ${(err as Error).message}`,
        [{ label: 'Enter the server address, e.g. http://127.0.0.1:8000' }],
        'url',
      );
    }
    const key = apiKey?.trim() ? apiKey.trim() : undefined;
    const same = this.target?.source === 'attached' && this.target.url === base && this.target.apiKey === key;
    const first = this.nextResult();
    if (same) this.scraper.kick();
    else {
      this.retarget({ url: base, source: 'attached', ...(key ? { apiKey: key } : {}) }, isLoopbackUrl(base));
      this.annotate('attached', `attached to ${base}`);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([first, new Promise((r) => (timer = setTimeout(r, scrapeTimeoutMs(this.intervalMs) + 500)))]);
    clearTimeout(timer);
    return this.state();
  }

  /** Stops scraping the attached URL; the launched server is followed again when it runs. */
  detach(): MetricsState {
    if (this.target?.source === 'attached') {
      this.scraper.stop();
      this.setGpuWatch(false);
      this.target = null;
      this.status = 'idle';
      this.since = null;
      this.error = null;
      this.clearHistory();
      this.lastServer = undefined;
      this.checkServer();
    }
    return this.state();
  }

  private nextResult(): Promise<ScrapeOutcome> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private clearHistory(): void {
    this.history.clear();
    this.latest = undefined;
    this.lastOkAt = null;
    this.scrapeMs = null;
    this.bodyBytes = null;
    this.parseIssues = 0;
    this.modelNames = [];
    this.engines = [];
    this.gpuMeta.clear();
    this.pending = { points: [], annotations: [], reset: true };
    this.queueEmit();
  }

  /** Points the scraper at a new target; a different server starts a new timeline. */
  private retarget(t: Target, gpuTelemetry: boolean): void {
    const sameServer = this.target?.source === 'server' && t.source === 'server';
    if (!sameServer) this.clearHistory();
    this.target = t;
    this.status = 'connecting';
    this.since = this.ctx.deps.clock.now();
    this.error = null;
    this.gpuTelemetry = gpuTelemetry;
    this.setGpuWatch(gpuTelemetry);
    this.scraper.start({ url: t.url, ...(t.apiKey ? { apiKey: t.apiKey } : {}) });
    this.queueEmit();
  }

  private setGpuWatch(on: boolean): void {
    if (on === this.gpuWatching) return;
    this.gpuWatching = on;
    gpuService(this.ctx).poller.watch(on);
  }

  private annotate(kind: MetricsAnnotation['kind'], text: string, t = this.ctx.deps.clock.now()): void {
    const a = { t, kind, text: text.slice(0, 300) };
    this.history.annotate(a);
    this.pending.annotations.push(a);
    this.queueEmit();
  }

  // --- the launched server -------------------------------------------------------------------

  /** Looks at the supervisor's state; transitions become annotations and start/stop following. */
  checkServer(): void {
    if (this.disposed) return;
    const s = serverService(this.ctx).supervisor.state;
    const prev = this.lastServer;
    if (s === prev) return;
    this.lastServer = s;
    const sameUrl = s.url !== null && this.target?.url === s.url;
    const ours = this.target === null || this.target.source === 'server' || sameUrl;
    const following = this.target?.source !== 'attached';
    // Retarget first: switching from nothing to the launched server clears the timeline, and the
    // annotations of this transition belong on the new one.
    if (following && isActive(s.status) && s.url) {
      if (this.target?.url !== s.url || !this.scraper.active) {
        this.retarget({ url: s.url, source: 'server', ...this.serverApiKey(s) }, true);
      }
      this.tips = accessLogQuiet(s.argv) ? [] : [accessLogRemedy(s.facts.vllmVersion ?? null, this.intervalMs)];
    } else if (following && this.target?.source === 'server' && this.scraper.active && !isActive(s.status)) {
      this.scraper.stop();
      this.setGpuWatch(false);
      this.status = 'stopped';
      this.since = this.ctx.deps.clock.now();
      this.queueEmit();
    }
    if (ours) this.annotateServer(prev, s);
    if (following && s.status === 'ready' && (prev?.status !== 'ready' || prev.runId !== s.runId)) this.scraper.kick();
  }

  private serverApiKey(s: ServerStateDto): { apiKey?: string } {
    const k = argValue(s.argv, '--api-key');
    return k && k !== '<redacted>' ? { apiKey: k } : {};
  }

  private annotateServer(prev: ServerStateDto | undefined, s: ServerStateDto): void {
    const now = this.ctx.deps.clock.now();
    if (isActive(s.status) && s.runId !== this.lastRunAnnotated) {
      this.lastRunAnnotated = s.runId;
      const prevProfile = this.lastProfileId;
      this.lastProfileId = s.profileId;
      // A server found already running when the panel starts is not an event of this timeline.
      if (prev === undefined) return;
      const restart = this.history.size > 0 || this.history.annotations.length > 0;
      this.annotate(
        restart ? 'restart' : 'starting',
        restart ? `server restarted (run ${s.runId})` : `server starting (run ${s.runId})`,
        s.startedAt ?? now,
      );
      if (prevProfile !== undefined && prevProfile !== null && s.profileId !== null && s.profileId !== prevProfile) {
        this.annotate('profile', `profile ${prevProfile} → ${s.profileId}`, s.startedAt ?? now);
      }
      // Counters of a new process start at 0; the next scrape is a new baseline.
      this.forceReset = this.history.snapshotCount > 0;
    }
    const entered = (st: ServerStateDto['status']) => s.status === st && (prev?.status !== st || prev.runId !== s.runId);
    if (prev === undefined) return;
    if (entered('ready')) this.annotate('ready', s.attached ? 'server ready (re-attached)' : 'server ready', s.readyAt ?? now);
    else if (entered('crashed'))
      this.annotate(
        'crash',
        `server crashed${s.diagnosis ? `: ${s.diagnosis.message}` : s.exitCode !== null ? ` (exit ${s.exitCode})` : s.signal ? ` (${s.signal})` : ''}`,
        s.endedAt ?? now,
      );
    else if (entered('failed')) this.annotate('failed', `start failed${s.diagnosis ? `: ${s.diagnosis.message}` : ''}`, s.endedAt ?? now);
    else if (entered('stopped')) this.annotate('stopped', 'server stopped', s.endedAt ?? now);
  }

  // --- scrape results ------------------------------------------------------------------------

  private gpuSamples(t: number): GpuSample[] {
    if (!this.gpuTelemetry) return [];
    const snap = gpuService(this.ctx).poller.latest;
    // nvidia-smi is polled on its own schedule; a snapshot older than a few polls is stale.
    const maxAge = Math.max(3 * this.ctx.settings.get().gpuPollMs, 5000);
    if (!snap || t - snap.at > maxAge) return [];
    if (snap.gpus.length === 0) {
      // No usable GPU here (no nvidia-smi, no driver): stop running nvidia-smi every poll for nothing.
      this.gpuTelemetry = false;
      this.setGpuWatch(false);
      return [];
    }
    if (snap !== this.lastGpuSnap) {
      this.lastGpuSnap = snap;
      for (const g of snap.gpus) {
        const m = this.gpuMeta.get(g.index);
        if (!m || m.name !== g.name || m.memoryTotalMiB !== g.memoryTotalMiB || m.powerLimitW !== g.powerLimitW) {
          this.gpuMeta.set(g.index, { index: g.index, name: g.name, memoryTotalMiB: g.memoryTotalMiB, powerLimitW: g.powerLimitW });
        }
      }
    }
    return snap.gpus.map((g) => ({
      index: g.index,
      util: g.utilizationPct,
      memUsedMiB: g.memoryUsedMiB,
      powerW: g.powerDrawW,
      tempC: g.temperatureC,
    }));
  }

  private onIdleTick(t: number): void {
    this.pending.points.push(this.history.addGap(t, this.gpuSamples(t)));
    this.queueEmit();
  }

  private onResult(r: ScrapeOutcome): void {
    for (const w of this.waiters.splice(0)) w(r);
    // Catch up with the supervisor first: a new run it reports is the reason for a counter reset
    // in this scrape, not something to annotate twice.
    if (this.target?.source === 'server' && this.serverTimer !== undefined) {
      const before = this.target;
      this.checkServer();
      // The server stopped or moved meanwhile: this answer belongs to the old one.
      if (this.target !== before || !this.scraper.active) return;
    }
    if (!r.ok) {
      this.error = { kind: r.kind, message: r.message };
      if (this.status === 'up') {
        this.status = 'down';
        this.since = r.t;
        if (this.target?.source === 'attached') this.annotate('down', `metrics unreachable: ${r.message}`, r.t);
      }
      this.pending.points.push(this.history.addGap(r.t, this.gpuSamples(r.t)));
      this.queueEmit();
      return;
    }
    if (this.status === 'down' && this.target?.source === 'attached') this.annotate('up', 'metrics reachable again', r.t);
    if (this.status !== 'up') {
      this.status = 'up';
      this.since = r.t;
    }
    this.error = null;
    this.lastOkAt = r.t;
    this.scrapeMs = r.ms;
    this.bodyBytes = r.bytes;
    this.parseIssues = r.parsed.issues.length;
    this.modelNames = r.snapshot.modelNames;
    this.engines = r.snapshot.engines;
    this.prefixUnit = r.snapshot.prefixUnit;
    this.latest = { text: r.text, at: r.t, bytes: r.bytes, unknownFamilies: r.snapshot.unknownFamilies };
    const forced = this.forceReset;
    this.forceReset = false;
    const { point, reset } = this.history.addScrape({
      raw: r.snapshot,
      startMarker: r.startMarker,
      forceReset: forced,
      intervalMs: this.intervalMs,
      gpus: this.gpuSamples(r.t),
    });
    // A restart the supervisor did not announce (an attached server, or one restarted outside the panel).
    if (reset && !forced) this.annotate('reset', 'counters reset: the server restarted', r.t);
    this.pending.points.push(point);
    this.queueEmit();
  }

  // --- events --------------------------------------------------------------------------------

  private queueEmit(): void {
    if (this.emitTimer !== undefined || this.disposed) return;
    const wait = Math.max(0, this.lastEmitAt + EMIT_MIN_GAP_MS - this.ctx.deps.clock.now());
    this.emitTimer = this.ctx.deps.clock.setTimeout(() => {
      this.emitTimer = undefined;
      this.flush();
    }, wait);
  }

  private flush(): void {
    if (this.disposed) return;
    this.lastEmitAt = this.ctx.deps.clock.now();
    const p = this.pending;
    this.pending = { points: [], annotations: [], reset: false };
    const interval = this.intervalMs;
    this.ctx.emit('metrics', {
      state: this.state(),
      points: p.points,
      annotations: p.annotations,
      windows: METRICS_WINDOWS_S.map((w) => ({ windowS: w, stats: this.history.windowStats(w, interval) })),
      gpus: [...this.gpuMeta.values()],
      reset: p.reset,
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.scraper.stop();
    this.setGpuWatch(false);
    if (this.serverTimer !== undefined) this.ctx.deps.clock.clearInterval(this.serverTimer);
    if (this.emitTimer !== undefined) this.ctx.deps.clock.clearTimeout(this.emitTimer);
    for (const w of this.waiters.splice(0)) w({ ok: false, t: 0, kind: 'network', message: 'stopped', ms: 0 });
  }
}

const services = new WeakMap<CoreContext, MetricsService>();

/** The one MetricsService of a core (created on first use). */
export function metricsService(ctx: CoreContext, opts?: MetricsServiceOptions): MetricsService {
  let s = services.get(ctx);
  if (!s) {
    s = new MetricsService(ctx, opts);
    services.set(ctx, s);
  }
  return s;
}
