/**
 * Budget alerts: when a settled counter reaches a threshold (e.g. 80% of its limit), notify
 * once per counter, threshold and window. "Once" is decided by a set-if-absent marker in the
 * counter store, so it holds across gateway replicas and concurrent requests.
 */
import type { UsageMetric, UsagePeriod } from '../tenancy/limits.js';
import type { UsageCounters } from './usage-counters.js';
import { alertMarkerKey, type UsageScopeRef } from './usage-keys.js';
import type { CounterPlan } from './usage-plan.js';
import { unitsToDisplay } from './usage-units.js';

export interface ThresholdCrossing {
  orgId: string;
  scope: UsageScopeRef;
  metric: UsageMetric;
  period: UsagePeriod;
  periodId: string;
  /** Percent of the limit, as configured in alertThresholds. */
  threshold: number;
  /** Counter value after the settle, in display units (USD for spend); includes other requests still in flight. */
  used: number;
  /** In display units (USD for spend). */
  limit: number;
  resetsAt: Date | null;
  /** The request whose usage crossed the threshold, when the caller named it. */
  requestId: string | null;
}

export type ThresholdListener = (crossing: ThresholdCrossing) => void | Promise<void>;

// Markers this process has already seen set: past a threshold, every settle would otherwise
// spend a round trip re-checking it. Cleared when full; the store marker stays authoritative.
const MAX_KNOWN_MARKERS = 10_000;

export class ThresholdAlerts {
  private readonly known = new Set<string>();

  constructor(
    private readonly counters: UsageCounters,
    private readonly listener: ThresholdListener,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Resolves once every reached threshold is marked; listener failures go to onError. */
  async check(orgId: string, plan: CounterPlan, used: number, requestId: string | null = null): Promise<void> {
    for (const threshold of reachedThresholds(plan, used)) {
      const marker = alertMarkerKey(plan.key, plan.limit, threshold);
      if (this.known.has(marker)) continue;
      const first = await this.counters.initialize(marker, 1, plan.ttlMs);
      if (this.known.size >= MAX_KNOWN_MARKERS) this.known.clear();
      this.known.add(marker);
      if (first) this.notify(thresholdCrossing(orgId, plan, threshold, used, requestId));
    }
  }

  private notify(crossing: ThresholdCrossing): void {
    try {
      const pending = this.listener(crossing);
      if (pending instanceof Promise) void pending.catch(this.onError);
    } catch (error) {
      // A failing webhook or audit write must not fail the request that crossed the threshold.
      this.onError(error);
    }
  }
}

/**
 * The markers of every threshold a counter at `used` has reached: what a counter rebuilt at that
 * value must start with so that only usage counted after the rebuild raises alerts.
 */
export function reachedThresholdMarkers(plan: CounterPlan, used: number): string[] {
  return reachedThresholds(plan, used).map((threshold) => alertMarkerKey(plan.key, plan.limit, threshold));
}

function reachedThresholds(plan: CounterPlan, used: number): number[] {
  // A limit that rounds to 0 units (below one micro-USD) would "cross" every threshold at 0.
  if (plan.limit === 0) return [];
  // Exact integer comparison: used / limit >= threshold / 100 (thresholds are ascending).
  return plan.thresholds.filter((threshold) => BigInt(used) * 100n >= BigInt(plan.limit) * BigInt(threshold));
}

function thresholdCrossing(orgId: string, plan: CounterPlan, threshold: number, used: number, requestId: string | null): ThresholdCrossing {
  return {
    orgId,
    requestId,
    scope: plan.scope,
    metric: plan.metric,
    period: plan.period,
    periodId: plan.window.id,
    threshold,
    used: unitsToDisplay(plan.metric, used),
    limit: unitsToDisplay(plan.metric, plan.limit),
    resetsAt: plan.window.resetsAt,
  };
}
