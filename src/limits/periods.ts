/**
 * Calendar windows of the usage-limit periods, in UTC. A window's id names its counter, so every
 * gateway replica (whatever its local time zone) counts a request into the same window; ids sort
 * lexically in time order and read naturally in logs and alerts.
 */
import type { UsagePeriod } from '../tenancy/limits.js';

export interface PeriodWindow {
  /** `2026-11-28T14` (hourly), `2026-11-28` (daily), `2026-11` (monthly) or `lifetime`. */
  id: string;
  /** First instant of the window (the epoch for lifetime): where a rebuild from the request logs starts. */
  start: Date;
  /** First instant of the next window; null for lifetime, which never resets. */
  resetsAt: Date | null;
}

export function periodWindow(period: UsagePeriod, now: Date): PeriodWindow {
  const ms = now.getTime();
  // An invalid Date would otherwise produce the id "NaN-NaN" and share one counter for all time.
  if (!Number.isFinite(ms)) throw new RangeError('periodWindow needs a valid date');
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const day = now.getUTCDate();
  switch (period) {
    case 'hourly': {
      const hour = now.getUTCHours();
      return window(`${ymd(year, month, day)}T${pad(hour, 2)}`, Date.UTC(year, month, day, hour), Date.UTC(year, month, day, hour + 1));
    }
    case 'daily':
      return window(ymd(year, month, day), Date.UTC(year, month, day), Date.UTC(year, month, day + 1));
    case 'monthly':
      // Date.UTC carries month 12 over into January of the next year.
      return window(`${pad(year, 4)}-${pad(month + 1, 2)}`, Date.UTC(year, month, 1), Date.UTC(year, month + 1, 1));
    case 'lifetime':
      return { id: 'lifetime', start: new Date(0), resetsAt: null };
  }
}

function window(id: string, start: number, resetsAt: number): PeriodWindow {
  return { id, start: new Date(start), resetsAt: new Date(resetsAt) };
}

function ymd(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month + 1, 2)}-${pad(day, 2)}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
