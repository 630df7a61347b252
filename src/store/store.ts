export interface StoreSetOptions {
  /** Positive integer milliseconds; omitted means the key never expires. */
  ttlMs?: number;
  /** Write only when the key does not exist (or has expired). */
  onlyIfAbsent?: boolean;
}

export interface StoreIncrOptions {
  /**
   * Applied only when this call creates the key, so a counter's window is fixed by its
   * first increment and later increments cannot keep it alive forever.
   */
  ttlMs?: number;
}

export interface LeaseOptions {
  /** How many leases the semaphore grants at once (a positive integer). */
  limit: number;
  /** Positive integer milliseconds: a lease nobody renews or releases frees itself after this. */
  ttlMs: number;
}

/**
 * Shared state for rate limits, usage counters and caches. Semantics follow Redis so the
 * in-memory and Redis implementations are interchangeable behind the same contract tests.
 */
export interface Store {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  /**
   * Resolves true when the value was written. Like Redis SET, a write without `ttlMs`
   * clears any TTL the key had.
   */
  set(key: string, value: string, opts?: StoreSetOptions): Promise<boolean>;
  del(key: string): Promise<void>;
  /**
   * Atomically adds a safe integer (negative decrements) to a counter, treating a missing
   * key as 0, and resolves the new value. Rejects when the stored value is not an integer.
   */
  incrBy(key: string, amount: number, opts?: StoreIncrOptions): Promise<number>;
  /** Remaining lifetime in ms; null when the key is missing or never expires. */
  ttlMs(key: string): Promise<number | null>;
  /**
   * Counting semaphore with expiring leases (org concurrency limits, across replicas). Takes the
   * lease `leaseId` on `key` when fewer than `limit` live leases are held, and resolves whether it
   * is held. Calling it again for a lease already held renews it (whatever the count), so a
   * long-running holder keeps its lease by re-acquiring before `ttlMs` runs out; a lease of a
   * crashed holder expires and frees its place.
   */
  acquireLease(key: string, leaseId: string, opts: LeaseOptions): Promise<boolean>;
  /** Gives the lease back; a no-op when it is not held (released twice, or expired). */
  releaseLease(key: string, leaseId: string): Promise<void>;
  /** Live (unexpired) leases on `key`. */
  countLeases(key: string): Promise<number>;
  ping(): Promise<void>;
  /** Idempotent; afterwards every operation rejects with StoreUnavailableError. */
  close(): Promise<void>;
}

export const DEFAULT_STORE_PREFIX = 'portcullis:';
