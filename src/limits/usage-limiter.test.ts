import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../store/errors.js';
import { MemoryUsageCounters } from './memory-usage-counters.js';
import type { AdjustItem, ReserveItem, ReserveOptions, ReserveResult, UsageCounters } from './usage-counters.js';
import { counterKey } from './usage-keys.js';
import { limit, registerUsageLimiterContract } from './usage-limiter.contract.js';
import { createUsageLimiter, type UsageLimiterOptions } from './usage-limiter.js';

/** Memory counters whose store can be switched off and on (a Redis outage) or wiped (a Redis restart). */
class FlakyCounters implements UsageCounters {
  readonly kind = 'memory';
  down = false;
  inner = new MemoryUsageCounters();
  reserve(items: readonly ReserveItem[], options?: ReserveOptions): Promise<ReserveResult> {
    return this.guard(() => this.inner.reserve(items, options));
  }
  adjust(items: readonly AdjustItem[]): Promise<(number | null)[]> {
    return this.guard(() => this.inner.adjust(items));
  }
  get(keys: readonly string[]): Promise<(number | null)[]> {
    return this.guard(() => this.inner.get(keys));
  }
  initialize(key: string, value: number, ttlMs: number | null, markers?: readonly string[]): Promise<boolean> {
    return this.guard(() => this.inner.initialize(key, value, ttlMs, markers));
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  private guard<T>(fn: () => Promise<T>): Promise<T> {
    return this.down ? Promise.reject(new StoreUnavailableError('Redis at 10.0.0.1:6379 is unavailable: connect ECONNREFUSED')) : fn();
  }
}

registerUsageLimiterContract('memory', () => {
  const counters = new FlakyCounters();
  return Promise.resolve({
    counters,
    loseData: async () => {
      await counters.inner.close();
      counters.inner = new MemoryUsageCounters();
    },
  });
});

const ORG = '7f9a4a0e-0000-4000-8000-000000000001';
const now = new Date('2026-11-28T14:10:00.000Z');

function limiterWith(counters: UsageCounters, overrides: Partial<UsageLimiterOptions> = {}): ReturnType<typeof createUsageLimiter> {
  return createUsageLimiter({
    counters,
    rebuild: () => Promise.resolve({ requests: 0, tokens: 0, costMicroUsd: 0 }),
    onThreshold: () => undefined,
    failOpen: () => false,
    now: () => now,
    ...overrides,
  });
}

describe('usage limiter', () => {
  const scopes = [{ type: 'org' as const, id: ORG, limits: [limit('requests', 'daily', 10, [50]), limit('tokens', 'daily', 1_000)] }];
  const requestsKey = counterKey(ORG, { type: 'org', id: ORG }, 'requests', '2026-11-28');
  const tokensKey = counterKey(ORG, { type: 'org', id: ORG }, 'tokens', '2026-11-28');

  it('records a failed-open request once the counters are back', async () => {
    const counters = new FlakyCounters();
    const limiter = limiterWith(counters, { failOpen: (orgId) => orgId === ORG });
    expect(await limiter.reserve({ orgId: ORG, scopes, estimate: { tokens: 10, costMicroUsd: 0 } })).toMatchObject({ status: 'reserved' });
    counters.down = true;
    const result = await limiter.reserve({ orgId: ORG, scopes, estimate: { tokens: 10, costMicroUsd: 0 } });
    expect(result).toMatchObject({ ok: true, status: 'failed_open', error: 'Redis at 10.0.0.1:6379 is unavailable: connect ECONNREFUSED' });
    counters.down = false;
    if (!result.ok) throw new Error('unreachable');
    expect(await result.settle({ tokens: 30, costMicroUsd: 0 })).toEqual({ ok: true });
    // The first request's reservation (1 request, 10 tokens) plus this one's actual usage.
    expect(await counters.get([requestsKey, tokensKey])).toEqual([2, 40]);
  });

  it('fails closed when the failOpen lookup itself throws', async () => {
    const counters = new FlakyCounters();
    counters.down = true;
    const limiter = limiterWith(counters, {
      failOpen: () => {
        throw new Error('settings unavailable');
      },
    });
    expect(await limiter.reserve({ orgId: ORG, scopes, estimate: { tokens: 1, costMicroUsd: 0 } })).toMatchObject({
      ok: false,
      reason: 'store_unavailable',
    });
  });

  it('keeps the reservation counted when the settle cannot reach the store', async () => {
    const counters = new FlakyCounters();
    const limiter = limiterWith(counters);
    const result = await limiter.reserve({ orgId: ORG, scopes, estimate: { tokens: 500, costMicroUsd: 0 } });
    if (!result.ok) throw new Error('expected a reservation');
    counters.down = true;
    expect(await result.settle({ tokens: 5, costMicroUsd: 0 })).toEqual({
      ok: false,
      error: 'Redis at 10.0.0.1:6379 is unavailable: connect ECONNREFUSED',
    });
    counters.down = false;
    expect(await counters.get([tokensKey])).toEqual([500]);
  });

  it('a throwing or rejecting alert listener neither fails the settle nor re-fires', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const limiter = limiterWith(new MemoryUsageCounters(), {
      onThreshold: () => {
        calls++;
        if (calls === 1) throw new Error('webhook down');
        return Promise.reject(new Error('audit down'));
      },
      onError: (error) => errors.push(error),
    });
    const twoScopes = [
      { type: 'org' as const, id: ORG, limits: [limit('requests', 'daily', 2, [50])] },
      { type: 'project' as const, id: 'p1', limits: [limit('requests', 'daily', 2, [50])] },
    ];
    const result = await limiter.reserve({ orgId: ORG, scopes: twoScopes, estimate: { tokens: 0, costMicroUsd: 0 } });
    if (!result.ok) throw new Error('expected a reservation');
    expect(await result.settle({ tokens: 0, costMicroUsd: 0 })).toEqual({ ok: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(2);
    expect(errors.map((e) => (e as Error).message).sort()).toEqual(['audit down', 'webhook down']);
  });

  it('rejects a malformed estimate as a caller bug instead of reserving garbage', async () => {
    const limiter = limiterWith(new MemoryUsageCounters());
    await expect(limiter.reserve({ orgId: ORG, scopes, estimate: { tokens: Number.NaN, costMicroUsd: 0 } })).rejects.toThrow(RangeError);
    await expect(limiter.reserve({ orgId: '', scopes, estimate: { tokens: 1, costMicroUsd: 0 } })).rejects.toThrow(RangeError);
  });

  it('rejects (never throws synchronously) a malformed actual usage, and records nothing', async () => {
    const counters = new MemoryUsageCounters();
    const result = await limiterWith(counters).reserve({ orgId: ORG, scopes, estimate: { tokens: 10, costMicroUsd: 0 } });
    if (!result.ok) throw new Error('expected a reservation');
    const settling = result.settle({ tokens: Number.POSITIVE_INFINITY, costMicroUsd: 0 });
    await expect(settling).rejects.toThrow(RangeError);
    expect(await counters.get([tokensKey])).toEqual([10]);
  });

  it('rounds fractional usage up and negative usage to zero, never under-billing', async () => {
    const counters = new MemoryUsageCounters();
    const limiter = limiterWith(counters);
    const result = await limiter.reserve({ orgId: ORG, scopes, estimate: { tokens: 10.2, costMicroUsd: 0 } });
    expect(await counters.get([tokensKey])).toEqual([11]);
    if (!result.ok) throw new Error('expected a reservation');
    await result.settle({ tokens: -5, costMicroUsd: 0 });
    expect(await counters.get([tokensKey])).toEqual([0]);
  });

  it('reserves a counter listed twice once, against the stricter limit', async () => {
    const counters = new MemoryUsageCounters();
    const limiter = limiterWith(counters);
    const twice = [
      { type: 'org' as const, id: ORG, limits: [limit('requests', 'daily', 10)] },
      { type: 'org' as const, id: ORG, limits: [limit('requests', 'daily', 1)] },
    ];
    expect(await limiter.reserve({ orgId: ORG, scopes: twice, estimate: { tokens: 0, costMicroUsd: 0 } })).toMatchObject({ ok: true });
    expect(await limiter.reserve({ orgId: ORG, scopes: twice, estimate: { tokens: 0, costMicroUsd: 0 } })).toMatchObject({
      ok: false,
      limit: 1,
    });
    expect(await counters.get([requestsKey])).toEqual([1]);
  });

  it('keeps scopes with look-alike ids apart', async () => {
    const counters = new MemoryUsageCounters();
    const limiter = limiterWith(counters);
    const tricky = [
      { type: 'project' as const, id: 'a:requests', limits: [limit('requests', 'daily', 1)] },
      { type: 'project' as const, id: 'a', limits: [limit('requests', 'daily', 1)] },
    ];
    expect(await limiter.reserve({ orgId: ORG, scopes: tricky, estimate: { tokens: 0, costMicroUsd: 0 } })).toMatchObject({ ok: true });
  });

  it('a request that found the counter missing just before another rebuild finished does not read the logs again', async () => {
    const counters = new FlakyCounters();
    let rebuilds = 0;
    const limiter = limiterWith(counters, {
      rebuild: () => {
        rebuilds++;
        return Promise.resolve({ requests: 4, tokens: 0, costMicroUsd: 0 });
      },
    });
    // The second request's first reserve sees the counters missing, then waits (a slow Redis
    // round trip) until the first request has rebuilt and reserved.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const realReserve = counters.reserve.bind(counters);
    counters.reserve = async (items, options) => {
      const result = await realReserve(items, options);
      if (++calls === 2) await held;
      return result;
    };
    const first = limiter.reserve({ orgId: ORG, scopes, estimate: { tokens: 0, costMicroUsd: 0 } });
    const second = limiter.reserve({ orgId: ORG, scopes, estimate: { tokens: 0, costMicroUsd: 0 } });
    expect(await first).toMatchObject({ ok: true });
    release();
    expect(await second).toMatchObject({ ok: true });
    expect(rebuilds).toBe(1);
    expect(await counters.get([requestsKey])).toEqual([6]);
  });
});
