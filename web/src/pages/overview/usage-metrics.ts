/** The overview's derived numbers: rates and totals from the api's per-bucket counts, and how each is written. */
import type { UsagePoint } from '../../api/usage-schemas.ts';
import { formatNumber, formatUsd } from '../../lib/format.ts';

/** A share, or null when there was nothing to divide (no request, nothing cacheable): a gap, not a 0 %. */
export const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

export const errorRate = (point: UsagePoint): number | null => ratio(point.errors, point.requests);
export const cacheHitRate = (point: UsagePoint): number | null => ratio(point.cacheHits, point.cacheableRequests);
export const totalTokens = (point: UsagePoint): number => point.inputTokens + point.outputTokens;

export const formatPercent = (value: number): string =>
  value.toLocaleString(undefined, { style: 'percent', minimumFractionDigits: 0, maximumFractionDigits: 1 });
export const formatMs = (value: number): string => `${formatNumber(Math.round(value))} ms`;
export const formatCount = (value: number): string => formatNumber(value);
export const formatCost = (value: number): string => formatUsd(value);
