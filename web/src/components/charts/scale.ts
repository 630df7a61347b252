/** The arithmetic of the time charts: a round top for the value axis, which buckets get a time label, UTC labels. */
import type { UsageBucket } from '../../api/usage-schemas.ts';

/** The smallest "round" number (1, 2, 2.5 or 5 × a power of ten) at or above `max`; 1 when there is nothing to show. */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}

/** Up to `count` bucket indexes spread over the axis, always the first and the last. */
export function labelledIndexes(length: number, count = 4): number[] {
  if (length <= 0) return [];
  if (length <= count) return Array.from({ length }, (_, index) => index);
  const indexes = new Set<number>();
  for (let step = 0; step < count; step++) indexes.add(Math.round((step * (length - 1)) / (count - 1)));
  return [...indexes];
}

const shortHour = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const shortDay = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', day: 'numeric', month: 'short' });
const longHour = new Intl.DateTimeFormat(undefined, {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const longDay = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });

/** Intl throws on an invalid date; an unreadable start is shown as is instead. */
function formatStart(format: Intl.DateTimeFormat, start: string): string {
  const date = new Date(start);
  return Number.isNaN(date.getTime()) ? start : format.format(date);
}

/** A bucket's start on the axis: the hour (14:00) or the day (29 Nov), in UTC. */
export const axisTimeLabel = (start: string, bucket: UsageBucket): string => formatStart(bucket === 'hour' ? shortHour : shortDay, start);

/** A bucket's start in full, for tables and tooltips: 29 Nov, 14:00 or 29 Nov 2026, in UTC. */
export const fullTimeLabel = (start: string, bucket: UsageBucket): string => formatStart(bucket === 'hour' ? longHour : longDay, start);

/** Axis numbers kept short: 1.2K, 3M. */
export const compactNumber = (value: number): string => value.toLocaleString(undefined, { notation: 'compact', maximumFractionDigits: 1 });
