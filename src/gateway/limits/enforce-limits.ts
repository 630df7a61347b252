/**
 * Rate limits (requests and tokens per minute) and usage limits (spend, tokens, requests per
 * period) for one gateway request, at every level that applies: API key, project, org. Runs after
 * routing (the cost estimate needs the model's price) and before the cache and the provider call.
 * Usage is reserved up front for the request's upper bound and settled to what it really cost
 * when the request is over (see limits/usage-limiter.ts); the reservation makes concurrent
 * requests unable to overshoot a limit together.
 */
import type { Context } from 'hono';
import { HttpError } from '../../http/errors.js';
import { estimateMaxCostMicroUsd } from '../../providers/catalog/cost.js';
import { parseLimits, type Limits } from '../../tenancy/limits.js';
import type { RateScope } from '../../limits/rate-limiter.js';
import type { UsageScope } from '../../limits/usage-limiter.js';
import type { GatewayEnv } from '../pipeline/gateway-env.js';
import type { RouteCandidate } from '../routing/resolve-route.js';
import type { GatewayServices } from '../services.js';

const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

// The verified-key cache hands out the same limits object for a key: parse it once.
const parsedKeyLimits = new WeakMap<object, Limits>();
function keyLimits(stored: unknown): Limits {
  if (typeof stored !== 'object' || stored === null) return parseLimits(stored);
  let limits = parsedKeyLimits.get(stored);
  if (!limits) parsedKeyLimits.set(stored, (limits = parseLimits(stored)));
  return limits;
}

export type RequestEstimate = {
  /** An upper bound on the input tokens (see chat-handler.ts). Computed only when a limit applies. */
  inputTokens: () => number;
  /** The client's max_tokens, if it set one. */
  maxOutputTokens: number | undefined;
  /** Choices requested (`n`): each may produce up to the max output, and the provider bills them all. */
  choices?: number;
};

