/**
 * Requests-per-minute and tokens-per-minute limits per API key, project and org, with the
 * rate-limit headers OpenAI sends. Each limit is a leaky bucket (bucket.ts) that drains
 * continuously, so there is no window boundary to burst across: after a full minute's worth
 * the next request waits for its share to drain. All scopes of a request are checked and
 * charged in one atomic step (a Lua script on Redis, shared by every replica); while Redis is
 * down every replica limits on its own (the insurance store), so the effective limit is at
 * most (replicas x limit) until it returns.
 */
import type { RateLimit } from '../tenancy/limits.js';
import {
  msUntilEmpty,
  msUntilFits,
  remainingPoints,
  type BucketRule,
  type BucketStore,
  type BucketView,
  type TakeResult,
} from './bucket.js';
import { createInsuredStore, type InsuranceListener } from './insured-limiter.js';
import { limiterKey } from './limiter-key.js';
import { resolveRedis, type RedisSource, type ResolvedRedis } from './redis-source.js';
import { rateLimitHeaders, type RateLimitHeaders, type RateState } from './rate-limit-headers.js';
import type { UsageScopeRef } from './usage-keys.js';

export type { InsuranceEvent, InsuranceListener } from './insured-limiter.js';
export type { RateLimitHeaders } from './rate-limit-headers.js';

export type RateKind = 'requests' | 'tokens';

export interface RateScope extends UsageScopeRef {
  rate: RateLimit;
}

export interface RateCheckRequest {
  /** Every level that applies (API key, project, org), each with its parsed rate limits. */
  scopes: readonly RateScope[];
  /** Input tokens + max output tokens; corrected later with adjustTokens. */
  estimatedTokens: number;
}

export type RateCheckResult =
  | { allowed: true; headers: RateLimitHeaders }
  | {
      allowed: false;
      /** Whole seconds, at least 1: the Retry-After header. */
      retryAfterSeconds: number;
      headers: RateLimitHeaders;
      scope: UsageScopeRef;
      kind: RateKind;
      /** The per-minute limit that refused. */
      limit: number;
      /** The estimate alone exceeds the tokens-per-minute limit: retrying cannot help. */
      requestTooLarge: boolean;
      /** For the client (429). */
      message: string;
    };

export interface RateLimiter {
  /** Never rejects for store failures (the insurance limiter answers instead). */
  check(request: RateCheckRequest): Promise<RateCheckResult>;
  /**
   * Corrects the tokens charged by check once the real usage is known (actual - estimated):
   * positive adds a penalty, negative gives tokens back, but never more than the bucket still
   * holds (what has drained already must not come back as extra allowance). Never rejects.
   */
  adjustTokens(scopes: readonly RateScope[], delta: number): Promise<void>;
  /** Closes the Redis connection if this limiter opened it. */
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  redis?: RedisSource;
  /** Redis key prefix, e.g. the store prefix "portcullis:". */
  prefix: string;
  /** Fallbacks to the per-process insurance store and recoveries (insurance-reporter.ts logs and meters them). */
  onInsurance?: InsuranceListener;
  /** Milliseconds since the epoch; tests inject one. Default: Redis's clock on Redis, Date.now in memory. */
  clock?: () => number;
  /** Unexpected limiter failures (the request is then not rate limited). */
  onError?: (error: unknown) => void;
}

const WINDOW_MS = 60_000;

interface Charge extends BucketRule {
  scope: UsageScopeRef;
  kind: RateKind;
  points: number;
  key: string;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  return new ScopedRateLimiter(options);
}

class ScopedRateLimiter implements RateLimiter {
  private readonly redis: ResolvedRedis | undefined;
  private readonly store: BucketStore;

