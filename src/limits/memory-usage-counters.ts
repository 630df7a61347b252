import { performance } from 'node:perf_hooks';
import { StoreUnavailableError } from '../store/errors.js';
import { assertAdjustItems, assertInitialize, assertKeys, assertReserveItems } from './counter-args.js';
import type { AdjustItem, ReserveItem, ReserveOptions, ReserveResult, UsageCounters } from './usage-counters.js';

interface Entry {
  value: number;
  expiresAt: number | undefined;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Counters of one process (the embedded default without Redis). Every operation runs
 * synchronously inside its promise executor, so no other operation can interleave: that is
 * what makes reserve atomic here, as the Lua script does in Redis.
 */
export class MemoryUsageCounters implements UsageCounters {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;

  /** `now`: monotonic ms; wall-clock jumps (NTP) must not stretch or cut TTLs. Injectable for tests. */
  constructor(private readonly now: () => number = () => performance.now()) {
    // Expired counters nobody reads again (last hour's windows) would otherwise pile up.
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  reserve(items: readonly ReserveItem[], options: ReserveOptions = {}): Promise<ReserveResult> {
    return this.op((): ReserveResult => {
      assertReserveItems(items);
      const current = items.map((item) => this.live(item.key));
      if (options.requireExisting) {
        const missingIndexes = current.flatMap((entry, index) => (entry ? [] : [index]));
        if (missingIndexes.length > 0) return { ok: false, reason: 'missing', missingIndexes };
      }
      for (const [index, item] of items.entries()) {
        const value = current[index]?.value ?? 0;
        if (value + item.amount > item.limit) return { ok: false, reason: 'limit', failedIndex: index, current: value };
      }
      for (const [index, item] of items.entries()) {
        const entry = current[index];
        if (entry) entry.value += item.amount;
        else this.entries.set(item.key, { value: item.amount, expiresAt: this.expiryFor(item.ttlMs) });
      }
      return { ok: true };
    });
  }

  adjust(items: readonly AdjustItem[]): Promise<(number | null)[]> {
    return this.op(() => {
      assertAdjustItems(items);
      return items.map((item) => {
        const entry = this.live(item.key);
        if (!entry) return null;
        entry.value = Math.max(0, entry.value + item.delta);
        return entry.value;
      });
    });
  }

  get(keys: readonly string[]): Promise<(number | null)[]> {
    return this.op(() => {
      assertKeys(keys);
      return keys.map((key) => this.live(key)?.value ?? null);
    });
  }

  initialize(key: string, value: number, ttlMs: number | null, markers: readonly string[] = []): Promise<boolean> {
    return this.op(() => {
      assertInitialize(key, value, ttlMs, markers);
      if (this.live(key)) return false;
      const expiresAt = this.expiryFor(ttlMs);
      this.entries.set(key, { value, expiresAt });
      for (const marker of markers) if (!this.live(marker)) this.entries.set(marker, { value: 1, expiresAt });
      return true;
    });
  }

  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.entries.clear();
    return Promise.resolve();
  }

  // Failures come back as rejections, never synchronous throws, exactly like the Redis side.
  private op<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve) => {
      if (this.closed) throw new StoreUnavailableError('usage counters are closed');
      resolve(fn());
    });
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry?.expiresAt !== undefined && this.now() >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private expiryFor(ttlMs: number | null): number | undefined {
    return ttlMs === null ? undefined : this.now() + ttlMs;
  }

  private sweep(): void {
    for (const key of this.entries.keys()) this.live(key);
  }
}
