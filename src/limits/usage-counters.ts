/**
 * Integer counters with an atomic, all-or-nothing "reserve if it fits" operation: the primitive
 * behind usage limits. Two implementations with identical semantics (checked by one contract
 * suite): in process memory, and in Redis for several gateway replicas.
 *
 * Amounts are whole units only (requests, tokens, micro-USD) so Redis and memory agree exactly
 * and no float rounding can let a budget drift.
 */
import { MemoryUsageCounters } from './memory-usage-counters.js';
import type { RedisSource } from './redis-source.js';
import { RedisUsageCounters } from './redis-usage-counters.js';

export interface ReserveItem {
  key: string;
  /** Non-negative safe integer to add. */
  amount: number;
  /** The counter may reach this value but never exceed it through reserve. */
  limit: number;
  /** Lifetime given to the counter when this reserve creates it; null = never expires. */
  ttlMs: number | null;
}

export interface ReserveOptions {
  /**
   * Refuse to create counters: when any key is absent, nothing changes and the result lists
   * the missing ones, so the caller can rebuild them (see usage-limiter) instead of silently
   * restarting a lost counter from zero.
   */
  requireExisting?: boolean;
}

export type ReserveResult =
  | { ok: true }
  /** items[failedIndex] would exceed its limit; `current` is its value (absent = 0). */
  | { ok: false; reason: 'limit'; failedIndex: number; current: number }
  /** Only with requireExisting: indexes of the absent counters, ascending. */
  | { ok: false; reason: 'missing'; missingIndexes: number[] };

export interface AdjustItem {
  key: string;
  /** Safe integer, negative to give back. */
  delta: number;
}

export interface UsageCounters {
  readonly kind: 'memory' | 'redis';
  /** If every item fits (current + amount <= limit) adds every amount, else changes nothing. Keys must be distinct. */
  reserve(items: readonly ReserveItem[], options?: ReserveOptions): Promise<ReserveResult>;
  /**
   * Adds each delta to an existing counter and returns the new totals, in order. An absent
   * counter is left absent (null): creating it from a delta alone would hide the usage it lost.
   * A total never goes below zero.
   */
  adjust(items: readonly AdjustItem[]): Promise<(number | null)[]>;
  /** Current values, in order; null = absent. */
  get(keys: readonly string[]): Promise<(number | null)[]>;
  /**
   * Sets the counter only if it is absent (never clobbers a concurrent writer); true when it was set.
   * `markers`: keys set to 1 (each only if absent, with the same TTL) in the same atomic step, and
   * only when the counter itself was set: the alert markers of the thresholds a counter rebuilt
   * from the logs already reaches (see usage-limiter), so no settle can see one without the other.
   */
  initialize(key: string, value: number, ttlMs: number | null, markers?: readonly string[]): Promise<boolean>;
  /** Idempotent; afterwards every operation rejects with StoreUnavailableError. */
  close(): Promise<void>;
}

export interface UsageCountersOptions {
  /** Redis URL, or a shared RedisConnection (see redis-source.ts); absent = this process only. */
  redis?: RedisSource;
  /** Prepended to every key so deployments sharing a Redis stay apart. */
  prefix: string;
}

export function createUsageCounters(options: UsageCountersOptions): UsageCounters {
  if (options.redis !== undefined) return new RedisUsageCounters(options.redis, options.prefix);
  return new MemoryUsageCounters();
}
