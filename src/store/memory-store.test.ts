import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.js';
import { registerStoreContract } from './store.contract.js';
import { runScript, srcModuleUrl, waitFor } from './test-helpers.js';

registerStoreContract('memory', () => new MemoryStore());

function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('MemoryStore', () => {
  it('has kind "memory"', async () => {
    const store = new MemoryStore();
    expect(store.kind).toBe('memory');
    await store.close();
  });

  it('expires exactly when the TTL has elapsed', async () => {
    const clock = manualClock();
    const store = new MemoryStore({ now: clock.now });
    await store.set('k', 'v', { ttlMs: 100 });
    clock.advance(99);
    expect(await store.get('k')).toBe('v');
    expect(await store.ttlMs('k')).toBe(1);
    clock.advance(1);
    expect(await store.get('k')).toBeNull();
    await store.close();
  });

  it('never extends a counter TTL on later increments', async () => {
    const clock = manualClock();
    const store = new MemoryStore({ now: clock.now });
    await store.incrBy('c', 1, { ttlMs: 100 });
    clock.advance(60);
    await store.incrBy('c', 1, { ttlMs: 100 });
    expect(await store.ttlMs('c')).toBe(40);
    clock.advance(40);
    expect(await store.get('c')).toBeNull();
    await store.close();
  });

  it('sweeps expired keys that are never read again', async () => {
    const clock = manualClock();
    const store = new MemoryStore({ now: clock.now });
    for (let i = 0; i < 100; i++) await store.set(`k${i}`, 'v', { ttlMs: 10 });
    await store.set('persistent', 'v');
    clock.advance(10);
    expect(store.size).toBe(101);
    expect(store.sweepExpired()).toBe(100);
    expect(store.size).toBe(1);
    await store.close();
  });

  it('sweeps periodically without being asked', async () => {
    const clock = manualClock();
    const store = new MemoryStore({ now: clock.now, sweepIntervalMs: 10 });
    await store.set('k', 'v', { ttlMs: 5 });
    clock.advance(5);
    await waitFor(() => store.size === 0, 2_000, 'the sweeper to run');
    await store.close();
  });

  it('does not keep the process alive when never closed', async () => {
    const result = await runScript(`
      import { MemoryStore } from ${JSON.stringify(srcModuleUrl('store/memory-store.ts'))};
      const store = new MemoryStore({ sweepIntervalMs: 50 });
      await store.set('k', 'v', { ttlMs: 60_000 });
    `);
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
  });
});
