// Scrapes `${url}/metrics` on an interval. One scrape at a time: the next tick is scheduled only
// after the current one finished, and each scrape has a timeout shorter than the interval, so a
// hanging server never piles up requests. While the server is down the attempts back off
// exponentially (ticks keep coming at the interval so the timeline and GPU rows continue). A body
// over the byte cap is cut off, not parsed. Nothing is logged per scrape.
import type { ScrapeErrorKind } from '../contract/metrics';
import type { Clock } from '../host/deps';
import { DEFAULT_MAX_METRICS_BYTES, fetchGetter, httpGetText, type TextGetter } from './fetch-text';
import { type ParsedMetrics, parsePrometheusText } from './prom-parser';
import { extractVllm, type VllmSnapshot } from './vllm-map';

/** Back-off ceiling: a server that is down is retried at least this often (it may be restarting). */
export const MAX_BACKOFF_MS = 15_000;

/** Scrape timeout: 80 % of the interval (so it always ends before the next tick), at least 200 ms, at most 10 s. */
export function scrapeTimeoutMs(intervalMs: number): number {
  return Math.min(10_000, Math.max(200, Math.floor(intervalMs * 0.8)));
}

/** Wait before attempt n+1 after n consecutive failures: interval × 2^(n−1), capped. */
export function backoffMs(intervalMs: number, failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** Math.min(failures - 1, 20));
}

export interface ScrapeTarget {
  /** Base URL of the server (no /metrics). */
  url: string;
  apiKey?: string;
}

export type ScrapeOutcome =
  | {
      ok: true;
      t: number;
      snapshot: VllmSnapshot;
      parsed: ParsedMetrics;
      /** The body (for a raw view). */
      text: string;
      /** process_start_time_seconds: changes when the server process is replaced. */
      startMarker: number | null;
      bytes: number;
      ms: number;
    }
  | { ok: false; t: number; kind: ScrapeErrorKind; message: string; ms: number };

