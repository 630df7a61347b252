// One behavioural suite for every Store implementation: if both pass it, swapping the
// in-memory store for Redis cannot change gateway behaviour.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from './errors.js';
import type { Store } from './store.js';
import { sleep, waitFor } from './test-helpers.js';

const INVALID_TTLS = [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY];

export function registerStoreContract(name: string, createStore: () => Store): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    // Unique per test so leftovers from an earlier test can never satisfy an assertion.
    const key = (label: string): string => `contract:${label}:${randomUUID()}`;

    beforeEach(() => {
      store = createStore();
    });

    afterEach(async () => {
      await store.close();
    });

    describe('get / set', () => {
      it('returns null for a missing key', async () => {
        expect(await store.get(key('missing'))).toBeNull();
      });

      it('round-trips values, including empty and non-ASCII strings', async () => {
        for (const value of ['hello', '', 'ключ 🔑 "quoted"\n']) {
          const k = key('value');
          expect(await store.set(k, value)).toBe(true);
          expect(await store.get(k)).toBe(value);
        }
      });

      it('overwrites an existing value', async () => {
        const k = key('overwrite');
        await store.set(k, 'one');
        await store.set(k, 'two');
        expect(await store.get(k)).toBe('two');
      });

      it('onlyIfAbsent writes only the first time', async () => {
        const k = key('nx');
        expect(await store.set(k, 'first', { onlyIfAbsent: true })).toBe(true);
        expect(await store.set(k, 'second', { onlyIfAbsent: true })).toBe(false);
        expect(await store.get(k)).toBe('first');
      });

      it('onlyIfAbsent treats an expired key as absent', async () => {
        const k = key('nx-expired');
        expect(await store.set(k, 'old', { ttlMs: 50, onlyIfAbsent: true })).toBe(true);
        await waitFor(async () => (await store.get(k)) === null, 3_000, 'key to expire');
        expect(await store.set(k, 'new', { onlyIfAbsent: true })).toBe(true);
        expect(await store.get(k)).toBe('new');
        expect(await store.ttlMs(k)).toBeNull();
      });

      it('expires a value after ttlMs', async () => {
        const k = key('ttl');
        await store.set(k, 'v', { ttlMs: 100 });
        expect(await store.get(k)).toBe('v');
        await sleep(150);
        await waitFor(async () => (await store.get(k)) === null, 3_000, 'key to expire');
      });

      it('a plain set clears an existing TTL, like Redis SET', async () => {
        const k = key('clear-ttl');
        await store.set(k, 'a', { ttlMs: 60_000 });
        await store.set(k, 'b');
        expect(await store.ttlMs(k)).toBeNull();
      });

      it.each(INVALID_TTLS)('rejects ttlMs %s', async (ttlMs) => {
        const k = key('bad-ttl');
        await expect(store.set(k, 'v', { ttlMs })).rejects.toThrow(RangeError);
        expect(await store.get(k)).toBeNull();
      });
    });

    describe('ttlMs', () => {
      it('is null for a missing key and for a key without expiry', async () => {
        const k = key('persistent');
        expect(await store.ttlMs(k)).toBeNull();
        await store.set(k, 'v');
        expect(await store.ttlMs(k)).toBeNull();
      });

      it('reports the remaining lifetime', async () => {
        const k = key('remaining');
        await store.set(k, 'v', { ttlMs: 60_000 });
        const remaining = await store.ttlMs(k);
        expect(remaining).toBeGreaterThan(55_000);
        expect(remaining).toBeLessThanOrEqual(60_000);
      });
    });

    describe('del', () => {
      it('removes a key, and is a no-op for a missing one', async () => {
        const k = key('del');
        await store.set(k, 'v', { ttlMs: 60_000 });
        await store.del(k);
        expect(await store.get(k)).toBeNull();
        expect(await store.ttlMs(k)).toBeNull();
        await expect(store.del(k)).resolves.toBeUndefined();
      });

      it('resets a counter', async () => {
        const k = key('del-counter');
        await store.incrBy(k, 5);
        await store.del(k);
        expect(await store.incrBy(k, 1)).toBe(1);
      });
    });

    describe('incrBy', () => {
      it('treats a missing key as 0 and returns the new value', async () => {
        const k = key('counter');
        expect(await store.incrBy(k, 3)).toBe(3);
        expect(await store.incrBy(k, 4)).toBe(7);
        expect(await store.incrBy(k, -10)).toBe(-3);
        expect(await store.incrBy(k, 0)).toBe(-3);
        expect(await store.get(k)).toBe('-3');
      });

      it('increments an integer written with set', async () => {
        const k = key('from-set');
        await store.set(k, '41');
        expect(await store.incrBy(k, 1)).toBe(42);
      });

      it('is atomic under 200 concurrent increments', async () => {
        const k = key('concurrent');
        const results = await Promise.all(Array.from({ length: 200 }, () => store.incrBy(k, 1)));
        expect(await store.get(k)).toBe('200');
        // Every caller saw a distinct intermediate value: no two read-modify-writes overlapped.
        expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      });

      it('is atomic under 200 concurrent increments that race to create the key with a TTL', async () => {
        const k = key('concurrent-ttl');
        await Promise.all(Array.from({ length: 200 }, () => store.incrBy(k, 1, { ttlMs: 60_000 })));
        expect(await store.get(k)).toBe('200');
        expect(await store.ttlMs(k)).toBeGreaterThan(0);
      });

      it('sets the TTL when it creates the key', async () => {
        const k = key('ttl-create');
        await store.incrBy(k, 1, { ttlMs: 60_000 });
        const remaining = await store.ttlMs(k);
        expect(remaining).toBeGreaterThan(55_000);
        expect(remaining).toBeLessThanOrEqual(60_000);
      });

      it('does not extend the TTL on later increments, so the window still closes', async () => {
        const k = key('ttl-fixed');
        await store.incrBy(k, 1, { ttlMs: 300 });
        await sleep(100);
        expect(await store.incrBy(k, 1, { ttlMs: 60_000 })).toBe(2);
        expect(await store.ttlMs(k)).toBeLessThanOrEqual(300);
        await waitFor(async () => (await store.get(k)) === null, 3_000, 'counter to expire');
        // The next increment opens a new window with a fresh TTL.
        expect(await store.incrBy(k, 1, { ttlMs: 60_000 })).toBe(1);
        expect(await store.ttlMs(k)).toBeGreaterThan(55_000);
      });

      it('does not add a TTL to an existing key that has none', async () => {
        const k = key('ttl-existing');
        await store.set(k, '5');
        expect(await store.incrBy(k, 1, { ttlMs: 1_000 })).toBe(6);
        expect(await store.ttlMs(k)).toBeNull();
      });

      it('keeps the TTL of an existing key', async () => {
        const k = key('ttl-kept');
        await store.set(k, '1', { ttlMs: 60_000 });
        expect(await store.incrBy(k, 1)).toBe(2);
        expect(await store.ttlMs(k)).toBeGreaterThan(55_000);
      });

      it.each(['abc', '1.5', ' 1', '', '99999999999999999999999'])(
        'rejects incrementing the non-integer value %j and leaves it unchanged',
        async (value) => {
          const k = key('not-int');
          await store.set(k, value);
          await expect(store.incrBy(k, 1)).rejects.toThrow(/not an integer/);
          await expect(store.incrBy(k, 1, { ttlMs: 1_000 })).rejects.toThrow(/not an integer/);
          expect(await store.get(k)).toBe(value);
        },
      );

      it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('rejects the amount %s', async (amount) => {
        const k = key('bad-amount');
        await expect(store.incrBy(k, amount)).rejects.toThrow(RangeError);
        expect(await store.get(k)).toBeNull();
      });

      it.each(INVALID_TTLS)('rejects ttlMs %s', async (ttlMs) => {
        const k = key('bad-incr-ttl');
        await expect(store.incrBy(k, 1, { ttlMs })).rejects.toThrow(RangeError);
        expect(await store.get(k)).toBeNull();
      });
    });

    describe('leases (semaphore)', () => {
      const lease = { limit: 2, ttlMs: 60_000 };

      it('grants up to the limit, then refuses until a lease is released', async () => {
        const k = key('sem');
        expect(await store.acquireLease(k, 'a', lease)).toBe(true);
        expect(await store.acquireLease(k, 'b', lease)).toBe(true);
        expect(await store.acquireLease(k, 'c', lease)).toBe(false);
        expect(await store.countLeases(k)).toBe(2);
        await store.releaseLease(k, 'a');
        expect(await store.countLeases(k)).toBe(1);
        expect(await store.acquireLease(k, 'c', lease)).toBe(true);
        expect(await store.acquireLease(k, 'd', lease)).toBe(false);
      });

      it('renews a lease already held, even when the semaphore is full', async () => {
        const k = key('sem-renew');
        await store.acquireLease(k, 'a', { limit: 1, ttlMs: 300 });
        expect(await store.acquireLease(k, 'a', { limit: 1, ttlMs: 60_000 })).toBe(true);
        await sleep(400);
        // Renewed to a minute: still held, still counted, the place still taken.
        expect(await store.countLeases(k)).toBe(1);
        expect(await store.acquireLease(k, 'b', { limit: 1, ttlMs: 60_000 })).toBe(false);
      });

      it('frees the place of a lease nobody renews or releases once it expires', async () => {
        const k = key('sem-lost');
        expect(await store.acquireLease(k, 'crashed', { limit: 1, ttlMs: 100 })).toBe(true);
        expect(await store.acquireLease(k, 'next', { limit: 1, ttlMs: 60_000 })).toBe(false);
        await waitFor(async () => (await store.countLeases(k)) === 0, 3_000, 'the lost lease to expire');
        expect(await store.acquireLease(k, 'next', { limit: 1, ttlMs: 60_000 })).toBe(true);
      });

      it('releasing a lease that is not held changes nothing', async () => {
        const k = key('sem-release');
        await store.acquireLease(k, 'a', lease);
        await store.releaseLease(k, 'never-taken');
        await store.releaseLease(k, 'a');
        await store.releaseLease(k, 'a');
        expect(await store.countLeases(k)).toBe(0);
        expect(await store.countLeases(key('sem-missing'))).toBe(0);
      });

      it('never grants more than the limit to 100 concurrent acquirers', async () => {
        const k = key('sem-race');
        const granted = await Promise.all(
          Array.from({ length: 100 }, (_, i) => store.acquireLease(k, `l${i}`, { limit: 7, ttlMs: 60_000 })),
        );
        expect(granted.filter(Boolean)).toHaveLength(7);
        expect(await store.countLeases(k)).toBe(7);
      });

      it('keeps semaphores apart by key', async () => {
        const [a, b] = [key('sem-a'), key('sem-b')];
        expect(await store.acquireLease(a, 'x', { limit: 1, ttlMs: 60_000 })).toBe(true);
        expect(await store.acquireLease(b, 'y', { limit: 1, ttlMs: 60_000 })).toBe(true);
      });

      it.each([
        ['an empty lease id', '', 1, 1_000],
        ['limit 0', 'a', 0, 1_000],
        ['a fractional limit', 'a', 1.5, 1_000],
        ['ttlMs 0', 'a', 1, 0],
      ])('rejects %s', async (_label, leaseId, limit, ttlMs) => {
        const k = key('sem-bad');
        await expect(store.acquireLease(k, leaseId, { limit, ttlMs })).rejects.toThrow(RangeError);
        expect(await store.countLeases(k)).toBe(0);
      });
    });

    describe('lifecycle', () => {
      it('ping resolves', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('rejects every operation with StoreUnavailableError after close, and close is idempotent', async () => {
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
        const k = key('closed');
        await expect(store.get(k)).rejects.toThrow(StoreUnavailableError);
        await expect(store.set(k, 'v')).rejects.toThrow(StoreUnavailableError);
        await expect(store.del(k)).rejects.toThrow(StoreUnavailableError);
        await expect(store.incrBy(k, 1, { ttlMs: 1_000 })).rejects.toThrow(StoreUnavailableError);
        await expect(store.ttlMs(k)).rejects.toThrow(StoreUnavailableError);
        await expect(store.acquireLease(k, 'a', { limit: 1, ttlMs: 1_000 })).rejects.toThrow(StoreUnavailableError);
        await expect(store.releaseLease(k, 'a')).rejects.toThrow(StoreUnavailableError);
        await expect(store.countLeases(k)).rejects.toThrow(StoreUnavailableError);
        await expect(store.ping()).rejects.toThrow(StoreUnavailableError);
      });
    });
  });
}
