/**
 * OpenAI's rate-limit response headers, so existing clients and their retry logic work
 * unchanged. Each kind reports the most restrictive scope that limits it: the one with the
 * fewest remaining (then the lowest limit, then the latest reset).
 */
import { formatResetDuration } from './reset-duration.js';

export type RateLimitHeaders = Record<string, string>;

export interface RateState {
  kind: 'requests' | 'tokens';
  limit: number;
  remaining: number;
  resetMs: number;
}

export function rateLimitHeaders(states: readonly RateState[]): RateLimitHeaders {
  const headers: RateLimitHeaders = {};
  for (const kind of ['requests', 'tokens'] as const) {
    const tightest = states
      .filter((s) => s.kind === kind)
      .reduce<RateState | undefined>((best, s) => (best && !tighter(s, best) ? best : s), undefined);
    if (!tightest) continue;
    headers[`x-ratelimit-limit-${kind}`] = String(tightest.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(tightest.remaining);
    headers[`x-ratelimit-reset-${kind}`] = formatResetDuration(tightest.resetMs);
  }
  return headers;
}

function tighter(a: RateState, b: RateState): boolean {
  if (a.remaining !== b.remaining) return a.remaining < b.remaining;
  if (a.limit !== b.limit) return a.limit < b.limit;
  return a.resetMs > b.resetMs;
}
