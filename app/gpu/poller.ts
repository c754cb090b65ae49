// Polls nvidia-smi while someone watches. One query at a time: the next poll is scheduled only
// after the previous one finished, so a slow nvidia-smi (or a hung GPU hitting the timeout)
// stretches the interval instead of piling up processes. The queries are child processes, so
// the event loop is never blocked.
import type { GpuSnapshot } from '../contract/gpu';
import type { Clock } from '../host/deps';

export interface GpuPollerOptions {
  /** Runs one query; must not throw (queryGpus never does; a throw is turned into a reason). */
  query: (o: { withHeader: boolean; cudaVersion: string | null }) => Promise<GpuSnapshot>;
  /** Read before each wait, so a settings change applies from the next poll. */
  intervalMs: () => number;
  clock: Clock;
  /** Called with every snapshot taken while watched. */
  onSnapshot: (s: GpuSnapshot) => void;
}

export class GpuPoller {
  private watchers = 0;
  private timer: unknown;
  private inFlight: Promise<GpuSnapshot> | undefined;
  private last: GpuSnapshot | undefined;
  /**
   * Plain `nvidia-smi` (for the CUDA version) runs with the first query, and again once GPUs
   * appear if it had not been learned yet; never on every poll.
   */
  private headerDone = false;
  private cudaVersion: string | null = null;
  private disposed = false;

  constructor(private readonly opts: GpuPollerOptions) {}

  get watching(): boolean {
    return this.watchers > 0 && !this.disposed;
  }

  get latest(): GpuSnapshot | undefined {
    return this.last;
  }

  /**
   * Counts watchers (several windows or browser tabs may watch): polling runs while the count is
   * above zero. Returns whether polling is on afterwards.
   */
  watch(on: boolean): boolean {
    if (this.disposed) return false;
    if (on) {
      this.watchers++;
      if (this.watchers === 1) void this.tick();
    } else if (this.watchers > 0) {
      this.watchers--;
      if (this.watchers === 0) this.clearTimer();
    }
    return this.watching;
  }

  /**
   * A fresh snapshot, or the latest one when it is younger than maxAgeMs. Joins a query in
   * flight instead of starting a second nvidia-smi.
   */
  async get(maxAgeMs = 0): Promise<GpuSnapshot> {
    if (this.last && maxAgeMs > 0 && this.opts.clock.now() - this.last.at <= maxAgeMs) return this.last;
    return this.refresh();
  }

  refresh(): Promise<GpuSnapshot> {
    if (this.inFlight) return this.inFlight;
    const withHeader = !this.headerDone;
    const p = this.opts
      .query({ withHeader, cudaVersion: this.cudaVersion })
      .catch(
        (err): GpuSnapshot => ({
          at: this.opts.clock.now(),
          gpus: [],
          reason: `GPU query failed unexpectedly: ${(err as Error)?.message ?? String(err)}`,
          warnings: [],
          driverVersion: null,
          cudaVersion: null,
          nvidiaSmi: 'nvidia-smi',
        }),
      )
      .then((s) => {
        this.inFlight = undefined;
        if (s.cudaVersion !== null) {
          this.cudaVersion = s.cudaVersion;
          this.headerDone = true;
        } else {
          // GPUs appeared since the header was tried (driver loaded later): learn CUDA next time.
          this.headerDone = !(s.gpus.length > 0 && !withHeader);
        }
        this.last = s;
        if (this.watching) this.opts.onSnapshot(s);
        return s;
      });
    this.inFlight = p;
    return p;
  }

  private async tick(): Promise<void> {
    this.clearTimer();
    await this.refresh();
    if (!this.watching || this.timer !== undefined) return;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, this.opts.intervalMs());
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      this.opts.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Stops polling for good; a query in flight finishes but is not pushed. */
  dispose(): void {
    this.disposed = true;
    this.watchers = 0;
    this.clearTimer();
  }
}
