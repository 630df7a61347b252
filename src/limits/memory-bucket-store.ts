/**
 * Rate-limit buckets in this process's memory: the store without Redis, and the insurance store
 * while Redis is down. Same arithmetic as the Redis scripts (bucket.ts); JavaScript is single
 * threaded, so each call is atomic as a Lua script is.
 */
import {
  assertRule,
  drainedLevel,
  fits,
  keepMs,
  MAX_DEBT_LIMITS,
  type BucketAdjust,
  type BucketState,
  type BucketStore,
  type BucketTake,
  type TakeResult,
} from './bucket.js';

interface Entry extends BucketState {
  expiresAt: number;
}

export class MemoryBucketStore implements BucketStore {
  private readonly entries = new Map<string, Entry>();
  private writesSinceSweep = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  take(items: readonly BucketTake[]): Promise<TakeResult> {
    return Promise.resolve(this.takeNow(items));
  }

  adjust(items: readonly BucketAdjust[]): Promise<void> {
    for (const item of items) assertRule(item, item.delta, 'delta');
    const now = this.clock();
    for (const item of items) {
      const state = this.live(item.key, now);
      const level = drainedLevel(state, item, now);
      if (item.delta < 0 && !state) continue;
      const next = item.delta < 0 ? Math.max(0, level + item.delta) : Math.min(level + item.delta, MAX_DEBT_LIMITS * item.limit);
      const blockedMs = state ? Math.max(0, state.blockedUntil - now) : 0;
      this.write(
        item.key,
        { level: next, at: Math.max(now, state?.at ?? now), blockedUntil: state?.blockedUntil ?? 0 },
        keepMs(next, blockedMs, item),
        now,
      );
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private takeNow(items: readonly BucketTake[]): TakeResult {
    for (const item of items) assertRule(item, item.points, 'points');
    const now = this.clock();
    const states = items.map((item) => this.live(item.key, now));
    const levels = items.map((item, i) => drainedLevel(states[i], item, now));
    const blocked = states.map((state) => (state ? Math.max(0, state.blockedUntil - now) : 0));
    const refusing = items.map((item, i) => blocked[i]! > 0 || !fits(levels[i]!, item.points, item.limit));
    const allowed = !refusing.includes(true);
    items.forEach((item, i) => {
      const at = Math.max(now, states[i]?.at ?? now);
      if (allowed) {
        const level = levels[i]! + item.points;
        this.write(item.key, { level, at, blockedUntil: 0 }, keepMs(level, 0, item), now);
        levels[i] = level;
      } else if (refusing[i] && blocked[i] === 0 && (item.blockMs ?? 0) > 0) {
        const blockMs = item.blockMs ?? 0;
        this.write(item.key, { level: levels[i]!, at: now, blockedUntil: now + blockMs }, keepMs(levels[i]!, blockMs, item), now);
        blocked[i] = blockMs;
      }
    });
    return { allowed, buckets: items.map((_, i) => ({ level: levels[i]!, blockedMs: blocked[i]! })) };
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private write(key: string, state: BucketState, ttlMs: number, now: number): void {
    this.entries.set(key, { ...state, expiresAt: now + ttlMs });
    // Keys can come from clients (addresses): drop drained buckets now and then, at a cost
    // proportional to the writes since the last sweep, so memory follows active keys only.
    if (++this.writesSinceSweep < Math.max(1000, this.entries.size)) return;
    this.writesSinceSweep = 0;
    for (const [k, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(k);
  }
}
