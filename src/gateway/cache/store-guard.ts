/**
 * Runs the response cache's store calls so that a store failure can only ever cost time, and a
 * bounded amount of it: an error or a timeout becomes the FAILED marker (the caller treats it as
 * a miss or an unwritten entry), is counted, and is logged once per outage rather than once per
 * request — an unreachable Redis under load would otherwise write a warning for every request.
 */
import type { Logger } from '../../logging/logger.js';

export type CacheStoreOp = 'get' | 'set';
export type CacheStoreFailure = 'error' | 'timeout';
export const FAILED: unique symbol = Symbol('cache store failed');

/**
 * Upper bound for one cache read or write. The cache is an optimisation: a hung or unreachable
 * store may cost a request at most this, never its answer. A local Redis answers in well under a
 * millisecond; the bound is loose so that a busy event loop does not turn hits into misses.
 */
export const DEFAULT_CACHE_TIMEOUT_MS = 500;

export type StoreGuardOptions = {
  timeoutMs?: number;
  logger?: Pick<Logger, 'warn' | 'info'>;
  /** Counts each failed store call (the metric), whatever the logger does with it. */
  onStoreError?: (op: CacheStoreOp, reason: CacheStoreFailure) => void;
};

class CacheTimeoutError extends Error {
  constructor(op: CacheStoreOp, ms: number) {
    super(`response cache ${op} took longer than ${ms} ms`);
  }
}

export function createStoreGuard(options: StoreGuardOptions) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CACHE_TIMEOUT_MS;
  // Whether the last store call failed: the warning goes out on the transition, not per call.
  let failing = false;

  const failed = (op: CacheStoreOp, error: unknown): typeof FAILED => {
    const reason: CacheStoreFailure = error instanceof CacheTimeoutError ? 'timeout' : 'error';
    options.onStoreError?.(op, reason);
    if (!failing) {
      failing = true;
      options.logger?.warn(
        { err: error, op, reason },
        'response cache store unavailable: requests go to the provider uncached until it is back',
      );
    }
    return FAILED;
  };

  return {
    async run<T>(op: CacheStoreOp, call: () => Promise<T>): Promise<T | typeof FAILED> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CacheTimeoutError(op, timeoutMs)), timeoutMs);
        timer.unref();
      });
      try {
        // A call still pending when the timer wins settles later into nothing: Promise.race has
        // already attached its handlers, so a late rejection is not an unhandled one.
        const value = await Promise.race([call(), timeout]);
        if (failing) {
          failing = false;
          options.logger?.info({ op }, 'response cache store reachable again');
        }
        return value;
      } catch (error) {
        return failed(op, error);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
