/**
 * A bucket store that never fails: Redis when configured, and an in-memory insurance store that
 * answers (per process) whenever Redis does not, so limiting never stops and never throws.
 *
 * Reporting is per limiter and per outage: the first fallback of an outage says so (with the
 * reason), every decision the insurance makes is reported (to meter it), and the first Redis
 * answer after an outage reports the recovery. insurance-reporter.ts turns this into one warning
 * per outage, one recovery line, and Prometheus metrics.
 */
import { StoreUnavailableError } from '../store/errors.js';
import type { RedisConnection } from '../store/redis-connection.js';
import type { BucketAdjust, BucketStore, BucketTake, TakeResult } from './bucket.js';
import { MemoryBucketStore } from './memory-bucket-store.js';
import { RedisBucketStore } from './redis-bucket-store.js';

export type InsuranceOperation = 'take' | 'adjust';

export type InsuranceEvent =
  | {
      type: 'fallback';
      /** Which limiter fell back (its key prefix). */
      limiter: string;
      operation: InsuranceOperation;
      /** True for the first fallback since Redis last answered (or since start). */
      outageStarted: boolean;
      /** Why Redis did not answer; never a password (RedisConnection strips it). */
      reason: string;
    }
  | { type: 'recovered'; limiter: string; outageMs: number; fallbackDecisions: number };

export type InsuranceListener = (event: InsuranceEvent) => void;

export interface InsuredStoreOptions {
  connection: RedisConnection | undefined;
  /** Names the limiter in events (its key prefix). */
  limiter: string;
  onInsurance?: InsuranceListener;
  /** Tests inject a clock; otherwise memory uses Date.now and Redis its own clock. */
  clock?: () => number;
}

export function createInsuredStore(options: InsuredStoreOptions): BucketStore {
  const memory = new MemoryBucketStore(options.clock ?? Date.now);
  if (options.connection === undefined) return memory;
  return new InsuredBucketStore(options.connection, new RedisBucketStore(options.connection, options.clock), memory, options);
}

class InsuredBucketStore implements BucketStore {
  private outage: { since: number; decisions: number } | undefined;

  constructor(
    private readonly connection: RedisConnection,
    private readonly redis: BucketStore,
    private readonly memory: BucketStore,
    private readonly options: InsuredStoreOptions,
  ) {}

  async take(items: readonly BucketTake[]): Promise<TakeResult> {
    return this.run(
      'take',
      () => this.redis.take(items),
      () => this.memory.take(items),
    );
  }

  async adjust(items: readonly BucketAdjust[]): Promise<void> {
    return this.run(
      'adjust',
      () => this.redis.adjust(items),
      () => this.memory.adjust(items),
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async run<T>(operation: InsuranceOperation, primary: () => Promise<T>, insurance: () => Promise<T>): Promise<T> {
    // While a connection attempt is in progress (typically right after startup) wait for it,
    // so the first requests are limited in Redis, shared by every replica. During an outage
    // this returns at once and the insurance answers without a command that can only fail.
    await awaitConnectAttempt(this.connection);
    let result: T;
    try {
      result = await primary();
    } catch (error) {
      // Argument errors are the caller's bug, not an outage: the insurance would throw them too.
      if (error instanceof RangeError) throw error;
      const outageStarted = this.outage === undefined;
      this.outage ??= { since: Date.now(), decisions: 0 };
      this.outage.decisions += 1;
      this.report({ type: 'fallback', limiter: this.options.limiter, operation, outageStarted, reason: reasonOf(error) });
      return insurance();
    }
    if (this.outage) {
      const { since, decisions } = this.outage;
      this.outage = undefined;
      this.report({ type: 'recovered', limiter: this.options.limiter, outageMs: Date.now() - since, fallbackDecisions: decisions });
    }
    return result;
  }

  private report(event: InsuranceEvent): void {
    try {
      this.options.onInsurance?.(event);
    } catch {
      // A failing metrics or logging hook must not turn a fallback into an error.
    }
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof StoreUnavailableError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}

/** Waits while a connection attempt is in progress; returns at once during an outage. */
export async function awaitConnectAttempt(connection: RedisConnection | undefined): Promise<void> {
  await connection?.whenReady().catch(() => undefined);
}
