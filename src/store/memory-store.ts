import { performance } from 'node:perf_hooks';
import { StoreUnavailableError } from './errors.js';
import type { LeaseOptions, Store, StoreIncrOptions, StoreSetOptions } from './store.js';
import { assertIncrement, assertLeaseArgs, assertTtlMs } from './store-args.js';

export interface MemoryStoreOptions {
  /** How often expired keys nobody reads again are dropped. */
  sweepIntervalMs?: number;
  /** Monotonic milliseconds; injectable so tests can move time without sleeping. */
  now?: () => number;
}

interface Entry {
  value: string;
  expiresAt: number | undefined;
}

const DEFAULT_SWEEP_INTERVAL_MS = 30_000;
// Same shape Redis accepts for INCRBY (no sign on zero, no leading zeros or spaces), so a
// value that works in development cannot start failing once Redis is switched on.
const INTEGER_VALUE = /^(?:0|-?[1-9]\d{0,18})$/;

/** Single-process Store: the embedded default when no Redis is configured. */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
  /** Semaphores: lease id -> expiry, per key (Redis keeps them as sorted sets in the same keyspace). */
  private readonly semaphores = new Map<string, Map<string, number>>();
  private readonly now: () => number;
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;

  constructor(opts: MemoryStoreOptions = {}) {
    // Wall-clock time can jump (NTP, manual changes) and would shorten or stretch TTLs.
    this.now = opts.now ?? (() => performance.now());
    this.sweepTimer = setInterval(() => this.sweepExpired(), opts.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
    // Housekeeping alone must never keep a CLI command or test process alive.
    this.sweepTimer.unref();
  }

  /** Entries held, including expired ones the sweeper has not reached yet. */
  get size(): number {
    return this.entries.size;
  }

  /** Drops every expired entry; returns how many were removed. */
  sweepExpired(): number {
    const now = this.now();
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (isExpired(entry, now)) {
        this.entries.delete(key);
        removed++;
      }
    }
    for (const key of this.semaphores.keys()) removed += this.liveLeases(key, now) === undefined ? 1 : 0;
    return removed;
  }

  get(key: string): Promise<string | null> {
    return this.op(() => this.live(key)?.value ?? null);
  }

  set(key: string, value: string, opts: StoreSetOptions = {}): Promise<boolean> {
    return this.op(() => {
      assertTtlMs(opts.ttlMs);
      if (opts.onlyIfAbsent && this.live(key)) return false;
      this.entries.set(key, { value, expiresAt: this.expiryFor(opts.ttlMs) });
      return true;
    });
  }

  del(key: string): Promise<void> {
    return this.op(() => {
      this.entries.delete(key);
      this.semaphores.delete(key);
    });
  }

  incrBy(key: string, amount: number, opts: StoreIncrOptions = {}): Promise<number> {
    return this.op(() => {
      assertIncrement(amount);
      assertTtlMs(opts.ttlMs);
      const entry = this.live(key);
      const next = (entry ? parseCounter(entry.value) : 0) + amount;
      if (!Number.isSafeInteger(next)) throw new RangeError('increment or decrement would overflow');
      if (entry) entry.value = String(next);
      else this.entries.set(key, { value: String(next), expiresAt: this.expiryFor(opts.ttlMs) });
      return next;
    });
  }

  ttlMs(key: string): Promise<number | null> {
    return this.op(() => {
      const expiresAt = this.live(key)?.expiresAt;
      return expiresAt === undefined ? null : Math.ceil(expiresAt - this.now());
    });
  }

  acquireLease(key: string, leaseId: string, opts: LeaseOptions): Promise<boolean> {
    return this.op(() => {
      assertLeaseArgs(leaseId, opts.limit, opts.ttlMs);
      const now = this.now();
      const leases = this.liveLeases(key, now) ?? new Map<string, number>();
      if (!leases.has(leaseId) && leases.size >= opts.limit) return false;
      leases.set(leaseId, now + opts.ttlMs);
      this.semaphores.set(key, leases);
      return true;
    });
  }

  releaseLease(key: string, leaseId: string): Promise<void> {
    return this.op(() => {
      const leases = this.semaphores.get(key);
      leases?.delete(leaseId);
      if (leases?.size === 0) this.semaphores.delete(key);
    });
  }

  countLeases(key: string): Promise<number> {
    return this.op(() => this.liveLeases(key, this.now())?.size ?? 0);
  }

  ping(): Promise<void> {
    return this.op(() => undefined);
  }

  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.entries.clear();
    this.semaphores.clear();
    return Promise.resolve();
  }

  // Runs synchronously (which is what makes incrBy atomic here) while still reporting
  // failures as rejections, never as synchronous throws, exactly like the Redis store.
  private op<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve) => {
      if (this.closed) throw new StoreUnavailableError('memory store is closed');
      resolve(fn());
    });
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && isExpired(entry, this.now())) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** The unexpired leases of a semaphore, after dropping expired ones; undefined (and forgotten) when none are left. */
  private liveLeases(key: string, now: number): Map<string, number> | undefined {
    const leases = this.semaphores.get(key);
    if (!leases) return undefined;
    for (const [id, expiresAt] of leases) if (now >= expiresAt) leases.delete(id);
    if (leases.size > 0) return leases;
    this.semaphores.delete(key);
    return undefined;
  }

  private expiryFor(ttlMs: number | undefined): number | undefined {
    return ttlMs === undefined ? undefined : this.now() + ttlMs;
  }
}

function isExpired(entry: Entry, now: number): boolean {
  return entry.expiresAt !== undefined && now >= entry.expiresAt;
}

function parseCounter(value: string): number {
  const parsed = INTEGER_VALUE.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed)) throw new Error('value is not an integer or out of range');
  return parsed;
}
