import { describe, expect, it } from 'vitest';
import type { UpstreamErrorInfo } from '../../providers/types.js';
import { createCircuitBreakerRegistry } from './circuit-breaker.js';
import { UpstreamNetworkError } from './errors.js';

const KEY = 'openai https://api.openai.com/v1';
const OTHER = 'anthropic https://api.anthropic.com';

function http(status: number): UpstreamErrorInfo {
  return { status, type: 'api_error', code: '', message: 'x', retryable: false };
}
const serverError = http(503);
const badRequest = http(400);
const timeout = new UpstreamNetworkError('timeout', 'api.openai.com', 'x');
const aborted = new UpstreamNetworkError('aborted', 'api.openai.com', 'x');

function setup(options: { failureThreshold?: number; openMs?: number; probeLeaseMs?: number } = {}) {
  let time = 1_000_000;
  const registry = createCircuitBreakerRegistry({ failureThreshold: 3, openMs: 30_000, ...options, now: () => time });
  return {
    registry,
    advance: (ms: number): void => {
      time += ms;
    },
    tripOpen: (): void => {
      for (let i = 0; i < (options.failureThreshold ?? 3); i++) registry.recordFailure(KEY, serverError);
    },
  };
}

describe('createCircuitBreakerRegistry', () => {
  it('opens after N consecutive retryable failures and then rejects fast', () => {
    const { registry } = setup();
    registry.recordFailure(KEY, serverError);
    registry.recordFailure(KEY, timeout);
    expect(registry.state(KEY)).toBe('closed');
    expect(registry.canAttempt(KEY)).toBe(true);
    registry.recordFailure(KEY, serverError);
    expect(registry.state(KEY)).toBe('open');
    expect(registry.canAttempt(KEY)).toBe(false);
    expect(registry.state(OTHER)).toBe('closed');
    expect(registry.canAttempt(OTHER)).toBe(true);
  });

  it('only counts consecutive failures: a success resets the count', () => {
    const { registry } = setup();
    registry.recordFailure(KEY, serverError);
    registry.recordFailure(KEY, serverError);
    registry.recordSuccess(KEY);
    registry.recordFailure(KEY, serverError);
    registry.recordFailure(KEY, serverError);
    expect(registry.state(KEY)).toBe('closed');
  });

  it('does not count failures caused by the request or the caller, nor let them reset the count', () => {
    const { registry } = setup();
    for (let i = 0; i < 10; i++) registry.recordFailure(KEY, badRequest);
    registry.recordFailure(KEY, aborted);
    registry.recordFailure(KEY, new UpstreamNetworkError('refused-address', 'h', 'x'));
    expect(registry.state(KEY)).toBe('closed');
    registry.recordFailure(KEY, serverError);
    registry.recordFailure(KEY, badRequest);
    registry.recordFailure(KEY, serverError);
    registry.recordFailure(KEY, http(429));
    expect(registry.state(KEY)).toBe('open');
  });

  it('stays open until openMs has elapsed, then goes half-open', () => {
    const { registry, advance, tripOpen } = setup();
    tripOpen();
    advance(29_999);
    expect(registry.state(KEY)).toBe('open');
    expect(registry.canAttempt(KEY)).toBe(false);
    advance(1);
    expect(registry.state(KEY)).toBe('half-open');
  });

  it('lets exactly one probe through in half-open while concurrent callers are rejected', () => {
    const { registry, advance, tripOpen } = setup();
    tripOpen();
    advance(30_000);
    const attempts = Array.from({ length: 10 }, () => registry.canAttempt(KEY));
    expect(attempts.filter(Boolean)).toHaveLength(1);
    expect(attempts[0]).toBe(true);
    expect(registry.state(KEY)).toBe('half-open');
  });

  it('closes when the probe succeeds', () => {
    const { registry, advance, tripOpen } = setup();
    tripOpen();
    advance(30_000);
    expect(registry.canAttempt(KEY)).toBe(true);
    registry.recordSuccess(KEY);
    expect(registry.state(KEY)).toBe('closed');
    expect(registry.canAttempt(KEY)).toBe(true);
    expect(registry.canAttempt(KEY)).toBe(true);
    // The failure count starts over.
    registry.recordFailure(KEY, serverError);
    registry.recordFailure(KEY, serverError);
    expect(registry.state(KEY)).toBe('closed');
  });

  it('re-opens for another openMs when the probe fails', () => {
    const { registry, advance, tripOpen } = setup();
    tripOpen();
    advance(30_000);
    expect(registry.canAttempt(KEY)).toBe(true);
    advance(5_000);
    registry.recordFailure(KEY, timeout);
    expect(registry.state(KEY)).toBe('open');
    advance(29_999);
    expect(registry.canAttempt(KEY)).toBe(false);
    advance(1);
    expect(registry.state(KEY)).toBe('half-open');
    expect(registry.canAttempt(KEY)).toBe(true);
    expect(registry.canAttempt(KEY)).toBe(false);
  });

  it('hands the probe slot back when the probe ends without a verdict (client left, bad request)', () => {
    const { registry, advance, tripOpen } = setup();
    tripOpen();
    advance(30_000);
    expect(registry.canAttempt(KEY)).toBe(true);
    registry.recordFailure(KEY, aborted);
    expect(registry.state(KEY)).toBe('half-open');
    expect(registry.canAttempt(KEY)).toBe(true);
    registry.recordFailure(KEY, badRequest);
    expect(registry.canAttempt(KEY)).toBe(true);
    expect(registry.canAttempt(KEY)).toBe(false);
  });

  it('grants a new probe when the previous one never reported within its lease', () => {
    const { registry, advance, tripOpen } = setup({ probeLeaseMs: 10_000 });
    tripOpen();
    advance(30_000);
    expect(registry.canAttempt(KEY)).toBe(true);
    advance(9_999);
    expect(registry.canAttempt(KEY)).toBe(false);
    advance(1);
    expect(registry.canAttempt(KEY)).toBe(true);
  });

  it('ignores outcomes of stragglers while open', () => {
    const { registry, advance, tripOpen } = setup();
    tripOpen();
    advance(10_000);
    registry.recordSuccess(KEY);
    expect(registry.state(KEY)).toBe('open');
    registry.recordFailure(KEY, serverError);
    // Not extended: half-open at the original time.
    advance(20_000);
    expect(registry.state(KEY)).toBe('half-open');
  });

  it('validates its options', () => {
    expect(() => createCircuitBreakerRegistry({ failureThreshold: 0, openMs: 1 })).toThrow(RangeError);
    expect(() => createCircuitBreakerRegistry({ failureThreshold: 1.5, openMs: 1 })).toThrow(RangeError);
    expect(() => createCircuitBreakerRegistry({ failureThreshold: 1, openMs: -1 })).toThrow(RangeError);
  });
});