/** Throws the 429 or 503 that refuses the request, or registers the settlement and returns. */
export async function enforceLimits(
  c: Context<GatewayEnv>,
  services: GatewayServices,
  candidates: RouteCandidate[],
  estimate: RequestEstimate,
): Promise<void> {
  const key = c.get('apiKey');
  const project = c.get('project');
  const levels: { type: 'api_key' | 'project' | 'org'; id: string; limits: Limits }[] = [
    { type: 'api_key', id: key.id, limits: keyLimits(key.limits) },
    { type: 'project', id: project.projectId, limits: project.projectSettings.limits },
    { type: 'org', id: project.orgId, limits: project.orgSettings.limits },
  ];
  const usageScopes: UsageScope[] = levels
    .filter((l) => l.limits.usage.length > 0)
    .map((l) => ({ type: l.type, id: l.id, limits: l.limits.usage }));
  const rateScopes: RateScope[] = levels
    .filter((l) => l.limits.rate.requestsPerMinute !== null || l.limits.rate.tokensPerMinute !== null)
    .map((l) => ({ type: l.type, id: l.id, rate: l.limits.rate }));
  // From here on the request counts toward usage (live counters, and their rebuild from the logs)
  // unless a limit refuses it below.
  const log = c.get('log');
  log.fields.usageCounted = true;
  // No limit anywhere: nothing to count, no store round trip on the hot path.
  if (usageScopes.length === 0 && rateScopes.length === 0) return;

  const inputTokens = estimate.inputTokens();
  // The upper bound the spec demands: max_tokens when the client set it, else the model's maximum
  // output (the largest among the candidates, since a fallback may serve it).
  const maxOut = estimate.maxOutputTokens ?? Math.max(...candidates.map((x) => x.catalog?.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS));
  const choices = Math.max(1, Math.floor(estimate.choices ?? 1));
  const outputBound = maxOut * choices;
  const estimatedTokens = inputTokens + outputBound;
  // The most expensive candidate bounds the cost (a fallback may serve it).
  const costMicroUsd = Math.max(
    0,
    ...candidates.map((x) => (x.catalog ? estimateMaxCostMicroUsd(x.catalog.pricing, inputTokens, outputBound) : 0)),
  );
  // A spend limit cannot be enforced on a model without a price: refuse rather than let it through
  // as free. Self-hosted models (openai-compatible) cost nothing per token and stay allowed.
  const spendLimited = usageScopes.some((scope) => scope.limits.some((limit) => limit.metric === 'spend_usd'));
  const unpriced = candidates.find((x) => !x.catalog && x.provider !== 'openai-compatible');
  if (spendLimited && unpriced) {
    log.fields.usageCounted = false;
    throw new HttpError(
      400,
      'invalid_request_error',
      'model_not_priced',
      `${unpriced.provider}/${unpriced.model} has no price in the model catalog, so a spend limit cannot be enforced on it. Use a catalog model id (GET /v1/models).`,
    );
  }

  if (rateScopes.length > 0) {
    const rate = await services.rateLimiter.check({ scopes: rateScopes, estimatedTokens });
    for (const [name, value] of Object.entries(rate.headers)) c.header(name, value);
    if (!rate.allowed) {
      log.fields.usageCounted = false;
      throw new HttpError(
        429,
        'rate_limit_error',
        rate.requestTooLarge ? 'request_too_large_for_rate_limit' : 'rate_limit_exceeded',
        rate.message,
        {
          headers: { ...rate.headers, 'retry-after': String(rate.retryAfterSeconds) },
        },
      );
    }
  }

  const reservation =
    usageScopes.length > 0
      ? await services.usageLimiter.reserve({
          orgId: project.orgId,
          scopes: usageScopes,
          estimate: { tokens: estimatedTokens, costMicroUsd },
          requestId: c.get('requestId'),
        })
      : undefined;
  if (reservation && !reservation.ok) {
    log.fields.usageCounted = false;
    if (rateScopes.length > 0) void services.rateLimiter.adjustTokens(rateScopes, -estimatedTokens);
    if (reservation.reason === 'store_unavailable') {
      c.get('logger').error({ err: reservation.error }, 'usage counters unavailable: request refused (limits fail closed)');
      throw new HttpError(503, 'api_error', 'usage_store_unavailable', reservation.message, { headers: { 'retry-after': '5' } });
    }
    const headers: Record<string, string> = {};
    if (reservation.resetsAt) headers['retry-after'] = String(Math.max(1, Math.ceil((reservation.resetsAt.getTime() - Date.now()) / 1000)));
    throw new HttpError(429, 'rate_limit_error', 'usage_limit_exceeded', reservation.message, { headers });
  }
  if (reservation?.status === 'failed_open')
    c.get('logger').warn({ err: reservation.error }, 'usage counters unavailable: request let through unlimited (org fails open)');

  c.get('log').onFinish((fields) => {
    // A cut stream is settled on what the gateway counted it delivered (usage/delivered-usage.ts).
    // One the client abandoned before the provider reported usage, and that nothing could count
    // (a provider without a tokenizer or count endpoint, or a failed count), was still generated
    // and billed upstream: it keeps its reservation (the upper bound) rather than counting as free.
    const counted = fields.usageSource === 'gateway';
    const abandoned = !counted && fields.status === 499 && (fields.usage === null || fields.usage.outputTokens === 0);
    const tokens = abandoned ? estimatedTokens : (fields.usage?.inputTokens ?? 0) + (fields.usage?.outputTokens ?? 0);
    const cost = abandoned ? costMicroUsd : (fields.costMicroUsd ?? 0);
    if (reservation) {
      void reservation.settle({ tokens, costMicroUsd: cost }).then((outcome) => {
        if (!outcome.ok) c.get('logger').warn({ error: outcome.error }, 'usage reservation could not be settled');
      });
    }
    if (rateScopes.length > 0) void services.rateLimiter.adjustTokens(rateScopes, tokens - estimatedTokens);
  });
}
