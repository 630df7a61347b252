/**
 * When to try an upstream call again, and how long to wait first. Pure: randomness is injected.
 */
import type { UpstreamErrorInfo } from '../../providers/types.js';
import { UpstreamNetworkError } from './errors.js';

export type UpstreamFailure = UpstreamErrorInfo | UpstreamNetworkError;

export type BackoffOptions = {
  baseMs: number;
  maxMs: number;
  /** [0, 1), Math.random by default. */
  random?: () => number;
};

export type RetryPolicy = BackoffOptions & {
  /**
   * The longest Retry-After the gateway will sit out. A provider asking for more is not retried
   * now: the caller should fall back to another provider rather than hold the client's request.
   */
  maxRetryAfterMs: number;
};

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 250, maxMs: 8_000, maxRetryAfterMs: 20_000 };

export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: 'not-retryable' }
  /** Retryable, but not within maxRetryAfterMs; retryAfterMs says when the provider will take requests again. */
  | { retry: false; reason: 'retry-after-too-long'; retryAfterMs: number };

/**
 * Full-jitter exponential backoff: uniform in [0, min(maxMs, baseMs * 2^(attempt-1))). Full
 * jitter spreads the retries of many gateway instances hit by the same outage instead of
 * synchronising them. `attempt` is 1 for the first retry.
 */
export function backoffDelayMs(attempt: number, { baseMs, maxMs, random = Math.random }: BackoffOptions): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  // 2 ** large is Infinity, which min() turns into maxMs.
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  const fraction = Math.min(Math.max(random(), 0), 1);
  return Math.floor(fraction * ceiling);
}

// 408 request timeout, 409 conflict (providers use it for "try again"), 429 rate limited, any 5xx.
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Connection failures, timeouts and resets: yes. A refused address or a caller abort: no. HTTP:
 * 408, 409, 429 and 5xx, or whatever the adapter marked retryable (it can widen the set, e.g. a
 * provider's "overloaded" error, but cannot make a 5xx permanent). Other 4xx are caused by the
 * request and would fail again.
 */
export function isRetryable(failure: UpstreamFailure): boolean {
  if (failure instanceof UpstreamNetworkError) return failure.kind === 'connect' || failure.kind === 'timeout' || failure.kind === 'reset';
  return isRetryableStatus(failure.status) || failure.retryable;
}

/** Whether and when to retry after `attempt - 1` retries already failed (`attempt` is 1 for the first retry). */
export function retryDelayFor(failure: UpstreamFailure, attempt: number, policy: RetryPolicy): RetryDecision {
  if (!isRetryable(failure)) return { retry: false, reason: 'not-retryable' };
  const retryAfterSeconds = failure instanceof UpstreamNetworkError ? undefined : failure.retryAfterSeconds;
  // A negative or NaN Retry-After is garbage from the provider: fall back to our own backoff.
  if (retryAfterSeconds !== undefined && retryAfterSeconds >= 0) {
    const retryAfterMs = Math.ceil(retryAfterSeconds * 1000);
    if (retryAfterMs > policy.maxRetryAfterMs) return { retry: false, reason: 'retry-after-too-long', retryAfterMs };
    return { retry: true, delayMs: retryAfterMs };
  }
  return { retry: true, delayMs: backoffDelayMs(attempt, policy) };
}
