/**
 * Usage limits (spend, tokens, requests per hour/day/month/lifetime) for every gateway request.
 *
 * reserve() books the request against every applicable counter at once, atomically, before the
 * provider is called: requests +1, tokens + the estimate, spend + the estimated maximum cost. No
 * number of concurrent requests or replicas can overshoot a limit. settle() then corrects each
 * counter by actual - reserved and raises budget alerts.
 *
 * Counters are a cache of the request logs: one that does not exist (new window, Redis restarted
 * or evicted it) is rebuilt from the logs before it is used, never restarted from zero, and with
 * the alert markers of the thresholds it already reaches, so a store loss re-sends no alert.
 */
import type { UsageMetric, UsagePeriod } from '../tenancy/limits.js';
import { SingleFlight } from './single-flight.js';
import { reachedThresholdMarkers, ThresholdAlerts, type ThresholdListener } from './threshold-alerts.js';
import type { UsageCounters } from './usage-counters.js';
import type { UsageScopeRef } from './usage-keys.js';
import { amountFor, normalizeAmounts, planCounters, type CounterPlan, type UsageAmounts, type UsageScope } from './usage-plan.js';
import { describeAmount, unitsToDisplay } from './usage-units.js';

export type { ThresholdCrossing, ThresholdListener } from './threshold-alerts.js';
export type { UsageScopeRef, UsageScopeType } from './usage-keys.js';
export type { UsageAmounts, UsageScope } from './usage-plan.js';

/** Sums of the request logs of one scope since a time (portcullis_usage_totals). */
export interface UsageTotals {
  requests: number;
  tokens: number;
  costMicroUsd: number;
}

export interface UsageRequest {
  orgId: string;
  /** Every level that applies (API key, project, org), each with its parsed usage limits. */
  scopes: readonly UsageScope[];
  /** Upper bound of the request: input + max output tokens, estimateMaxCostMicroUsd. */
  estimate: UsageAmounts;
  /** The gateway request, named in the budget alert it may raise. */
  requestId?: string | null;
}

export interface UsageLimiterOptions {
  counters: UsageCounters;
  /** Reads the request logs; called only for a counter that does not exist. */
  rebuild: (scope: UsageScopeRef & { orgId: string }, since: Date) => Promise<UsageTotals>;
  onThreshold: ThresholdListener;
  /** The org's `limitsFailOpen` setting: let requests through unlimited while counters are unreachable. */
  failOpen: (orgId: string) => boolean;
  now?: () => Date;
  /** Failures of onThreshold and of alert markers; limits keep working regardless. */
  onError?: (error: unknown) => void;
}

export type SettleOutcome = { ok: true } | { ok: false; error: string };

export interface Reservation {
  ok: true;
  /**
   * reserved: counted against every limit. unlimited: no limit applies. failed_open: the
   * counters were unreachable and the org fails open, so nothing was reserved (log and meter it).
   */
  status: 'reserved' | 'unlimited' | 'failed_open';
  /** failed_open only: why the counters could not be used (host:port, never a password). */
  error?: string;
  /**
   * After the request ran, successfully or not: replaces the reservation with what it used
   * (0 tokens and 0 cost if the provider reported none). The request itself stays counted.
   * Resolves, never rejects for store errors; later calls (and release) return the first outcome.
   */
  settle(actual: UsageAmounts): Promise<SettleOutcome>;
  /** The request never reached a provider (refused by a later check): give everything back, the request included. */
  release(): Promise<SettleOutcome>;
}

export type UsageRefusal =
  | {
      ok: false;
      reason: 'usage_limit_exceeded';
      scope: UsageScopeRef;
      metric: UsageMetric;
      period: UsagePeriod;
      periodId: string;
      /** In display units (USD for spend). */
      limit: number;
      /** Already used in this window, display units. */
      current: number;
      /** What this request would add (the estimate), display units. */
      requested: number;
      /** When the window ends; null for lifetime limits. */
      resetsAt: Date | null;
      /** For the client (429 usage_limit_exceeded). */
      message: string;
    }
  | {
      ok: false;
      reason: 'store_unavailable';
      /** For the client (503): says nothing about the infrastructure. */
      message: string;
      /** For logs: the underlying failure (host:port, never a password). */
      error: string;
    };

export interface UsageLimiter {
  reserve(request: UsageRequest): Promise<Reservation | UsageRefusal>;
}

// A rebuilt counter can only vanish again if Redis loses data again within milliseconds.
const MAX_REBUILD_ROUNDS = 3;
const STORE_UNAVAILABLE_MESSAGE = 'Usage limits cannot be checked right now; please retry shortly.';

export function createUsageLimiter(options: UsageLimiterOptions): UsageLimiter {
  return new CounterUsageLimiter(options);
}

