/**
 * The time axis of the usage charts: UTC buckets of an hour or a day, a window aligned to them
 * (`from` down, `to` up), and the bounds that keep one answer small (at most 31 days by hour,
 * 400 days by day). UTC hours and days are fixed lengths, so bucket n starts at from + n × size.
 */
export const TIMESERIES_BUCKETS = ['hour', 'day'] as const;
export type TimeseriesBucket = (typeof TIMESERIES_BUCKETS)[number];

export const BUCKET_MS: Record<TimeseriesBucket, number> = { hour: 3_600_000, day: 86_400_000 };

/** The most buckets one answer holds: 31 days by hour, 400 days by day. */
export const MAX_BUCKETS: Record<TimeseriesBucket, number> = { hour: 31 * 24, day: 400 };

export type TimeseriesWindow = {
  bucket: TimeseriesBucket;
  /** Inclusive, the start of the first bucket. */
  from: Date;
  /** Exclusive, the end of the last bucket. */
  to: Date;
  bucketCount: number;
};

/** The window covering [from, to) in whole UTC buckets. */
export function alignWindow(from: Date, to: Date, bucket: TimeseriesBucket): TimeseriesWindow {
  const size = BUCKET_MS[bucket];
  const start = Math.floor(from.getTime() / size) * size;
  const end = Math.ceil(to.getTime() / size) * size;
  return { bucket, from: new Date(start), to: new Date(end), bucketCount: Math.max(0, (end - start) / size) };
}

/** Why a window cannot be answered, in words that never repeat the input; null when it can. */
export function windowProblem(window: TimeseriesWindow): string | null {
  if (window.to.getTime() <= window.from.getTime()) return 'must be after from';
  if (window.bucketCount > MAX_BUCKETS[window.bucket])
    return window.bucket === 'hour'
      ? 'is more than 31 days after from: hourly charts cover at most 31 days (use bucket=day)'
      : 'is more than 400 days after from: daily charts cover at most 400 days';
  return null;
}

/** The start of every bucket of the window, oldest first. */
export function bucketStarts(window: TimeseriesWindow): Date[] {
  const size = BUCKET_MS[window.bucket];
  return Array.from({ length: window.bucketCount }, (_, index) => new Date(window.from.getTime() + index * size));
}