/** Fetches and parses one /metrics body; never throws. */
export async function scrapeOnce(
  get: TextGetter,
  target: ScrapeTarget,
  o: { timeoutMs: number; maxBytes?: number; now: () => number; signal?: AbortSignal },
): Promise<ScrapeOutcome> {
  const url = `${target.url}/metrics`;
  const r = await get(url, {
    timeoutMs: o.timeoutMs,
    maxBytes: o.maxBytes ?? DEFAULT_MAX_METRICS_BYTES,
    ...(target.apiKey ? { apiKey: target.apiKey } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const t = o.now();
  if (!r.ok) return { ok: false, t, kind: r.kind, message: r.message, ms: r.ms };
  // The exposition format ends every line with \n; a body that stops mid-line was cut off (a
  // dropped connection, a proxy limit). Its last sample may be half a number, and a missing
  // engine's counters would look like a restart, so the whole scrape is refused.
  if (r.text.length > 0 && !r.text.endsWith('\n')) {
    return { ok: false, t, kind: 'truncated', ms: r.ms, message: `${url} returned a truncated body (${r.bytes} bytes, no final newline)` };
  }
  const parsed = parsePrometheusText(r.text);
  let vllmFamilies = 0;
  for (const name of parsed.families.keys()) if (name.startsWith('vllm:')) vllmFamilies++;
  if (vllmFamilies === 0) {
    const hint = parsed.issues.length > 0 ? ` (${parsed.issues.length} lines were not Prometheus text)` : '';
    return { ok: false, t, kind: 'not_vllm', ms: r.ms, message: `${url} has no vllm: metrics${hint}: is this a vLLM server?` };
  }
  const start = parsed.byName.get('process_start_time_seconds');
  const startMarker = start && start.length === 1 && Number.isFinite(start[0]!.value) ? start[0]!.value : null;
  return { ok: true, t, snapshot: extractVllm(parsed, t), parsed, text: r.text, startMarker, bytes: r.bytes, ms: r.ms };
}

export interface ScraperOptions {
  /** An injected fetch (tests); without one, node:http (less CPU per scrape, see fetch-text.ts). */
  fetch?: typeof fetch;
  clock: Clock;
  /** Read at every tick, so a settings change applies from the next one. */
  intervalMs: () => number;
  maxBytes?: number;
  /** Every finished attempt. */
  onResult: (r: ScrapeOutcome, target: ScrapeTarget) => void;
  /** A tick that made no attempt (backing off): lets the owner keep the timeline going. */
  onIdleTick?: (t: number) => void;
}

export class Scraper {
  private target: ScrapeTarget | undefined;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private ctl: AbortController | undefined;
  private failures = 0;
  private nextAttemptAt = 0;
  private kicked = false;
  /** Incremented on start/stop: a scrape that finishes for an old target is dropped. */
  private generation = 0;
  /** Attempts made (tests and the benchmark read it). */
  attempts = 0;
  /** Concurrent attempts right now (never above 1). */
  inFlight = 0;
  maxInFlight = 0;

  private readonly get: TextGetter;

  constructor(private readonly o: ScraperOptions) {
    this.get = o.fetch ? fetchGetter(o.fetch) : httpGetText;
  }

  get active(): boolean {
    return this.target !== undefined;
  }
  get consecutiveFailures(): number {
    return this.failures;
  }
  /** Epoch ms of the next attempt while backing off, else null. */
  get backoffUntil(): number | null {
    return this.failures > 0 ? this.nextAttemptAt : null;
  }

  start(target: ScrapeTarget): void {
    this.stop();
    this.target = target;
    this.failures = 0;
    this.nextAttemptAt = 0;
    this.schedule(0);
  }

  /** Scrape as soon as possible and forget the back-off (the server just became ready). */
  kick(): void {
    if (!this.target) return;
    this.failures = 0;
    this.nextAttemptAt = 0;
    if (this.running) {
      this.kicked = true;
      return;
    }
    this.schedule(0);
  }

  stop(): void {
    this.generation++;
    this.target = undefined;
    this.ctl?.abort();
    this.ctl = undefined;
    this.clearTimer();
  }

  /** Resolves when the scrape in flight (if any) has finished (tests). */
  async idle(): Promise<void> {
    await this.running;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      this.o.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private schedule(ms: number): void {
    this.clearTimer();
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      this.running = this.tick().finally(() => {
        this.running = undefined;
      });
    }, ms);
  }

  private async tick(): Promise<void> {
    const target = this.target;
    if (!target) return;
    const gen = this.generation;
    const interval = this.o.intervalMs();
    const started = this.o.clock.now();
    if (started >= this.nextAttemptAt) {
      this.attempts++;
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const ctl = new AbortController();
      this.ctl = ctl;
      let r: ScrapeOutcome;
      try {
        r = await scrapeOnce(this.get, target, {
          timeoutMs: scrapeTimeoutMs(interval),
          ...(this.o.maxBytes !== undefined ? { maxBytes: this.o.maxBytes } : {}),
          now: () => this.o.clock.now(),
          signal: ctl.signal,
        });
      } finally {
        this.inFlight--;
      }
      if (gen !== this.generation) return; // stopped or retargeted meanwhile
      this.ctl = undefined;
      if (r.ok) {
        this.failures = 0;
        this.nextAttemptAt = 0;
      } else {
        this.failures++;
        this.nextAttemptAt = r.t + backoffMs(interval, this.failures);
      }
      try {
        this.o.onResult(r, target);
      } catch {
        // The owner's bookkeeping must not stop the scraping.
      }
    } else {
      try {
        this.o.onIdleTick?.(started);
      } catch {
        // same
      }
    }
    if (gen !== this.generation || !this.target) return;
    if (this.kicked) {
      this.kicked = false;
      this.schedule(0);
      return;
    }
    // Keep the cadence: the next tick one interval after this one began (the scrape's time counts).
    const elapsed = this.o.clock.now() - started;
    this.schedule(Math.max(0, interval - elapsed));
  }
}
