import type { UsagePeriod } from '../../tenancy/limits.js';
import type { UsageTotals } from './request-log-totals.js';
import { periodWindow } from '../../limits/periods.js';
import type { UsageCounters } from '../../limits/usage-counters.js';
import { counterKey } from '../../limits/usage-keys.js';

export type UsageScopeKind = 'org' | 'project' | 'api_key';

/**
 * The limiter's own current-period counters: the usage endpoint reports what requests are
 * actually refused on, instead of summing request logs, which the gateway writes in batches a few
 * hundred milliseconds late. Undefined when a counter is missing (never used this period, or lost
 * with a Redis restart): the endpoint then falls back to the request logs.
 */
export type LiveUsageCounters = (query: {
  orgId: string;
  scope: UsageScopeKind;
  scopeId: string;
  period: UsagePeriod;
  /** Start of the current period (null for lifetime). */
  periodStart: Date | null;
}) => Promise<UsageTotals | undefined>;

/** Reads the counters the gateway's usage limiter keeps (limits/usage-keys.ts naming). */
export function liveUsageFrom(counters: UsageCounters, now: () => Date = () => new Date()): LiveUsageCounters {
  return async (query) => {
    const window = periodWindow(query.period, now());
    const keys = (['requests', 'tokens', 'spend_usd'] as const).map((metric) =>
      counterKey(query.orgId, { type: query.scope, id: query.scopeId }, metric, window.id),
    );
    let values: (number | null)[];
    try {
      values = await counters.get(keys);
    } catch {
      return undefined; // counters unreachable: the request logs still answer
    }
    const [requests, tokens, spend] = values;
    if (requests == null || tokens == null || spend == null) return undefined;
    return { requests, tokens, costMicroUsd: spend };
  };
}
