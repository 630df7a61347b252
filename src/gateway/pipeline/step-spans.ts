/**
 * The gateway pipeline's trace spans, one helper per step, so the pipeline files only wrap a call.
 * Attributes are chosen here, in one place a reviewer can read: tenant ids, model and provider
 * names, counts, statuses and codes. Never request or response text, headers, guardrail matched
 * values or rule names, and never the API key's id or lookup id (derived from a credential).
 */
import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import { annotateActiveSpan, withSpan } from '../../observability/spans.js';
import { activeTracer } from '../../observability/tracing.js';
import type { AuthenticatedKey } from '../authenticate.js';
import type { RequestGuard } from '../guardrails/request-guard.js';
import type { RouteCandidate } from '../routing/resolve-route.js';
import { UpstreamNetworkError } from '../upstream/errors.js';
import type { AttemptOutcome } from './attempts.js';
import type { RequestLogFields } from './log-recorder.js';

export const GATEWAY_SPANS = {
  authenticate: 'gateway.authenticate',
  route: 'gateway.route',
  limits: 'gateway.limits',
  guardrailsInput: 'gateway.guardrails.input',
  cacheLookup: 'gateway.cache.lookup',
  attempt: 'gateway.upstream.attempt',
  guardrailsOutput: 'gateway.guardrails.output',
  logEnqueue: 'gateway.request_log.enqueue',
} as const;

// GenAI semantic-convention names (still "development" in semconv 1.38, so spelled out here
// rather than imported from the incubating entry point, which may change between releases).
const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
const GEN_AI_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
const GEN_AI_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';

const tenantAttributes = (key: Pick<AuthenticatedKey, 'orgId' | 'projectId'>): Attributes => ({
  'portcullis.org_id': key.orgId,
  'portcullis.project_id': key.projectId,
});

/** Verifies the key in a span; the org and project ids also go on the request's server span. */
export async function traceAuthentication(authenticate: () => Promise<AuthenticatedKey>): Promise<AuthenticatedKey> {
  const key = await withSpan(GATEWAY_SPANS.authenticate, {}, async (span) => {
    const verified = await authenticate();
    span.setAttributes(tenantAttributes(verified));
    return verified;
  });
  annotateActiveSpan(tenantAttributes(key));
  return key;
}

export function traceRoute(model: string, route: () => RouteCandidate[]): RouteCandidate[] {
  return withSpan(GATEWAY_SPANS.route, { [GEN_AI_REQUEST_MODEL]: model }, (span) => {
    const candidates = route();
    span.setAttributes({ 'portcullis.route.candidates': candidates.length, 'portcullis.provider': candidates[0]?.provider ?? '' });
    return candidates;
  });
}

/** Rate limits and the usage reservation (a refusal ends the span with its error code). */
export function traceLimits(enforce: () => Promise<void>): Promise<void> {
  return withSpan(GATEWAY_SPANS.limits, {}, () => enforce());
}

/** A guardrail pass: how many findings it added, never what they matched. */
export function traceGuardrails<T>(direction: 'input' | 'output', guard: RequestGuard, judge: () => Promise<T>): Promise<T> {
  const name = direction === 'input' ? GATEWAY_SPANS.guardrailsInput : GATEWAY_SPANS.guardrailsOutput;
  return withSpan(name, { 'portcullis.guardrails.active': guard.active }, async (span) => {
    const before = guard.events.length;
    try {
      return await judge();
    } finally {
      span.setAttribute('portcullis.guardrails.findings', guard.events.length - before);
    }
  });
}

export function traceCacheLookup<T>(lookup: () => Promise<T | undefined | null>): Promise<T | undefined | null> {
  return withSpan(GATEWAY_SPANS.cacheLookup, {}, async (span) => {
    const hit = await lookup();
    span.setAttribute('portcullis.cache.status', hit ? 'hit' : 'miss');
    return hit;
  });
}

/** One span per upstream call: retries and fallbacks each get their own. */
export function traceAttempt<T>(
  attempt: { candidate: RouteCandidate; number: number; fallback: boolean },
  run: () => Promise<AttemptOutcome<T>>,
): Promise<AttemptOutcome<T>> {
  if (!activeTracer('gateway')) return run(); // tracing off: no wrapper on the hottest step
  const attributes: Attributes = {
    'portcullis.provider': attempt.candidate.provider,
    [GEN_AI_REQUEST_MODEL]: attempt.candidate.model,
    'portcullis.attempt.number': attempt.number,
    'portcullis.attempt.fallback': attempt.fallback,
  };
  return withSpan(GATEWAY_SPANS.attempt, attributes, async (span) => {
    const outcome = await run();
    span.setAttribute('portcullis.attempt.outcome', outcome.kind);
    if (outcome.kind === 'failed') {
      const { failure } = outcome;
      span.setStatus({ code: SpanStatusCode.ERROR });
      if (failure instanceof UpstreamNetworkError) span.setAttribute(ATTR_ERROR_TYPE, failure.kind);
      else span.setAttributes({ [ATTR_HTTP_RESPONSE_STATUS_CODE]: failure.status, [ATTR_ERROR_TYPE]: failure.code || 'upstream_error' });
    }
    return outcome;
  });
}

/** The request's summary (what the request log row gets, minus bodies and key ids) on the enqueue span. */
export function traceLogEnqueue(fields: RequestLogFields, enqueue: () => void): void {
  if (!activeTracer('gateway')) return enqueue(); // tracing off: not even the attribute object
  const attributes: Attributes = {
    [ATTR_HTTP_RESPONSE_STATUS_CODE]: fields.status,
    'portcullis.attempts': fields.attempts,
    'portcullis.stream': fields.stream,
  };
  if (fields.errorCode !== null) attributes[ATTR_ERROR_TYPE] = fields.errorCode;
  if (fields.cacheStatus !== null) attributes['portcullis.cache.status'] = fields.cacheStatus;
  if (fields.provider !== null) attributes['portcullis.provider'] = fields.provider;
  if (fields.model !== null) attributes[GEN_AI_REQUEST_MODEL] = fields.model;
  if (fields.servedModel !== null) attributes[GEN_AI_RESPONSE_MODEL] = fields.servedModel;
  if (fields.usage !== null) {
    attributes[GEN_AI_INPUT_TOKENS] = fields.usage.inputTokens;
    attributes[GEN_AI_OUTPUT_TOKENS] = fields.usage.outputTokens;
  }
  if (fields.costMicroUsd !== null) attributes['portcullis.cost_micro_usd'] = fields.costMicroUsd;
  withSpan(GATEWAY_SPANS.logEnqueue, { ...tenantAttributes(fields), ...attributes }, () => enqueue());
}
