/**
 * Per-upstream circuit breakers (keyed by provider + base URL), so routing skips a provider that is
 * down instead of making every request wait for it to time out. Pure state; the clock is injected.
 *
 * closed --N consecutive counted failures--> open --openMs--> half-open
 * half-open: canAttempt() grants exactly one probe; its success closes, its failure re-opens.
 *
 * Only failures that say something about the upstream's health count (isRetryable: connection
 * errors, timeouts, 408/409/429/5xx). A 400 says the request was bad; a caller abort or an SSRF
 * refusal says nothing about the provider. Those are neutral: they neither count nor reset the
 * count, and in half-open they hand the probe slot back.
 *
 * Outcomes reported while open are ignored: they come from requests that started before the
 * breaker opened, and the probe, not a straggler, decides when to close. The probe slot is leased
 * for probeLeaseMs in case a caller never reports (a bug); callers should report the probe's
 * success as soon as response headers arrive, not after a long stream.
 */
import { isRetryable, type UpstreamFailure } from './retry.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export type CircuitBreakerOptions = {
  /** Consecutive counted failures that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker rejects before letting a probe through. */
  openMs: number;
  /** How long a granted probe holds the half-open slot without reporting. Default 60 s. */
  probeLeaseMs?: number;
  now?: () => number;
};

export type CircuitBreakerRegistry = {
  state(key: string): BreakerState;
  /** True when a call may go ahead. In half-open, true grants the single probe: report its outcome. */
  canAttempt(key: string): boolean;
  recordSuccess(key: string): void;
  recordFailure(key: string, failure: UpstreamFailure): void;
};

type Breaker = {
  consecutiveFailures: number;
  /** Set while open or half-open. */
  openedAt: number | undefined;
  /** Set while a half-open probe is out. */
  probeGrantedAt: number | undefined;
};

const DEFAULT_PROBE_LEASE_MS = 60_000;

export function createCircuitBreakerRegistry(options: CircuitBreakerOptions): CircuitBreakerRegistry {
  const { failureThreshold, openMs } = options;
  const probeLeaseMs = options.probeLeaseMs ?? DEFAULT_PROBE_LEASE_MS;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(failureThreshold) || failureThreshold < 1) throw new RangeError('failureThreshold must be an integer >= 1');
  if (!(openMs >= 0) || !(probeLeaseMs > 0)) throw new RangeError('openMs must be >= 0 and probeLeaseMs > 0');

  // Only breakers that are not fully reset are stored, so the map stays as small as the set of
  // currently troubled upstreams.
  const breakers = new Map<string, Breaker>();

  function stateOf(breaker: Breaker | undefined): BreakerState {
    if (breaker?.openedAt === undefined) return 'closed';
    return now() - breaker.openedAt >= openMs ? 'half-open' : 'open';
  }

  function open(key: string, breaker: Breaker): void {
    breakers.set(key, { ...breaker, openedAt: now(), probeGrantedAt: undefined });
  }

  return {
    state: (key) => stateOf(breakers.get(key)),

    canAttempt(key) {
      const breaker = breakers.get(key);
      const state = stateOf(breaker);
      if (state === 'closed') return true;
      if (state === 'open' || breaker === undefined) return false;
      const probeOut = breaker.probeGrantedAt !== undefined && now() - breaker.probeGrantedAt < probeLeaseMs;
      if (probeOut) return false;
      breaker.probeGrantedAt = now();
      return true;
    },

    recordSuccess(key) {
      if (stateOf(breakers.get(key)) !== 'open') breakers.delete(key);
    },

    recordFailure(key, failure) {
      const breaker = breakers.get(key);
      const state = stateOf(breaker);
      if (!isRetryable(failure)) {
        if (state === 'half-open' && breaker !== undefined) breaker.probeGrantedAt = undefined;
        return;
      }
      if (state === 'open') return;
      if (state === 'half-open' && breaker !== undefined) {
        open(key, breaker);
        return;
      }
      const consecutiveFailures = (breaker?.consecutiveFailures ?? 0) + 1;
      const next: Breaker = { consecutiveFailures, openedAt: undefined, probeGrantedAt: undefined };
      if (consecutiveFailures >= failureThreshold) open(key, next);
      else breakers.set(key, next);
    },
  };
}