  constructor(private readonly options: RateLimiterOptions) {
    this.redis = options.redis === undefined ? undefined : resolveRedis(options.redis, 'portcullis-rate-limits');
    this.store = createInsuredStore({
      connection: this.redis?.connection,
      limiter: `${options.prefix}rate`,
      ...(options.onInsurance ? { onInsurance: options.onInsurance } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  async check(request: RateCheckRequest): Promise<RateCheckResult> {
    const charges = this.charges(request.scopes, wholeTokens(request.estimatedTokens));
    if (charges.length === 0) return { allowed: true, headers: {} };
    let result: TakeResult;
    try {
      // All or nothing: a request refused by one scope uses nothing from the others, so one
      // oversized request cannot use up its org's tokens, and no scope counts a request that never ran.
      result = await this.store.take(charges);
    } catch (error) {
      // Unreachable with the insurance store in place; if it fails anyway, the usage limits
      // still hold the budget, so this check lets the request through.
      this.options.onError?.(error);
      return { allowed: true, headers: {} };
    }
    const headers = rateLimitHeaders(charges.map((charge, i) => stateOf(charge, result.buckets[i]!)));
    if (result.allowed) return { allowed: true, headers };

    // The scope to report: one the request can never fit (retrying cannot help), else the one
    // that frees up last (retrying before it does is pointless).
    const waits = charges.map((charge, i) => msUntilFits(result.buckets[i]!, charge, charge.points));
    let worst = 0;
    waits.forEach((wait, i) => {
      if (wait > waits[worst]!) worst = i;
    });
    const charge = charges[worst]!;
    const requestTooLarge = charge.kind === 'tokens' && charge.points > charge.limit;
    const waitMs = requestTooLarge ? msUntilEmpty(result.buckets[worst]!, charge) : waits[worst]!;
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
      headers,
      scope: charge.scope,
      kind: charge.kind,
      limit: charge.limit,
      requestTooLarge,
      message: refusalMessage(charge, requestTooLarge),
    };
  }

  async adjustTokens(scopes: readonly RateScope[], delta: number): Promise<void> {
    if (!Number.isFinite(delta)) return;
    const points = Math.trunc(delta);
    if (points === 0) return;
    // A refund never takes a bucket below empty: it cannot become allowance for later.
    const charges = this.charges(scopes, 0).filter((charge) => charge.kind === 'tokens');
    try {
      await this.store.adjust(
        charges.map((charge) => ({ key: charge.key, limit: charge.limit, windowMs: charge.windowMs, delta: points })),
      );
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  async close(): Promise<void> {
    await this.store.close();
    if (this.redis?.owned) await this.redis.connection.close();
  }

  private charges(scopes: readonly RateScope[], tokens: number): Charge[] {
    const charges: Charge[] = [];
    const seen = new Set<string>();
    for (const scope of scopes) {
      const key = limiterKey(`${scope.type}:${scope.id}`);
      // The same scope listed twice must not be charged twice.
      if (seen.has(key)) continue;
      seen.add(key);
      const ref = { type: scope.type, id: scope.id };
      const { requestsPerMinute, tokensPerMinute } = scope.rate;
      // Keys do not include the limit: changing a limit keeps what the bucket holds.
      if (requestsPerMinute !== null) charges.push(this.charge(ref, 'requests', requestsPerMinute, 1, key));
      if (tokensPerMinute !== null) charges.push(this.charge(ref, 'tokens', tokensPerMinute, tokens, key));
    }
    return charges;
  }

  private charge(scope: UsageScopeRef, kind: RateKind, limit: number, points: number, key: string): Charge {
    // "b:" keeps these apart from the fixed-window counters of earlier versions (other value type).
    return { scope, kind, limit, points, windowMs: WINDOW_MS, key: `${this.options.prefix}rate-${kind}:b:${key}` };
  }
}

/** The scope's bucket after this check (unchanged when the request was refused). */
function stateOf(charge: Charge, view: BucketView): RateState {
  return { kind: charge.kind, limit: charge.limit, remaining: remainingPoints(view, charge), resetMs: msUntilEmpty(view, charge) };
}

function wholeTokens(value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new RangeError(`estimatedTokens must be a finite number, got ${String(value)}`);
  return Math.min(Math.max(0, Math.ceil(value)), Number.MAX_SAFE_INTEGER);
}

function refusalMessage(charge: Charge, tooLarge: boolean): string {
  const who =
    charge.scope.type === 'org'
      ? 'organization'
      : charge.scope.type === 'project'
        ? `project ${charge.scope.id}`
        : `API key ${charge.scope.id}`;
  const rule = `the ${who} allows ${charge.limit} ${charge.kind} per minute`;
  if (tooLarge) return `Request too large: it may use up to ${charge.points} tokens but ${rule}. Lower max_tokens or shorten the input.`;
  return `Rate limit exceeded: ${rule}. Please retry after the time in the Retry-After header.`;
}
