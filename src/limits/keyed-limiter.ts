/**
 * A plain "N attempts per window per key" throttle, for keys that are not tenants: a client IP,
 * the lookup id of a presented API key (failed authentication), an auth endpoint. A leaky bucket
 * (bucket.ts): N attempts at once, then one more each window/N, with no window boundary to burst
 * across (nor, for one-time codes, a boundary after which a used code is accepted again).
 * Shared through Redis when configured, per process (insurance) while Redis is down.
 */
import { msUntilFits, remainingPoints, type BucketRule } from './bucket.js';
import { createInsuredStore, type InsuranceListener } from './insured-limiter.js';
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
  /** Milliseconds since the epoch; tests inject one. Default: Redis's clock on Redis, Date.now in memory. */
  clock?: () => number;
  /** Unexpected limiter failures (the attempt is then allowed). */
  onError?: (error: unknown) => void;
}

export interface KeyedConsumeResult {
  allowed: boolean;
  /** Whole seconds until an attempt can succeed; 0 when allowed. */
  retryAfterSeconds: number;
  /** Attempts that could be made right now after this one. */
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
  const store = createInsuredStore({
    connection: redis?.connection,
    limiter: options.prefix,
    ...(options.onInsurance ? { onInsurance: options.onInsurance } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const rule: BucketRule = { limit: options.points, windowMs: options.durationSeconds * 1000 };
  const blockMs = (options.blockDurationSeconds ?? 0) * 1000;
  // "b:" keeps these apart from the fixed-window counters of earlier versions (other value type).
  const bucketKey = (key: string) => `${options.prefix}b:${limiterKey(key)}`;

  return {
    async consume(key) {
      try {
        const result = await store.take([{ ...rule, key: bucketKey(key), points: 1, blockMs }]);
        const view = result.buckets[0]!;
        if (result.allowed) return { allowed: true, retryAfterSeconds: 0, remaining: remainingPoints(view, rule) };
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msUntilFits(view, rule, 1) / 1000)), remaining: 0 };
      } catch (error) {
        // Unreachable with the insurance store in place. Allowing keeps a store fault from
        // locking every user out; the attempt itself is still authenticated as usual.
        options.onError?.(error);
        return { allowed: true, retryAfterSeconds: 0, remaining: 0 };
      }
    },
    async reward(key) {
      try {
        // A refund never takes the bucket below empty: successes cannot bank credit that
        // would buy a brute force extra guesses later.
        await store.adjust([{ ...rule, key: bucketKey(key), delta: -1 }]);
      } catch (error) {
        options.onError?.(error);
      }
    },
    async close() {
      await store.close();
      if (redis?.owned) await redis.connection.close();
    },
  };
}
