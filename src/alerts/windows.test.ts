import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory-store.js';
import { claimCooldown, countInWindow } from './windows.js';

describe('alert windows', () => {
  const store = new MemoryStore();
  afterAll(() => store.close());

  it('counts every event of the window, across slice boundaries, and forgets older ones', async () => {
    const t0 = 1_000_000_000_000;
    for (let i = 0; i < 4; i++) await countInWindow(store, 'w1', 100, t0 + i * 9_000);
    // 27 s later, still inside a 100 s window: all five counted.
    expect(await countInWindow(store, 'w1', 100, t0 + 36_000)).toBe(5);
    // Far later: only the new one.
    expect(await countInWindow(store, 'w1', 100, t0 + 500_000)).toBe(1);
  });

  it('lets one caller claim a cooldown', async () => {
    const results = await Promise.all([claimCooldown(store, 'c1', 60), claimCooldown(store, 'c1', 60), claimCooldown(store, 'c1', 60)]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
