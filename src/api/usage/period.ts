import { periodWindow } from '../../limits/periods.js';
import type { UsagePeriod } from '../../tenancy/limits.js';

export type PeriodWindow = { start: Date | null; end: Date | null };

/** The current calendar period in UTC, exactly as the limiter counts it (limits/periods.ts); lifetime is unbounded. */
export function currentPeriod(period: UsagePeriod, now: Date): PeriodWindow {
  if (period === 'lifetime') return { start: null, end: null };
  const window = periodWindow(period, now);
  return { start: window.start, end: window.resetsAt };
}
