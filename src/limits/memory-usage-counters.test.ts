import { describe, expect, it } from 'vitest';
import { MemoryUsageCounters } from './memory-usage-counters.js';
import { createUsageCounters } from './usage-counters.js';
import { registerUsageCountersContract } from './usage-counters.contract.js';

registerUsageCountersContract('memory', () => Promise.resolve({ counters: createUsageCounters({ prefix: 'test:' }) }));

describe('MemoryUsageCounters', () => {
  it('is what createUsageCounters returns without Redis', async () => {
    const counters = createUsageCounters({ prefix: 'test:' });
    expect(counters.kind).toBe('memory');
    await counters.close();
  });

  it('expires counters by its monotonic clock, not the wall clock', async () => {
    let now = 1_000;
    const counters = new MemoryUsageCounters(() => now);
    await counters.reserve([{ key: 'k', amount: 1, limit: 5, ttlMs: 100 }]);
    now += 99;
    expect(await counters.get(['k'])).toEqual([1]);
    now += 1;
    expect(await counters.get(['k'])).toEqual([null]);
    await counters.close();
  });
});