class CounterUsageLimiter implements UsageLimiter {
  private readonly counters: UsageCounters;
  private readonly now: () => Date;
  private readonly alerts: ThresholdAlerts;
  private readonly rebuilds = new SingleFlight<UsageTotals | undefined>();

  constructor(private readonly options: UsageLimiterOptions) {
    this.counters = options.counters;
    this.now = options.now ?? (() => new Date());
    this.alerts = new ThresholdAlerts(options.counters, options.onThreshold, options.onError ?? (() => undefined));
  }

  async reserve(request: UsageRequest): Promise<Reservation | UsageRefusal> {
    if (!request.orgId) throw new RangeError('usage request has an empty orgId');
    // Validated before anything is sent: a NaN estimate is a gateway bug (500), not an outage.
    const estimate = normalizeAmounts(request.estimate, 'estimate');
    const plans = planCounters(request.orgId, request.scopes, estimate, this.now());
    if (plans.length === 0) return this.reservation(request.orgId, 'unlimited', [], undefined, request.requestId ?? null);
    try {
      const failed = await this.reserveRebuildingMissing(request.orgId, plans);
      if (failed === undefined) return this.reservation(request.orgId, 'reserved', plans, undefined, request.requestId ?? null);
      return limitRefusal(plans[failed.index]!, failed.current);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (this.failsOpen(request.orgId)) return this.reservation(request.orgId, 'failed_open', plans, reason, request.requestId ?? null);
      return { ok: false, reason: 'store_unavailable', message: STORE_UNAVAILABLE_MESSAGE, error: reason };
    }
  }

  /** Resolves undefined when reserved, or the counter that refused; rejects when counters or logs are unusable. */
  private async reserveRebuildingMissing(orgId: string, plans: CounterPlan[]): Promise<{ index: number; current: number } | undefined> {
    const items = plans.map((plan) => ({ key: plan.key, amount: plan.amount, limit: plan.limit, ttlMs: plan.ttlMs }));
    for (let round = 0; round < MAX_REBUILD_ROUNDS; round++) {
      const result = await this.counters.reserve(items, { requireExisting: true });
      if (result.ok) return undefined;
      if (result.reason === 'limit') return { index: result.failedIndex, current: result.current };
      await this.rebuild(
        orgId,
        result.missingIndexes.map((index) => plans[index]!),
      );
    }
    throw new Error('usage counters vanished again right after being rebuilt');
  }

  /**
   * One read of the logs per scope and window, shared by every concurrent request that found
   * a counter of it missing; then set-if-absent, so a counter another replica rebuilt (and may
   * already have counted into) is never overwritten.
   *
   * The first request's counters are set before its flight ends, and a flight first checks that
   * its counters are still missing: a request that saw them missing just before another
   * request's rebuild finished does not read the logs a second time.
   */
  private async rebuild(orgId: string, missing: CounterPlan[]): Promise<void> {
    const byWindow = new Map<string, CounterPlan[]>();
    for (const plan of missing) {
      const flightKey = JSON.stringify([orgId, plan.scope.type, plan.scope.id, plan.window.start.toISOString()]);
      byWindow.set(flightKey, [...(byWindow.get(flightKey) ?? []), plan]);
    }
    await Promise.all(
      [...byWindow].map(async ([flightKey, plans]) => {
        const first = plans[0]!;
        const totals = await this.rebuilds.run(flightKey, async () => {
          const current = await this.counters.get(plans.map((plan) => plan.key));
          if (current.every((value) => value !== null && value !== undefined)) return undefined;
          const read = validTotals(await this.options.rebuild({ orgId, ...first.scope }, first.window.start));
          await this.initialize(plans, read);
          return read;
        });
        // Requests that joined the flight set their own counters (a no-op for the ones it set).
        if (totals !== undefined) await this.initialize(plans, totals);
      }),
    );
  }

  /**
   * A store that lost the counters lost their alert markers with them: a counter rebuilt at a
   * value already past 50% and 80% would re-send both alerts on the next settle (duplicate
   * webhooks and audit events). So the counter is created together with the markers of every
   * threshold its rebuilt value reaches, in one atomic step and only by the initializer that
   * wins (a loser's later log read could include fresh usage whose crossing is still due to
   * alert). Only usage counted after the rebuild raises alerts.
   *
   * The trade-off: at most once over a store loss, rather than duplicates. A threshold crossed
   * just before the loss whose alert had not been marked yet (lost in the crash itself, or
   * crossed by a settle that found its counter gone) is not sent. The logs cannot tell a lost
   * counter from one never created, so a limit added mid-period over usage already past some
   * thresholds alerts only for the ones crossed afterwards.
   */
  private async initialize(plans: readonly CounterPlan[], totals: UsageTotals): Promise<void> {
    await Promise.all(
      plans.map((plan) => {
        const value = plan.metric === 'requests' ? totals.requests : plan.metric === 'tokens' ? totals.tokens : totals.costMicroUsd;
        return this.counters.initialize(plan.key, value, plan.ttlMs, reachedThresholdMarkers(plan, value));
      }),
    );
  }

