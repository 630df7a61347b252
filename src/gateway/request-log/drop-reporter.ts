import type { Logger } from '../../logging/logger.js';
import type { CancelTimer, WriterTimers } from './timers.js';

/** buffer_full: over maxBuffered; closed: enqueued after close(); invalid: not an entry at all (a caller bug). */
export type DropReason = 'buffer_full' | 'closed' | 'invalid';

/**
 * Turns a burst of dropped entries into at most one warning per interval: the first drop is
 * reported at once (an operator should learn about a full buffer immediately), later ones are
 * summed and reported when the interval has passed. Only counts are logged, never an entry.
 */
export class DropReporter {
  private pending = new Map<DropReason, number>();
  private lastReportAt = Number.NEGATIVE_INFINITY;
  private cancelTimer: CancelTimer | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly timers: WriterTimers,
    private readonly intervalMs: number,
    private readonly context: () => Record<string, number>,
  ) {}

  note(reason: DropReason): void {
    this.pending.set(reason, (this.pending.get(reason) ?? 0) + 1);
    if (this.cancelTimer) return;
    const wait = this.lastReportAt + this.intervalMs - this.timers.now();
    if (wait <= 0) {
      this.report();
      return;
    }
    this.cancelTimer = this.timers.schedule(wait, () => {
      this.cancelTimer = null;
      this.report();
    });
  }

  /** Reports whatever is pending now, regardless of the interval (on close). */
  flush(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.report();
  }

  private report(): void {
    if (this.pending.size === 0) return;
    const dropped = Object.fromEntries(this.pending);
    this.pending = new Map();
    this.lastReportAt = this.timers.now();
    this.logger.warn({ dropped, ...this.context() }, 'request log entries dropped');
  }
}
