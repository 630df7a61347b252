/**
 * Provider-call failures and fallbacks, counted by the attempt loop (gateway/pipeline/attempts.ts)
 * as they happen: the request log only keeps the last provider, not each failed attempt.
 */
import { UpstreamNetworkError } from '../gateway/upstream/errors.js';
import type { UpstreamFailure } from '../gateway/upstream/retry.js';
import { fallbacksTotal, safely, upstreamErrorsTotal } from './metrics.js';
import { providerLabel } from './gateway-metrics.js';

/** A fixed kind per failure: what an operator would alert on differently. */
export function upstreamFailureKind(failure: UpstreamFailure): string {
  if (failure instanceof UpstreamNetworkError) return failure.kind === 'refused-address' ? 'refused_address' : failure.kind;
  if (failure.code === 'upstream_redirect') return 'redirect';
  if (failure.code === 'upstream_protocol_error') return 'protocol';
  if (failure.type === 'overloaded_error' || failure.code === 'overloaded_error') return 'overloaded';
  if (failure.status === 429) return 'rate_limited';
  if (failure.status === 401 || failure.status === 403) return 'auth';
  if (failure.status === 404) return 'not_found';
  if (failure.status === 408) return 'timeout';
  if (failure.status >= 500) return 'server_error';
  return 'client_error';
}

export function countUpstreamFailure(provider: string, failure: UpstreamFailure): void {
  safely(() => upstreamErrorsTotal.inc({ provider: providerLabel(provider), kind: upstreamFailureKind(failure) }));
}

export function countFallback(fromProvider: string, toProvider: string): void {
  safely(() => fallbacksTotal.inc({ from_provider: providerLabel(fromProvider), to_provider: providerLabel(toProvider) }));
}
