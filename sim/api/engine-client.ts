// The API server's side of the engines (vLLM's AsyncMPClient + OutputProcessor + stat loggers):
// spawns one EngineCore per data-parallel rank, balances requests over them, turns their step
// outputs into per-request tokens and keeps /metrics and the periodic stats line in step with
// what was actually sent.
import type { ChildProcess } from 'node:child_process';
import { spawnRole } from '../proc/common';
import type { AddRequest, EngineInit, EngineToApi, TickOut } from '../proc/protocol';
import type { ActiveRequest, FinishReason } from './active-request';
import type { EngineSeries, VllmMetrics } from './vllm-metrics';

export interface EngineHandle {
  dpRank: number;
  child: ChildProcess;
  ready: boolean;
  alive: boolean;
  running: number;
  waiting: number;
  kvUsage: number;
  inflight: number;
  /** Interval counters for the stats line. */
  promptTokens: number;
  genTokens: number;
  preemptions: number;
  lastPromptTps: number;
  lastGenTps: number;
  /** Last ≤1000 requests' (queries, hits), vLLM's rolling prefix-cache hit rate window. */
  prefixWindow: { q: number; h: number }[];
  prefixQ: number;
  prefixH: number;
}

const PREFIX_WINDOW = 1000;

export class EngineClient {
  readonly engines: EngineHandle[] = [];
  readonly requests = new Map<number, ActiveRequest>();
  dead = false;
  private nextId = 1;

  constructor(
    private readonly metrics: VllmMetrics,
    private readonly hooks: {
      onExit: (e: EngineHandle, code: number | null, signal: NodeJS.Signals | null) => void;
      onFinished?: (req: ActiveRequest, reason: FinishReason) => void;
    },
  ) {}

  start(inits: EngineInit[]): Promise<void> {
    const readies: Promise<void>[] = [];
    for (const init of inits) {
      const child = spawnRole('engine-core');
      const e: EngineHandle = {
        dpRank: init.dpRank,
        child,
        ready: false,
        alive: true,
        running: 0,
        waiting: 0,
        kvUsage: 0,
        inflight: 0,
        promptTokens: 0,
        genTokens: 0,
        preemptions: 0,
        lastPromptTps: 0,
        lastGenTps: 0,
        prefixWindow: [],
        prefixQ: 0,
        prefixH: 0,
      };
      this.engines.push(e);
      child.on('error', () => {});
      child.on('exit', (code, signal) => {
        e.alive = false;
        this.hooks.onExit(e, code, signal);
      });
      readies.push(
        new Promise<void>((resolve) => {
          child.on('message', (m: EngineToApi) => {
            if (m.t === 'ready') {
              e.ready = true;
              resolve();
            } else if (m.t === 'out') this.onTick(e, m);
          });
        }),
      );
      child.send(init);
    }
    return Promise.all(readies).then(() => undefined);
  }

  newId(): number {
    return this.nextId++;
  }

  /** Least-loaded engine (vLLM's DP load balancing by queue lengths). */
  pick(): EngineHandle {
    let best = this.engines[0]!;
    for (const e of this.engines) if (e.alive && e.inflight < best.inflight) best = e;
    return best;
  }

  add(req: ActiveRequest, msg: AddRequest): void {
    const e = this.engines[req.dp]!;
    e.inflight++;
    this.requests.set(req.id, req);
    e.child.send(msg);
  }

  /** Client disconnected (or the server is stopping): abort in the engine, count an abort. */
  abort(req: ActiveRequest): void {
    if (!this.requests.has(req.id)) return;
    req.abortSilently();
    this.finish(req, 'abort');
    const e = this.engines[req.dp];
    if (e?.alive) e.child.send({ t: 'abort', id: req.id });
  }

  private series(dp: number): EngineSeries {
    return this.metrics.engines[dp]!;
  }

  private finish(req: ActiveRequest, reason: FinishReason): void {
    if (!this.requests.delete(req.id)) return;
    const e = this.engines[req.dp]!;
    e.inflight--;
    const m = this.series(req.dp);
    m.success[reason].inc();
    m.reqPromptTokens.observe(req.promptLen);
    m.reqGenTokens.observe(req.generated);
    m.reqMaxGen.observe(req.maxTokens);
    m.paramsN.observe(1);
    if (req.maxTokensParam !== null) m.paramsMaxTokens.observe(req.maxTokensParam);
    if (reason !== 'abort' && req.firstTokenT >= 0) {
      const s = (ms: number) => Math.max(0, ms) / 1000;
      const end = req.lastT;
      m.e2e.observe(s(end - req.arrival));
      if (req.firstScheduled >= 0) {
        m.queue.observe(s(req.firstScheduled - req.arrival));
        m.inference.observe(s(end - req.firstScheduled));
        m.prefill.observe(s(req.firstTokenT - req.firstScheduled));
      }
      m.decode.observe(s(end - req.firstTokenT));
      if (req.generated > 1) m.tpot.observe(s(end - req.firstTokenT) / (req.generated - 1));
    }
    this.hooks.onFinished?.(req, reason);
  }

