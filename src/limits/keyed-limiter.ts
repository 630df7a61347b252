/**
 * A plain "N attempts per window per key" throttle, for keys that are not tenants: a client IP,
 * the lookup id of a presented API key (failed authentication), an auth endpoint. Shared
 * through Redis when configured, per process (insurance) while Redis is down.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { awaitConnectAttempt, createInsuredLimiter, type InsuranceListener } from './insured-limiter.js';
import { limiterKey } from './limiter-key.js';
import { resolveRedis, type RedisSource, type ResolvedRedis } from './redis-source.js';

export interface KeyedLimiterOptions {
  points: number;
  durationSeconds: number;
  redis?: RedisSource;
  /** Redis key prefix naming this throttle, e.g. "portcullis:auth-fail-ip". */
  prefix: string;
  /** Once the points are exceeded, refuse for this long (rather than until the window ends). */
  blockDurationSeconds?: number;
  onInsurance?: InsuranceListener;
  /** Unexpected limiter failures (the attempt is then allowed). */
  onError?: (error: unknown) => void;
}

export interface KeyedConsumeResult {
  allowed: boolean;
  /** Whole seconds until an attempt can succeed; 0 when allowed. */
  retryAfterSeconds: number;
  /** Attempts left in the window after this one. */
  remaining: number;
}

export interface KeyedLimiter {
  /** Counts one attempt. Never rejects for store failures. */
  consume(key: string): Promise<KeyedConsumeResult>;
  /** Gives one counted attempt back (e.g. the authentication succeeded after all); never below zero. Never rejects. */
  reward(key: string): Promise<void>;
  /** Closes the Redis connection if this limiter opened it. */
  close(): Promise<void>;
}

export function createKeyedLimiter(options: KeyedLimiterOptions): KeyedLimiter {
  for (const [name, value] of [
    ['points', options.points],
    ['durationSeconds', options.durationSeconds],
    ['blockDurationSeconds', options.blockDurationSeconds ?? 1],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  const redis: ResolvedRedis | undefined = options.redis === undefined ? undefined : resolveRedis(options.redis, 'portcullis-keyed-limits');
  const limiter: RateLimiterAbstract = createInsuredLimiter({
    connection: redis?.connection,
    keyPrefix: options.prefix,
    points: options.points,
    durationSeconds: options.durationSeconds,
    blockDurationSeconds: options.blockDurationSeconds,
    onInsurance: options.onInsurance,
  });

  return {
    async consume(key) {
      await awaitConnectAttempt(redis?.connection);
      try {
        const res = await limiter.consume(limiterKey(key), 1);
        return { allowed: true, retryAfterSeconds: 0, remaining: res.remainingPoints };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)), remaining: 0 };
        }
        // Unreachable with the insurance limiter in place. Allowing keeps a library fault from
        // locking every user out; the attempt itself is still authenticated as usual.
        options.onError?.(rejection);
        return { allowed: true, retryAfterSeconds: 0, remaining: 0 };
      }
    },
    async reward(key) {
      await awaitConnectAttempt(redis?.connection);
      try {
        const k = limiterKey(key);
        // Only give back what was taken: rewarding an empty window would bank credit (a
        // negative count), and successes could then buy extra guesses for a brute force.
        const current = await limiter.get(k);
        if ((current?.consumedPoints ?? 0) > 0) await limiter.reward(k, 1);
      } catch (error) {
        options.onError?.(error);
      }
    },
    async close() {
      if (redis?.owned) await redis.connection.close();
    },
  };
}
