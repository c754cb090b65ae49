// The EngineCore's busy loop on the wall clock: run a scheduler step, hold its outputs until the
// cost model says the step is over, repeat while there is work. Steps shorter than a timer tick
// (high VLLM_SIM_SPEED) are run back to back and their outputs sent in one message per tick, so
// the simulated engine keeps its pace without flooding the IPC channel.
import type { StepOut, TickOut } from '../proc/protocol';
import { type CostParams, stepSeconds } from './cost-model';
import { type EngineRequest, Scheduler, type SchedulerConfig } from './scheduler';

/** How far (ms) the loop may run behind the wall clock before it stops catching up. */
const MAX_LAG_MS = 250;
/** Steps per event-loop turn at most, so IPC messages (new requests, aborts) get through. */
const MAX_STEPS_PER_TURN = 512;

export interface LoopDeps {
  now: () => number;
  send: (msg: TickOut) => void;
}

export class EngineLoop {
  readonly scheduler: Scheduler;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private inflight: { end: number; steps: StepOut; preemptions: number; pq: number; ph: number } | null = null;
  private cursor = 0;
  private stopped = false;
  private readonly duration: (tokens: number, seqs: number, ctx: number) => number;

  constructor(
    cfg: SchedulerConfig,
    cost: CostParams,
    private readonly speed: number,
    private readonly deps: LoopDeps,
  ) {
    this.scheduler = new Scheduler(cfg);
    this.duration = (tokens, seqs, ctx) => (stepSeconds(cost, tokens, seqs, ctx) * 1000) / this.speed;
  }

  add(req: Omit<EngineRequest, 'arrival'>): void {
    this.scheduler.add({ ...req, arrival: this.deps.now() });
    this.kick();
  }

  abort(id: number): void {
    this.scheduler.abort(id);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = null;
  }

  private kick(): void {
    if (this.timer || this.stopped) return;
    this.timer = setImmediate(() => this.turn());
  }

  private turn(): void {
    this.timer = null;
    if (this.stopped) return;
    const now = this.deps.now();
    const tick: TickOut = { t: 'out', steps: [], running: 0, waiting: 0, kvUsage: 0, preemptions: 0, prefixQueries: 0, prefixHits: 0 };
    let steps = 0;
    for (;;) {
      if (this.inflight) {
        if (this.inflight.end > now) break;
        const f = this.inflight;
        tick.steps.push(f.steps);
        tick.preemptions += f.preemptions;
        tick.prefixQueries += f.pq;
        tick.prefixHits += f.ph;
        this.cursor = f.end;
        this.inflight = null;
      }
      if (this.scheduler.idle || steps >= MAX_STEPS_PER_TURN) break;
      const start = Math.max(this.cursor, now - MAX_LAG_MS);
      const r = this.scheduler.step(start, this.duration);
      steps++;
      if (r.scheduledTokens === 0) break; // nothing can run until something changes
      this.inflight = {
        end: r.end,
        steps: { start, end: r.end, tokens: r.scheduledTokens, out: r.outputs, sched: r.firstScheduled },
        preemptions: r.preemptions,
        pq: r.prefixQueries,
        ph: r.prefixHits,
      };
    }
    if (tick.steps.length > 0 || tick.preemptions > 0) {
      tick.running = this.scheduler.numRunning;
      tick.waiting = this.scheduler.numWaiting;
      tick.kvUsage = this.scheduler.kvUsage;
      this.deps.send(tick);
    }
    if (this.inflight) {
      const wait = Math.max(0, this.inflight.end - this.deps.now());
      this.timer = wait < 1 ? setImmediate(() => this.turn()) : setTimeout(() => this.turn(), wait);
    } else if (!this.scheduler.idle && steps >= MAX_STEPS_PER_TURN) {
      this.timer = setImmediate(() => this.turn());
    }
  }

  /** Scheduler gauges for an idle report (after aborts, the API wants fresh numbers). */
  gauges(): { running: number; waiting: number; kvUsage: number } {
    return { running: this.scheduler.numRunning, waiting: this.scheduler.numWaiting, kvUsage: this.scheduler.kvUsage };
  }
}
