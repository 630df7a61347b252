/**
 * Requests-per-minute and tokens-per-minute limits per API key, project and org, with the
 * rate-limit headers OpenAI sends. Fixed one-minute windows (rate-limiter-flexible), shared
 * through Redis when configured; while Redis is down every replica limits on its own (the
 * insurance limiter), so the effective limit is at most (replicas x limit) until it returns.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimit } from '../tenancy/limits.js';
import { awaitConnectAttempt, createInsuredLimiter, type InsuranceListener } from './insured-limiter.js';
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
   * positive adds a penalty, negative gives tokens back, but never more than the current
   * window holds (a refund landing in a new window must not become extra allowance). Never rejects.
   */
  adjustTokens(scopes: readonly RateScope[], delta: number): Promise<void>;
  /** Closes the Redis connection if this limiter opened it. */
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  redis?: RedisSource;
  /** Redis key prefix, e.g. the store prefix "portcullis:". */
  prefix: string;
  /** Called each time Redis failed and the per-process limiter answered. */
  onInsurance?: InsuranceListener;
  /** Unexpected limiter failures (the request is then not rate limited). */
  onError?: (error: unknown) => void;
}

const WINDOW_SECONDS = 60;

interface Charge {
  scope: UsageScopeRef;
  kind: RateKind;
  limit: number;
  points: number;
  key: string;
  limiter: RateLimiterAbstract;
}

type ChargeOutcome = { charge: Charge; allowed: boolean; res: RateLimiterRes } | { charge: Charge; error: unknown };

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  return new ScopedRateLimiter(options);
}

class ScopedRateLimiter implements RateLimiter {
  private readonly redis: ResolvedRedis | undefined;
  // One limiter per kind and limit value (rate-limiter-flexible fixes points per instance).
  // Redis keys do not include the limit, so changing a limit keeps the window's count.
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(private readonly options: RateLimiterOptions) {
    this.redis = options.redis === undefined ? undefined : resolveRedis(options.redis, 'portcullis-rate-limits');
  }

  async check(request: RateCheckRequest): Promise<RateCheckResult> {
    const tokens = wholeTokens(request.estimatedTokens);
    const charges = this.charges(request.scopes, tokens);
    if (charges.length > 0) await awaitConnectAttempt(this.redis?.connection);
    const outcomes = await Promise.all(charges.map((charge) => this.consume(charge)));
    const counted = outcomes.filter((o): o is Extract<ChargeOutcome, { res: RateLimiterRes }> => 'res' in o);
    const refused = counted.filter((o) => !o.allowed);
    if (refused.length === 0) return { allowed: true, headers: rateLimitHeaders(counted.map((o) => stateOf(o.charge, o.res, false))) };

    // A refused request uses nothing: every charge it made is given back, including the one
    // that refused. Otherwise one oversized request could use up its org's tokens for the
    // rest of the minute, and a scope that allowed it would count a request that never ran.
    await Promise.allSettled(counted.filter((o) => o.charge.points > 0).map((o) => o.charge.limiter.reward(o.charge.key, o.charge.points)));
    const worst = refused.reduce((a, b) => (b.res.msBeforeNext > a.res.msBeforeNext ? b : a));
    const { charge } = worst;
    const requestTooLarge = charge.kind === 'tokens' && charge.points > charge.limit;
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil(worst.res.msBeforeNext / 1000)),
      headers: rateLimitHeaders(counted.map((o) => stateOf(o.charge, o.res, true))),
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
    const charges = this.charges(scopes, Math.abs(points)).filter((charge) => charge.kind === 'tokens');
    if (charges.length > 0) await awaitConnectAttempt(this.redis?.connection);
    await Promise.all(
      charges.map(async (charge) => {
        try {
          if (points > 0) {
            await charge.limiter.penalty(charge.key, points);
            return;
          }
          const current = await charge.limiter.get(charge.key);
          const refundable = Math.min(-points, current?.consumedPoints ?? 0);
          if (refundable > 0) await charge.limiter.reward(charge.key, refundable);
        } catch (error) {
          this.options.onError?.(error);
        }
      }),
    );
  }

  async close(): Promise<void> {
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
      if (requestsPerMinute !== null)
        charges.push({
          scope: ref,
          kind: 'requests',
          limit: requestsPerMinute,
          points: 1,
          key,
          limiter: this.limiter('requests', requestsPerMinute),
        });
      if (tokensPerMinute !== null)
        charges.push({
          scope: ref,
          kind: 'tokens',
          limit: tokensPerMinute,
          points: tokens,
          key,
          limiter: this.limiter('tokens', tokensPerMinute),
        });
    }
    return charges;
  }

  private limiter(kind: RateKind, points: number): RateLimiterAbstract {
    const id = `${kind}:${points}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = createInsuredLimiter({
        connection: this.redis?.connection,
        keyPrefix: `${this.options.prefix}rate-${kind}`,
        points,
        durationSeconds: WINDOW_SECONDS,
        onInsurance: this.options.onInsurance,
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  private async consume(charge: Charge): Promise<ChargeOutcome> {
    try {
      return { charge, allowed: true, res: await charge.limiter.consume(charge.key, charge.points) };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { charge, allowed: false, res: rejection };
      // Unreachable with the insurance limiter in place; if the library itself fails, the
      // usage limits still hold the budget, so this check lets the request through.
      this.options.onError?.(rejection);
      return { charge, error: rejection };
    }
  }
}

/** The scope's window after this check (after the refund when the request was refused). */
function stateOf(charge: Charge, res: RateLimiterRes, refunded: boolean): RateState {
  const consumed = res.consumedPoints - (refunded ? charge.points : 0);
  return {
    kind: charge.kind,
    limit: charge.limit,
    remaining: Math.max(0, charge.limit - consumed),
    resetMs: Math.max(0, res.msBeforeNext),
  };
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
