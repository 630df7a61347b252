import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DropReporter } from './drop-reporter.js';
import type { WriterTimers } from './timers.js';

/** One pending timer at most is all the reporter needs; time moves only when the test says. */
function manualTimers(): WriterTimers & { advance(ms: number): void } {
  let time = 0;
  let pending: { due: number; fn: () => void } | null = null;
  return {
    now: () => time,
    schedule(ms, fn) {
      const timer = { due: time + ms, fn };
      pending = timer;
      return () => {
        if (pending === timer) pending = null;
      };
    },
    advance(ms) {
      time += ms;
      const due = pending;
      if (due && due.due <= time) {
        pending = null;
        due.fn();
      }
    },
  };
}

function setup() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const timers = manualTimers();
  const reporter = new DropReporter(logger, timers, 1_000, () => ({ totalDropped: 99 }));
  return { lines, timers, reporter };
}

describe('DropReporter', () => {
  it('reports the first drop at once, then sums the rest into one warning per interval', () => {
    const { lines, timers, reporter } = setup();
    reporter.note('buffer_full');
    expect(lines).toMatchObject([{ msg: 'request log entries dropped', dropped: { buffer_full: 1 }, totalDropped: 99 }]);
    for (let i = 0; i < 5; i++) reporter.note('buffer_full');
    reporter.note('closed');
    timers.advance(999);
    expect(lines).toHaveLength(1);
    timers.advance(1);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ dropped: { buffer_full: 5, closed: 1 } });
    timers.advance(10_000);
    expect(lines).toHaveLength(2); // nothing new, nothing logged
    reporter.note('invalid');
    expect(lines).toHaveLength(3); // the interval has passed: reported at once again
  });

  it('flush() reports what is pending without waiting for the interval', () => {
    const { lines, reporter, timers } = setup();
    reporter.note('buffer_full');
    reporter.note('buffer_full');
    reporter.flush();
    expect(lines.map((line) => line.dropped)).toEqual([{ buffer_full: 1 }, { buffer_full: 1 }]);
    timers.advance(1_000);
    expect(lines).toHaveLength(2); // the cancelled timer does not report again
  });
});
