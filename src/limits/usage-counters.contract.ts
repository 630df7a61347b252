// One behavioural suite for both counter implementations: if both pass it, turning Redis on
// cannot change how usage limits behave.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../store/errors.js';
import { waitFor } from '../store/test-helpers.js';
import type { UsageCounters } from './usage-counters.js';

export interface CounterFixture {
  counters: UsageCounters;
  /** A second instance over the same state (another replica); memory has only one process. */
  peer?: UsageCounters;
}

export function registerUsageCountersContract(name: string, create: () => Promise<CounterFixture>): void {
  describe(`UsageCounters contract: ${name}`, () => {
    let fixture: CounterFixture;
    let counters: UsageCounters;
    // Unique per test so leftovers from an earlier test can never satisfy an assertion.
    const key = (label: string): string => `contract:${label}:${randomUUID()}`;

    beforeEach(async () => {
      fixture = await create();
      counters = fixture.counters;
    });

    afterEach(async () => {
      await Promise.all([fixture.counters.close(), fixture.peer?.close()]);
    });

    describe('reserve', () => {
      it('creates absent counters and adds to existing ones', async () => {
        const k = key('create');
        expect(await counters.reserve([{ key: k, amount: 5, limit: 10, ttlMs: null }])).toEqual({ ok: true });
        expect(await counters.reserve([{ key: k, amount: 5, limit: 10, ttlMs: null }])).toEqual({ ok: true });
        expect(await counters.get([k])).toEqual([10]);
      });

      it('refuses an amount that would exceed the limit and changes nothing', async () => {
        const k = key('refuse');
        await counters.reserve([{ key: k, amount: 8, limit: 10, ttlMs: null }]);
        expect(await counters.reserve([{ key: k, amount: 3, limit: 10, ttlMs: null }])).toEqual({
          ok: false,
          reason: 'limit',
          failedIndex: 0,
          current: 8,
        });
        expect(await counters.get([k])).toEqual([8]);
      });

      it('is all-or-nothing across several keys', async () => {
        const [a, b, c] = [key('a'), key('b'), key('c')];
        await counters.reserve([{ key: b, amount: 9, limit: 10, ttlMs: null }]);
        const result = await counters.reserve([
          { key: a, amount: 2, limit: 10, ttlMs: 60_000 },
          { key: b, amount: 2, limit: 10, ttlMs: 60_000 },
          { key: c, amount: 2, limit: 10, ttlMs: 60_000 },
        ]);
        expect(result).toEqual({ ok: false, reason: 'limit', failedIndex: 1, current: 9 });
        // Neither the keys before nor after the failing one were touched, nor created.
        expect(await counters.get([a, b, c])).toEqual([null, 9, null]);
        expect(
          await counters.reserve([
            { key: a, amount: 1, limit: 10, ttlMs: 60_000 },
            { key: b, amount: 1, limit: 10, ttlMs: 60_000 },
            { key: c, amount: 1, limit: 10, ttlMs: 60_000 },
          ]),
        ).toEqual({ ok: true });
        expect(await counters.get([a, b, c])).toEqual([1, 10, 1]);
      });

      it('reports the first failing item when several are over', async () => {
        const [a, b] = [key('first-a'), key('first-b')];
        const result = await counters.reserve([
          { key: a, amount: 11, limit: 10, ttlMs: null },
          { key: b, amount: 11, limit: 10, ttlMs: null },
        ]);
        expect(result).toEqual({ ok: false, reason: 'limit', failedIndex: 0, current: 0 });
      });

      it('allows reaching the limit exactly, and a zero amount at the limit', async () => {
        const k = key('exact');
        expect(await counters.reserve([{ key: k, amount: 10, limit: 10, ttlMs: null }])).toEqual({ ok: true });
        expect(await counters.reserve([{ key: k, amount: 0, limit: 10, ttlMs: null }])).toEqual({ ok: true });
        expect(await counters.reserve([{ key: k, amount: 1, limit: 10, ttlMs: null }])).toMatchObject({ ok: false, current: 10 });
      });

      it('refuses even a zero amount once a counter is above its limit (after a settle overshoot)', async () => {
        const k = key('above');
        await counters.reserve([{ key: k, amount: 10, limit: 10, ttlMs: null }]);
        await counters.adjust([{ key: k, delta: 5 }]);
        expect(await counters.reserve([{ key: k, amount: 0, limit: 10, ttlMs: null }])).toEqual({
          ok: false,
          reason: 'limit',
          failedIndex: 0,
          current: 15,
        });
      });

      it('with requireExisting lists absent counters and changes nothing', async () => {
        const [a, b, c] = [key('req-a'), key('req-b'), key('req-c')];
        await counters.initialize(b, 3, null);
        const items = [a, b, c].map((k) => ({ key: k, amount: 1, limit: 10, ttlMs: null }));
        expect(await counters.reserve(items, { requireExisting: true })).toEqual({ ok: false, reason: 'missing', missingIndexes: [0, 2] });
        expect(await counters.get([a, b, c])).toEqual([null, 3, null]);
        await counters.initialize(a, 0, null);
        await counters.initialize(c, 9, null);
        expect(await counters.reserve(items, { requireExisting: true })).toEqual({ ok: true });
        expect(await counters.get([a, b, c])).toEqual([1, 4, 10]);
      });

      it('sets the TTL when it creates a counter, and only then', async () => {
        const k = key('ttl');
        await counters.reserve([{ key: k, amount: 1, limit: 10, ttlMs: 80 }]);
        // A later reserve with a long TTL must not extend the window the first one opened.
        await counters.reserve([{ key: k, amount: 1, limit: 10, ttlMs: 600_000 }]);
        await waitFor(async () => (await counters.get([k]))[0] === null, 5_000, 'counter to expire');
        expect(await counters.reserve([{ key: k, amount: 1, limit: 10, ttlMs: 600_000 }])).toEqual({ ok: true });
        expect(await counters.get([k])).toEqual([1]);
      });

      it('succeeds trivially with no items', async () => {
        expect(await counters.reserve([])).toEqual({ ok: true });
      });

      it('rejects malformed items identically on every implementation', async () => {
        const k = key('bad');
        const bad = [
          { key: k, amount: 1.5, limit: 10, ttlMs: null },
          { key: k, amount: -1, limit: 10, ttlMs: null },
          { key: k, amount: Number.NaN, limit: 10, ttlMs: null },
          { key: k, amount: 1, limit: Number.POSITIVE_INFINITY, ttlMs: null },
          { key: k, amount: 1, limit: 10, ttlMs: 0 },
          { key: '', amount: 1, limit: 10, ttlMs: null },
        ];
        for (const item of bad) await expect(counters.reserve([item])).rejects.toThrow(RangeError);
        await expect(
          counters.reserve([
            { key: k, amount: 1, limit: 10, ttlMs: null },
            { key: k, amount: 1, limit: 10, ttlMs: null },
          ]),
        ).rejects.toThrow(/twice/);
        expect(await counters.get([k])).toEqual([null]);
      });

      it('never overshoots: 500 concurrent reserves of 3 against 1000 admit exactly 333', async () => {
        const k = key('race');
        const instances = fixture.peer ? [counters, fixture.peer] : [counters];
        const results = await Promise.all(
          Array.from({ length: 500 }, (_, i) =>
            instances[i % instances.length]!.reserve([{ key: k, amount: 3, limit: 1000, ttlMs: 60_000 }]),
          ),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(Math.floor(1000 / 3));
        expect(await counters.get([k])).toEqual([999]);
      });
    });

    describe('adjust', () => {
      it('settles up and down and returns the new totals', async () => {
        const [a, b] = [key('adj-a'), key('adj-b')];
        await counters.reserve([
          { key: a, amount: 100, limit: 1000, ttlMs: null },
          { key: b, amount: 100, limit: 1000, ttlMs: null },
        ]);
        expect(
          await counters.adjust([
            { key: a, delta: 50 },
            { key: b, delta: -40 },
          ]),
        ).toEqual([150, 60]);
        expect(await counters.get([a, b])).toEqual([150, 60]);
      });

      it('may take a counter above its limit (actual usage is a fact, not a request)', async () => {
        const k = key('adj-over');
        await counters.reserve([{ key: k, amount: 10, limit: 10, ttlMs: null }]);
        expect(await counters.adjust([{ key: k, delta: 7 }])).toEqual([17]);
      });

      it('leaves absent counters absent and clamps totals at zero', async () => {
        const [present, absent] = [key('adj-present'), key('adj-absent')];
        await counters.initialize(present, 5, null);
        expect(
          await counters.adjust([
            { key: absent, delta: 10 },
            { key: present, delta: -9 },
          ]),
        ).toEqual([null, 0]);
        expect(await counters.get([absent, present])).toEqual([null, 0]);
      });

      it('keeps the TTL of the counter', async () => {
        const k = key('adj-ttl');
        await counters.reserve([{ key: k, amount: 5, limit: 10, ttlMs: 80 }]);
        await counters.adjust([{ key: k, delta: -10 }]);
        await waitFor(async () => (await counters.get([k]))[0] === null, 5_000, 'adjusted counter to expire');
      });

      it('rejects non-integer deltas', async () => {
        await expect(counters.adjust([{ key: key('adj-bad'), delta: 0.5 }])).rejects.toThrow(RangeError);
      });
    });

    describe('initialize', () => {
      it('sets only an absent counter, never clobbering a concurrent writer', async () => {
        const k = key('init');
        expect(await counters.initialize(k, 42, 60_000)).toBe(true);
        expect(await counters.initialize(k, 7, 60_000)).toBe(false);
        expect(await counters.get([k])).toEqual([42]);
      });

      it('exactly one of many concurrent initializers wins', async () => {
        const k = key('init-race');
        const instances = fixture.peer ? [counters, fixture.peer] : [counters];
        const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => instances[i % instances.length]!.initialize(k, i, null)));
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect(await counters.get([k])).toEqual([wins.indexOf(true)]);
      });

      it('applies its TTL', async () => {
        const k = key('init-ttl');
        await counters.initialize(k, 1, 60);
        await waitFor(async () => (await counters.get([k]))[0] === null, 5_000, 'initialized counter to expire');
        expect(await counters.initialize(k, 2, null)).toBe(true);
      });

      it('rejects negative or fractional values', async () => {
        await expect(counters.initialize(key('init-bad'), -1, null)).rejects.toThrow(RangeError);
        await expect(counters.initialize(key('init-bad'), 1.5, null)).rejects.toThrow(RangeError);
      });

      describe('with markers', () => {
        it('sets the absent markers to 1 with the counter, and keeps a marker already set', async () => {
          const [k, fresh, existing] = [key('mark'), key('mark-fresh'), key('mark-existing')];
          await counters.initialize(existing, 7, null);
          expect(await counters.initialize(k, 42, 60_000, [fresh, existing])).toBe(true);
          expect(await counters.get([k, fresh, existing])).toEqual([42, 1, 7]);
        });

        it('sets no marker when the counter already exists (a concurrent rebuild won)', async () => {
          const [k, marker] = [key('mark-lost'), key('mark-lost-m')];
          await counters.initialize(k, 3, 60_000);
          expect(await counters.initialize(k, 9, 60_000, [marker])).toBe(false);
          expect(await counters.get([k, marker])).toEqual([3, null]);
        });

        it('gives the markers the counter’s TTL', async () => {
          const [k, marker] = [key('mark-ttl'), key('mark-ttl-m')];
          await counters.initialize(k, 1, 60, [marker]);
          await waitFor(async () => (await counters.get([marker]))[0] === null, 5_000, 'marker to expire');
          expect(await counters.initialize(marker, 1, null)).toBe(true);
        });

        it('exactly one of many concurrent initializers sets the counter with its markers', async () => {
          const k = key('mark-race');
          const instances = fixture.peer ? [counters, fixture.peer] : [counters];
          const wins = await Promise.all(
            Array.from({ length: 20 }, (_, i) => instances[i % instances.length]!.initialize(k, i, null, [`${k}:m${i}`])),
          );
          expect(wins.filter(Boolean)).toHaveLength(1);
          const winner = wins.indexOf(true);
          const markers = await counters.get(Array.from({ length: 20 }, (_, i) => `${k}:m${i}`));
          expect(markers).toEqual(Array.from({ length: 20 }, (_, i) => (i === winner ? 1 : null)));
        });

        it('rejects an empty marker or the counter itself as a marker, changing nothing', async () => {
          const k = key('mark-bad');
          await expect(counters.initialize(k, 1, null, [''])).rejects.toThrow(RangeError);
          await expect(counters.initialize(k, 1, null, [k])).rejects.toThrow(RangeError);
          expect(await counters.get([k])).toEqual([null]);
        });
      });
    });

    it('rejects every operation with StoreUnavailableError after close', async () => {
      await counters.close();
      await counters.close();
      const k = key('closed');
      await expect(counters.reserve([{ key: k, amount: 1, limit: 1, ttlMs: null }])).rejects.toThrow(StoreUnavailableError);
      await expect(counters.adjust([{ key: k, delta: 1 }])).rejects.toThrow(StoreUnavailableError);
      await expect(counters.get([k])).rejects.toThrow(StoreUnavailableError);
      await expect(counters.initialize(k, 1, null)).rejects.toThrow(StoreUnavailableError);
    });
  });
}
