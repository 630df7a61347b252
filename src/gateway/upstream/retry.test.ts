import { describe, expect, it } from 'vitest';
import type { UpstreamErrorInfo } from '../../providers/types.js';
import { UpstreamNetworkError, type UpstreamNetworkErrorKind } from './errors.js';
import { backoffDelayMs, isRetryable, retryDelayFor, type RetryPolicy } from './retry.js';

function http(status: number, extra: Partial<UpstreamErrorInfo> = {}): UpstreamErrorInfo {
  return { status, type: 'api_error', code: '', message: 'x', retryable: false, ...extra };
}
function network(kind: UpstreamNetworkErrorKind): UpstreamNetworkError {
  return new UpstreamNetworkError(kind, 'api.example.com', 'x');
}

describe('backoffDelayMs', () => {
  const options = { baseMs: 100, maxMs: 1_000 };

  it('grows the ceiling exponentially from baseMs and caps it at maxMs', () => {
    const top = { ...options, random: () => 0.999_999 };
    expect([1, 2, 3, 4, 5, 6, 50].map((attempt) => backoffDelayMs(attempt, top))).toEqual([99, 199, 399, 799, 999, 999, 999]);
  });

  it('spreads uniformly below the ceiling (full jitter)', () => {
    expect(backoffDelayMs(3, { ...options, random: () => 0 })).toBe(0);
    expect(backoffDelayMs(3, { ...options, random: () => 0.5 })).toBe(200);
    expect(backoffDelayMs(3, { ...options, random: () => 0.25 })).toBe(100);
  });

  it('clamps a random source that strays outside [0, 1]', () => {
    expect(backoffDelayMs(1, { ...options, random: () => 7 })).toBe(100);
    expect(backoffDelayMs(1, { ...options, random: () => -1 })).toBe(0);
  });

  it('never overflows for huge attempt numbers', () => {
    expect(backoffDelayMs(10_000, { ...options, random: () => 0.5 })).toBe(500);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects attempt %s', (attempt) => {
    expect(() => backoffDelayMs(attempt, options)).toThrow(RangeError);
  });
});

describe('isRetryable', () => {
  it.each([408, 409, 429, 500, 502, 503, 504, 529])('retries HTTP %i', (status) => {
    expect(isRetryable(http(status))).toBe(true);
  });

  it.each([400, 401, 403, 404, 413, 422])('does not retry HTTP %i caused by the request', (status) => {
    expect(isRetryable(http(status))).toBe(false);
  });

  it('lets the adapter widen the set, but not narrow a 5xx', () => {
    expect(isRetryable(http(400, { retryable: true, type: 'overloaded_error' }))).toBe(true);
    expect(isRetryable(http(503, { retryable: false }))).toBe(true);
  });

  it.each([
    ['connect', true],
    ['timeout', true],
    ['reset', true],
    ['refused-address', false],
    ['aborted', false],
  ] as const)('network failure %s: %s', (kind, expected) => {
    expect(isRetryable(network(kind))).toBe(expected);
  });
});

describe('retryDelayFor', () => {
  const policy: RetryPolicy = { baseMs: 100, maxMs: 1_000, maxRetryAfterMs: 20_000, random: () => 0.5 };

  it('uses jittered backoff when the provider gives no Retry-After', () => {
    expect(retryDelayFor(http(503), 1, policy)).toEqual({ retry: true, delayMs: 50 });
    expect(retryDelayFor(network('reset'), 4, policy)).toEqual({ retry: true, delayMs: 400 });
  });

  it('honours Retry-After within the cap, even above maxMs', () => {
    expect(retryDelayFor(http(429, { retryAfterSeconds: 2 }), 1, policy)).toEqual({ retry: true, delayMs: 2_000 });
    expect(retryDelayFor(http(429, { retryAfterSeconds: 0.25 }), 1, policy)).toEqual({ retry: true, delayMs: 250 });
    expect(retryDelayFor(http(429, { retryAfterSeconds: 20 }), 1, policy)).toEqual({ retry: true, delayMs: 20_000 });
    expect(retryDelayFor(http(503, { retryAfterSeconds: 0 }), 1, policy)).toEqual({ retry: true, delayMs: 0 });
  });

  it('does not wait out a Retry-After longer than the cap: the caller should fall back', () => {
    expect(retryDelayFor(http(429, { retryAfterSeconds: 21 }), 1, policy)).toEqual({
      retry: false,
      reason: 'retry-after-too-long',
      retryAfterMs: 21_000,
    });
    expect(retryDelayFor(http(429, { retryAfterSeconds: Number.POSITIVE_INFINITY }), 1, policy)).toMatchObject({
      retry: false,
      reason: 'retry-after-too-long',
    });
  });

  it('ignores a nonsensical Retry-After and backs off instead', () => {
    expect(retryDelayFor(http(429, { retryAfterSeconds: -5 }), 1, policy)).toEqual({ retry: true, delayMs: 50 });
    expect(retryDelayFor(http(429, { retryAfterSeconds: Number.NaN }), 1, policy)).toEqual({ retry: true, delayMs: 50 });
  });

  it('never retries what is not retryable, whatever Retry-After says', () => {
    expect(retryDelayFor(http(400, { retryAfterSeconds: 1 }), 1, policy)).toEqual({ retry: false, reason: 'not-retryable' });
    expect(retryDelayFor(network('aborted'), 1, policy)).toEqual({ retry: false, reason: 'not-retryable' });
    expect(retryDelayFor(network('refused-address'), 1, policy)).toEqual({ retry: false, reason: 'not-retryable' });
  });
});