  private failsOpen(orgId: string): boolean {
    try {
      return this.options.failOpen(orgId) === true;
    } catch {
      // Cannot tell what the org wants: keep the budget hard.
      return false;
    }
  }

  private reservation(
    orgId: string,
    status: Reservation['status'],
    plans: CounterPlan[],
    error: string | undefined,
    requestId: string | null,
  ): Reservation {
    let outcome: Promise<SettleOutcome> | undefined;
    const apply = (deltas: number[], alert: boolean): Promise<SettleOutcome> =>
      (outcome ??= this.apply(orgId, plans, deltas, alert, requestId));
    return {
      ok: true,
      status,
      ...(error !== undefined ? { error } : {}),
      settle: (actual) => {
        if (outcome) return outcome;
        let used: UsageAmounts;
        try {
          used = normalizeAmounts(actual, 'actual');
        } catch (error) {
          // A caller bug, reported as a rejection like every other failure of a promise API.
          return Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
        // Unreserved (failed open): count the request and its usage now, if the counters are back.
        return apply(
          plans.map((plan) => amountFor(plan.metric, used) - (status === 'reserved' ? plan.amount : 0)),
          true,
        );
      },
      release: () =>
        apply(
          plans.map((plan) => (status === 'reserved' ? -plan.amount : 0)),
          false,
        ),
    };
  }

  /** `alert`: settles check thresholds even when correcting down (the total may still be past one); releases never do. */
  private async apply(
    orgId: string,
    plans: CounterPlan[],
    deltas: number[],
    alert: boolean,
    requestId: string | null,
  ): Promise<SettleOutcome> {
    // Nothing reserved and nothing to record (unlimited, or releasing an unreserved request).
    if (plans.length === 0 || (!alert && deltas.every((delta) => delta === 0))) return { ok: true };
    let totals: (number | null)[];
    try {
      totals = await this.counters.adjust(plans.map((plan, index) => ({ key: plan.key, delta: deltas[index]! })));
    } catch (error) {
      // The reservation stays counted: over-counting errs on the side of the budget.
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    if (!alert) return { ok: true };
    await Promise.all(
      plans.map(async (plan, index) => {
        const total = totals[index];
        // Absent: the counter was lost; its rebuild from the logs will include this request.
        if (total === null || total === undefined) return;
        try {
          await this.alerts.check(orgId, plan, total, requestId);
        } catch (error) {
          this.options.onError?.(error);
        }
      }),
    );
    return { ok: true };
  }
}

function validTotals(totals: UsageTotals): UsageTotals {
  const whole = (value: number, name: string): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`usage rebuild returned an invalid ${name}`);
    return Math.min(Math.floor(value), Number.MAX_SAFE_INTEGER);
  };
  return {
    requests: whole(totals.requests, 'request count'),
    tokens: whole(totals.tokens, 'token count'),
    costMicroUsd: whole(totals.costMicroUsd, 'cost'),
  };
}

function limitRefusal(plan: CounterPlan, current: number): UsageRefusal {
  const who =
    plan.scope.type === 'org' ? 'organization' : plan.scope.type === 'project' ? `project ${plan.scope.id}` : `API key ${plan.scope.id}`;
  const when = plan.window.resetsAt === null ? 'This limit does not reset.' : `It resets at ${plan.window.resetsAt.toISOString()}.`;
  const metricName = plan.metric === 'spend_usd' ? 'spend' : plan.metric;
  const needs = plan.metric === 'spend_usd' ? 'this request may cost up to' : 'this request needs';
  return {
    ok: false,
    reason: 'usage_limit_exceeded',
    scope: plan.scope,
    metric: plan.metric,
    period: plan.period,
    periodId: plan.window.id,
    limit: unitsToDisplay(plan.metric, plan.limit),
    current: unitsToDisplay(plan.metric, current),
    requested: unitsToDisplay(plan.metric, plan.amount),
    resetsAt: plan.window.resetsAt,
    message:
      `Usage limit exceeded: the ${plan.period} ${metricName} limit of the ${who} is ${describeAmount(plan.metric, plan.limit)}; ` +
      `${describeAmount(plan.metric, current)} used and ${needs} ${describeAmount(plan.metric, plan.amount)}. ${when}`,
  };
}
