/**
 * The rate-limit algorithm: a leaky bucket per key (equivalently a token bucket counted as "used"
 * rather than "left"). The bucket holds the points used recently; it drains continuously at
 * `limit` points per window, and a take of `points` is allowed while `level + points <= limit`.
 *
 * Why not fixed windows: a fixed one-minute window lets `limit` requests through at 0:59 and
 * `limit` more at 1:00, twice the limit within two seconds. Here points come back only as time
 * passes, so after a burst of `limit` the next request waits `window / limit`, whatever the clock
 * says. The level, not a token count, is stored so that raising a limit takes effect at once.
 *
 * This file is the reference for both stores: the memory store runs these functions, and the
 * Redis Lua scripts (bucket-scripts.ts) do the same arithmetic in one atomic step.
 */

/** Float slack so that a level that is exactly at the limit after drain arithmetic still counts as at it. */
export const LEVEL_EPSILON = 1e-6;

/** A penalty can push a bucket over its limit, but never beyond this many limits (bounded wait). */
export const MAX_DEBT_LIMITS = 2;

export interface BucketRule {
  /** Points allowed per window (> 0). */
  limit: number;
  /** Window in ms: an empty bucket fills up to `limit` in this time, and a full one drains in it. */
  windowMs: number;
}

export interface BucketTake extends BucketRule {
  key: string;
  points: number;
  /** Once a take is refused, refuse everything for this long (0 = no block). */
  blockMs?: number;
}

export interface BucketAdjust extends BucketRule {
  key: string;
  /** Positive: a penalty (capped at MAX_DEBT_LIMITS x limit). Negative: a refund (never below empty). */
  delta: number;
}

/** One bucket after a take: its level (after the take if allowed) and how long it stays blocked. */
export interface BucketView {
  level: number;
  blockedMs: number;
}

export interface TakeResult {
  /** All or nothing: either every bucket took its points, or none did. */
  allowed: boolean;
  buckets: BucketView[];
}

export interface BucketState {
  level: number;
  /** When the level was last computed (ms). */
  at: number;
  /** Blocked until this time (ms); 0 = not blocked. */
  blockedUntil: number;
}

/** The level at `now`, after draining since the state was written. A clock going back drains nothing. */
export function drainedLevel(state: BucketState | undefined, rule: BucketRule, now: number): number {
  if (!state) return 0;
  const elapsed = Math.max(0, now - state.at);
  return Math.max(0, state.level - (elapsed * rule.limit) / rule.windowMs);
}

export function fits(level: number, points: number, limit: number): boolean {
  return level + points <= limit + LEVEL_EPSILON;
}

/** Points that can still be taken now. */
export function remainingPoints(view: BucketView, rule: BucketRule): number {
  if (view.blockedMs > 0) return 0;
  return Math.max(0, Math.floor(rule.limit - view.level + LEVEL_EPSILON));
}

/** Time until the bucket is empty again (OpenAI's "resets to its initial state"). */
export function msUntilEmpty(view: BucketView, rule: BucketRule): number {
  return Math.max(view.blockedMs, Math.ceil((view.level * rule.windowMs) / rule.limit));
}

/**
 * Time until `points` can be taken. Infinity when they never can (more than the limit): callers
 * treat that case apart.
 */
export function msUntilFits(view: BucketView, rule: BucketRule, points: number): number {
  if (points > rule.limit) return Number.POSITIVE_INFINITY;
  const excess = view.level + points - rule.limit;
  const drain = excess <= LEVEL_EPSILON ? 0 : Math.ceil((excess * rule.windowMs) / rule.limit);
  return Math.max(view.blockedMs, drain);
}

/** How long a store must keep a bucket: until it has drained and any block has ended (plus slack). */
export function keepMs(level: number, blockedMs: number, rule: BucketRule): number {
  return Math.max(Math.ceil((level * rule.windowMs) / rule.limit), blockedMs) + 1000;
}

/** Checks the arguments every store relies on (Lua would otherwise compute with NaN). */
export function assertRule(rule: BucketRule, amount: number, name: string): void {
  if (!(Number.isFinite(rule.limit) && rule.limit > 0)) throw new RangeError(`limit must be a positive number, got ${String(rule.limit)}`);
  if (!(Number.isFinite(rule.windowMs) && rule.windowMs > 0))
    throw new RangeError(`windowMs must be a positive number, got ${String(rule.windowMs)}`);
  if (!Number.isFinite(amount)) throw new RangeError(`${name} must be a finite number, got ${String(amount)}`);
}

/** Where buckets live: memory (one process) or Redis (every replica). */
export interface BucketStore {
  /** Takes every item's points in one atomic step, or none of them. */
  take(items: readonly BucketTake[]): Promise<TakeResult>;
  /** Penalties and refunds, each bucket on its own. A refund to a bucket that does not exist does nothing. */
  adjust(items: readonly BucketAdjust[]): Promise<void>;
  close(): Promise<void>;
}
