// Coalesces streamed text into UI events: at most one event per reply every `intervalMs` (~16 ms,
// one frame at 60 Hz — DESIGN.md's batching rule for anything pushed to the UI). Leading edge: a
// delta after a quiet period goes out at once, so batching adds nothing to time-to-first-token;
// deltas inside the window are merged and sent when it ends.
import type { Clock } from '../host/deps';

export const BATCH_INTERVAL_MS = 16;
/** Flush early when this much text piles up in one window (keeps each event small). */
const MAX_PENDING_CHARS = 64 * 1024;

export class DeltaBatcher {
  private reasoning = '';
  private answer = '';
  private timer: unknown;
  private lastFlush = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly send: (reasoning: string, answer: string) => void,
    private readonly clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>,
    private readonly intervalMs = BATCH_INTERVAL_MS,
  ) {}

  push(reasoning: string, answer: string): void {
    if (!reasoning && !answer) return;
    this.reasoning += reasoning;
    this.answer += answer;
    if (this.reasoning.length + this.answer.length >= MAX_PENDING_CHARS) {
      this.flush();
      return;
    }
    if (this.timer !== undefined) return;
    const since = this.clock.now() - this.lastFlush;
    if (since >= this.intervalMs) {
      this.flush();
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.intervalMs - since);
  }

  /** Sends what is pending now (end of stream, abort). */
  flush(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.reasoning && !this.answer) return;
    const r = this.reasoning;
    const a = this.answer;
    this.reasoning = '';
    this.answer = '';
    this.lastFlush = this.clock.now();
    this.send(r, a);
  }
}