  private onTick(e: EngineHandle, tick: TickOut): void {
    const m = this.series(e.dpRank);
    for (const step of tick.steps) {
      const sched = step.sched;
      for (let i = 0; i < sched.length; i += 2) {
        const req = this.requests.get(sched[i]!);
        const hits = sched[i + 1]!;
        if (req) {
          req.firstScheduled = step.start;
          req.cachedTokens = hits;
          e.prefixWindow.push({ q: req.promptLen, h: hits });
          e.prefixQ += req.promptLen;
          e.prefixH += hits;
          if (e.prefixWindow.length > PREFIX_WINDOW) {
            const old = e.prefixWindow.shift()!;
            e.prefixQ -= old.q;
            e.prefixH -= old.h;
          }
        }
      }
      if (step.tokens > 0) m.iterationTokens.observe(step.tokens);
      const out = step.out;
      const t = step.end;
      for (let i = 0; i < out.length; i += 3) {
        const req = this.requests.get(out[i]!);
        if (!req || req.finished) continue;
        if (req.generated === 0) {
          m.promptTokens.inc(req.promptLen);
          e.promptTokens += req.promptLen;
          m.ttft.observe(Math.max(0, t - req.arrival) / 1000);
          req.firstTokenT = t;
        } else {
          m.itl.observe(Math.max(0, t - req.lastT) / 1000);
        }
        req.lastT = t;
        m.generationTokens.inc();
        e.genTokens++;
        const reason = req.token(out[i + 2]!);
        if (reason) {
          // A stop string ends it here before the engine knows: abort it there (vLLM does the same).
          if (out[i + 2] === 0 && e.alive) e.child.send({ t: 'abort', id: req.id });
          this.finish(req, reason);
        }
      }
    }
    m.prefixQueries.inc(tick.prefixQueries);
    m.prefixHits.inc(tick.prefixHits);
    m.preemptions.inc(tick.preemptions);
    e.preemptions += tick.preemptions;
    e.running = tick.running;
    e.waiting = tick.waiting;
    e.kvUsage = tick.kvUsage;
    m.running.set(tick.running);
    m.waiting.set(tick.waiting);
    m.kvUsage.set(tick.kvUsage);
  }

  /** The engine is gone: every request on it fails (EngineDeadError). */
  failAll(message: string, nested: boolean): void {
    for (const req of this.requests.values()) req.fail(message, nested);
    this.requests.clear();
  }

  /**
   * vLLM's LoggingStatLogger line per engine, or null when it would log at DEBUG (no throughput
   * in this interval nor the previous one — the idle rule that leaves one trailing 0.0 line).
   */
  statsLines(intervalS: number): string[] {
    const out: string[] = [];
    for (const e of this.engines) {
      const promptTps = e.promptTokens / intervalS;
      const genTps = e.genTokens / intervalS;
      const active = promptTps > 0 || genTps > 0 || e.lastPromptTps > 0 || e.lastGenTps > 0;
      const preempt = e.preemptions;
      e.promptTokens = 0;
      e.genTokens = 0;
      e.preemptions = 0;
      e.lastPromptTps = promptTps;
      e.lastGenTps = genTps;
      if (!active) continue;
      const hit = e.prefixQ > 0 ? (e.prefixH / e.prefixQ) * 100 : 0;
      out.push(
        `Engine ${String(e.dpRank).padStart(3, '0')}: Avg prompt throughput: ${promptTps.toFixed(1)} tokens/s, Avg generation throughput: ${genTps.toFixed(1)} tokens/s, ` +
          `Running: ${e.running} reqs, Waiting: ${e.waiting} reqs, ${preempt > 0 ? `Preemptions: ${preempt}, ` : ''}GPU KV cache usage: ${(e.kvUsage * 100).toFixed(1)}%, ` +
          `Prefix cache hit rate: ${hit.toFixed(1)}%`,
      );
    }
    return out;
  }

  /** Like vLLM's engine manager: ask, and terminate (SIGTERM); the caller kills stragglers later. */
  shutdownEngines(): void {
    for (const e of this.engines) {
      if (!e.alive) continue;
      if (e.child.connected) e.child.send({ t: 'shutdown' });
      e.child.kill('SIGTERM');
    }
  }
}
