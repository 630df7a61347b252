/**
 * The ranges the overview offers, each a window of whole UTC buckets ending with the current one:
 * the last 24 hours by hour, the last 7 and 30 days by day. The window rolls forward when the
 * next bucket begins (useCurrentBucket), so a page left open keeps showing the last 24 hours.
 */
import { useEffect, useState } from 'react';
import type { UsageBucket } from '../../api/usage-schemas.ts';

export const USAGE_RANGES = [
  { id: '24h', label: 'Last 24 hours', bucket: 'hour', count: 24 },
  { id: '7d', label: 'Last 7 days', bucket: 'day', count: 7 },
  { id: '30d', label: 'Last 30 days', bucket: 'day', count: 30 },
] as const satisfies readonly { id: string; label: string; bucket: UsageBucket; count: number }[];

export type UsageRangeId = (typeof USAGE_RANGES)[number]['id'];

const BUCKET_MS: Record<UsageBucket, number> = { hour: 3_600_000, day: 86_400_000 };

export const isUsageRangeId = (value: string): value is UsageRangeId => USAGE_RANGES.some((range) => range.id === value);

export const rangeBucket = (id: UsageRangeId): UsageBucket => (USAGE_RANGES.find((r) => r.id === id) ?? USAGE_RANGES[0]).bucket;

/** A second into the next bucket, so the request logs' own bucket for it has begun too. */
const ROLL_SLACK_MS = 1_000;

/**
 * The number of the UTC bucket (of this size) the clock is in, read at each render, and a render
 * when the next one begins: a window keyed on it stays the same within a bucket and moves on at
 * its end.
 */
export function useCurrentBucket(bucket: UsageBucket): number {
  const size = BUCKET_MS[bucket];
  const current = Math.floor(Date.now() / size);
  const [, setRolled] = useState(0);
  useEffect(() => {
    const timer = window.setTimeout(() => setRolled((n) => n + 1), (current + 1) * size - Date.now() + ROLL_SLACK_MS);
    return () => window.clearTimeout(timer);
  }, [current, size]);
  return current;
}

/** The window of a range at `now`: `count` buckets, the last one the bucket `now` is in. */
export function rangeWindow(id: UsageRangeId, now: number): { from: string; to: string; bucket: UsageBucket } {
  const range = USAGE_RANGES.find((r) => r.id === id) ?? USAGE_RANGES[0];
  const size = BUCKET_MS[range.bucket];
  const end = (Math.floor(now / size) + 1) * size;
  return { from: new Date(end - range.count * size).toISOString(), to: new Date(end).toISOString(), bucket: range.bucket };
}
