/**
 * One rate-limiter-flexible limiter: RateLimiterRedis when Redis is configured, with a
 * RateLimiterMemory insurance limiter that takes over (per process) whenever Redis fails, so
 * limiting never stops and never throws; RateLimiterMemory alone otherwise.
 */
import {
  RateLimiterMemory,
  RateLimiterRedis,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
  type RateLimiterRes,
} from 'rate-limiter-flexible';
import type { RedisConnection } from '../store/redis-connection.js';

export type InsuranceOperation = 'consume' | 'penalty' | 'reward' | 'get';

export interface InsuranceEvent {
  /** Which limiter fell back (its key prefix). */
  limiter: string;
  operation: InsuranceOperation;
}

export type InsuranceListener = (event: InsuranceEvent) => void;

export interface InsuredLimiterOptions {
  connection: RedisConnection | undefined;
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  blockDurationSeconds?: number;
  onInsurance?: InsuranceListener;
}

/**
 * The insurance limiter is only ever called by RateLimiterRedis after a Redis failure, so
 * every call here is a fallback worth reporting (to meter, and to log, throttled).
 */
class ReportingMemoryLimiter extends RateLimiterMemory {
  constructor(
    options: IRateLimiterOptions,
    private readonly report: (operation: InsuranceOperation) => void,
  ) {
    super(options);
  }

  override consume(key: string | number, points?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    this.report('consume');
    return super.consume(key, points, options);
  }

  override penalty(key: string | number, points?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    this.report('penalty');
    return super.penalty(key, points, options);
  }

  override reward(key: string | number, points?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    this.report('reward');
    return super.reward(key, points, options);
  }

  override get(key: string | number, options?: Record<string, unknown>): Promise<RateLimiterRes | null> {
    this.report('get');
    return super.get(key, options);
  }
}

export function createInsuredLimiter(options: InsuredLimiterOptions): RateLimiterAbstract {
  const base: IRateLimiterOptions = {
    keyPrefix: options.keyPrefix,
    points: options.points,
    duration: options.durationSeconds,
    blockDuration: options.blockDurationSeconds ?? 0,
  };
  if (options.connection === undefined) return new RateLimiterMemory(base);
  const listener = options.onInsurance;
  const report = (operation: InsuranceOperation): void => {
    try {
      listener?.({ limiter: options.keyPrefix, operation });
    } catch {
      // A failing metrics hook must not turn a fallback into an error.
    }
  };
  return new RateLimiterRedis({
    ...base,
    storeClient: options.connection.client,
    insuranceLimiter: new ReportingMemoryLimiter(base, report),
    // Not ready = use the insurance at once, without sending a command that can only fail.
    rejectIfRedisNotReady: true,
  });
}

/**
 * Waits while a connection attempt is in progress (typically right after startup), so the
 * first requests are limited in Redis, shared by every replica, instead of per process. During
 * an outage it returns at once and the insurance limiter answers.
 */
export async function awaitConnectAttempt(connection: RedisConnection | undefined): Promise<void> {
  await connection?.whenReady().catch(() => undefined);
}
