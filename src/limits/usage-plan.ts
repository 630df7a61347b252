/**
 * Turns one request (its scopes, their limits and the usage estimate) into the list of counters
 * it must reserve: one per scope x limit, each with its window, key, amount and TTL.
 */
import type { UsageLimit, UsageMetric, UsagePeriod } from '../tenancy/limits.js';
import { periodWindow, type PeriodWindow } from './periods.js';
import { counterKey, type UsageScopeRef } from './usage-keys.js';
import { limitToUnits } from './usage-units.js';

export interface UsageScope extends UsageScopeRef {
  limits: readonly UsageLimit[];
}

/** Whole units: tokens and micro-USD. */
export interface UsageAmounts {
  tokens: number;
  costMicroUsd: number;
}

export interface CounterPlan {
  scope: UsageScopeRef;
  metric: UsageMetric;
  period: UsagePeriod;
  window: PeriodWindow;
  key: string;
  /** The limit in counter units (micro-USD for spend). */
  limit: number;
  /** What this request reserves in counter units. */
  amount: number;
  ttlMs: number | null;
  /** Alert thresholds in percent, ascending, without duplicates. */
  thresholds: number[];
}

/**
 * Counters outlive their window by this much. Only the current window is ever enforced, so
 * this just has to cover clock skew between replicas (one must not see its window expire while
 * another still counts into it) and requests settling shortly after a boundary.
 */
export const COUNTER_GRACE_MS = 60 * 60 * 1000;

export function planCounters(orgId: string, scopes: readonly UsageScope[], estimate: UsageAmounts, now: Date): CounterPlan[] {
  const plans = new Map<string, CounterPlan>();
  for (const scope of scopes) {
    if (!scope.id) throw new RangeError(`usage scope ${scope.type} has an empty id`);
    for (const limit of scope.limits) {
      const window = periodWindow(limit.period, now);
      const key = counterKey(orgId, scope, limit.metric, window.id);
      const plan: CounterPlan = {
        scope: { type: scope.type, id: scope.id },
        metric: limit.metric,
        period: limit.period,
        window,
        key,
        limit: limitToUnits(limit.metric, limit.limit),
        amount: amountFor(limit.metric, estimate),
        ttlMs: window.resetsAt === null ? null : window.resetsAt.getTime() - now.getTime() + COUNTER_GRACE_MS,
        thresholds: [...new Set(limit.alertThresholds)].sort((a, b) => a - b),
      };
      // The same counter listed twice (a scope passed twice, a hand-edited duplicate limit)
      // is reserved once, against the stricter limit.
      const existing = plans.get(key);
      if (!existing || plan.limit < existing.limit) plans.set(key, plan);
    }
  }
  return [...plans.values()];
}

export function amountFor(metric: UsageMetric, amounts: UsageAmounts): number {
  if (metric === 'requests') return 1;
  return metric === 'tokens' ? amounts.tokens : amounts.costMicroUsd;
}

/**
 * Usage as whole non-negative units: fractional counts round up and negatives clamp to zero,
 * as computeCostMicroUsd does (never under-bill); anything non-finite is a caller bug.
 */
export function normalizeAmounts(amounts: UsageAmounts, what: string): UsageAmounts {
  return { tokens: wholeUnits(amounts.tokens, `${what}.tokens`), costMicroUsd: wholeUnits(amounts.costMicroUsd, `${what}.costMicroUsd`) };
}

function wholeUnits(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${String(value)}`);
  return Math.min(Math.max(0, Math.ceil(value)), Number.MAX_SAFE_INTEGER);
}
