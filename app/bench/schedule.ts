// When requests are sent: closed loop (a fixed number always in flight: each finished request is
// replaced at once) or open loop (Poisson arrivals at a rate, independent of how fast the server
// answers — the only way to see queueing). Warm-up requests go first at the same load; the run
// ends at a request count or a duration (whichever comes first), or when the signal aborts.
// Pure scheduling: `send` does the work and the clock is injected, so tests run in virtual time.
import type { LoadDto } from '../contract/bench';
import { rng } from './stats';

export interface ScheduleClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
}

export const realScheduleClock: ScheduleClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface ScheduleOptions {
  load: LoadDto;
  warmupRequests: number;
  /** Measured requests to send (undefined: no count limit). */
  requests?: number;
  /** Seconds of sending measured requests (undefined: no time limit). */
  durationS?: number;
  /** Open loop: most requests in flight at once. */
  maxInFlight: number;
  seed: number;
  clock: ScheduleClock;
  signal?: AbortSignal;
  /** Sends request number `index` (0-based over the whole run, warm-up included); resolves when it ends. */
  send(index: number, warmup: boolean): Promise<void>;
  /** Called when the first measured request is sent. */
  onMeasureStart?(t: number): void;
}

export interface ScheduleReport {
  /** When the first measured request was sent (null: none was). */
  measureStart: number | null;
  sent: number;
  sentMeasured: number;
  peakInFlight: number;
  /** Open loop: arrivals that waited for a slot because maxInFlight requests were in flight. */
  delayedArrivals: number;
  /** The signal ended the run early. */
  stopped: boolean;
}

/** Runs the schedule to its end: every sent request has finished when this resolves. */
export function runSchedule(o: ScheduleOptions): Promise<ScheduleReport> {
  const { clock } = o;
  const report: ScheduleReport = { measureStart: null, sent: 0, sentMeasured: 0, peakInFlight: 0, delayedArrivals: 0, stopped: false };
  let inFlight = 0;
  let closed = false;
  let measureEnd = Number.POSITIVE_INFINITY;

  const mayStart = (): boolean => {
    if (closed) return false;
    if (o.signal?.aborted) {
      report.stopped = true;
      closed = true;
      return false;
    }
    if (report.sent < o.warmupRequests) return true;
    if (o.requests !== undefined && report.sentMeasured >= o.requests) return false;
    if (report.measureStart !== null && clock.now() >= measureEnd) return false;
    return true;
  };

  const start = (): Promise<void> => {
    const index = report.sent++;
    const warmup = index < o.warmupRequests;
    if (!warmup) {
      if (report.measureStart === null) {
        report.measureStart = clock.now();
        if (o.durationS !== undefined) measureEnd = report.measureStart + o.durationS * 1000;
        o.onMeasureStart?.(report.measureStart);
      }
      report.sentMeasured++;
    }
    inFlight++;
    if (inFlight > report.peakInFlight) report.peakInFlight = inFlight;
    let p: Promise<void>;
    try {
      p = o.send(index, warmup);
    } catch (err) {
      p = Promise.reject(err);
    }
    return p.then(
      () => {
        inFlight--;
      },
      () => {
        inFlight--;
      },
    );
  };

  return new Promise<ScheduleReport>((resolve) => {
    const onAbort = () => {
      report.stopped = true;
      closed = true;
      wake?.();
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.signal?.aborted) report.stopped = true;
    const done = () => {
      o.signal?.removeEventListener('abort', onAbort);
      resolve(report);
    };
    let wake: (() => void) | undefined;

    if (o.load.mode === 'concurrency') {
      const workers = Math.max(1, Math.floor(o.load.value));
      const worker = async () => {
        while (mayStart()) await start();
      };
      void Promise.all(Array.from({ length: workers }, worker)).then(done);
      return;
    }

    // Open loop: exponential gaps (Poisson process), each arrival scheduled from the planned
    // time of the previous one (not from when the timer fired), so timer lateness does not
    // lower the rate.
    const random = rng(o.seed ^ 0x68e31da4);
    const rate = o.load.value;
    const t0 = clock.now();
    let planned = t0;
    const pending = new Set<Promise<void>>();
    const queue: number[] = [];
    let timer: unknown;
    let finished = false;
    const track = (p: Promise<void>) => {
      pending.add(p);
      void p.then(() => {
        pending.delete(p);
        if (queue.length > 0 && inFlight < o.maxInFlight) {
          queue.shift();
          if (mayStart()) track(start());
          else queue.length = 0;
        }
        maybeDone();
      });
    };
    const maybeDone = () => {
      if (finished || timer !== undefined) return;
      if (pending.size > 0) return;
      if (queue.length > 0 && !closed) return;
      finished = true;
      done();
    };
    wake = () => {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      queue.length = 0;
      maybeDone();
    };
    const arrive = () => {
      timer = undefined;
      if (!mayStart()) {
        queue.length = 0;
        maybeDone();
        return;
      }
      if (inFlight < o.maxInFlight) track(start());
      else {
        // The cap is reached: this arrival waits for a free slot (and is counted, because the
        // offered load is then no longer the asked rate).
        report.delayedArrivals++;
        queue.push(planned);
      }
      schedule();
    };
    const schedule = () => {
      if (closed) return maybeDone();
      // Stop generating arrivals once nothing more may start (count reached, time over).
      if (o.requests !== undefined && report.sent >= o.warmupRequests && report.sentMeasured + queue.length >= o.requests)
        return maybeDone();
      planned += (-Math.log(1 - random()) / rate) * 1000;
      if (report.measureStart !== null && planned >= measureEnd) return maybeDone();
      timer = clock.setTimeout(arrive, Math.max(0, planned - clock.now()));
    };
    schedule();
  });
}
