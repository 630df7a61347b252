import { describe, expect, it } from 'vitest';
import { createRefreshAheadCache } from './refresh-ahead-cache.js';

function clock(start = 1_000) {
  let at = start;
  return { now: () => at, advance: (ms: number) => (at += ms) };
}

/** A loader whose calls the test settles one by one, to hold a refresh open across other events. */
function manualLoader() {
  const calls: { key: string; resolve: (value: string) => void; reject: (error: Error) => void }[] = [];
  const load = (key: string) => new Promise<string>((resolve, reject) => calls.push({ key, resolve, reject }));
  return { calls, load };
}

// ttl 100: refresh from age 80, served until age 200.
const TTL = 100;

describe('createRefreshAheadCache', () => {
  it('serves a due entry from the cache while ONE background reload runs, then serves the reloaded value', async () => {
    const time = clock();
    const loader = manualLoader();
    const cache = createRefreshAheadCache({ ttlMs: TTL, now: time.now, load: loader.load });
    const first = cache.get('a');
    loader.calls[0]!.resolve('v1');
    expect(await first).toBe('v1');

    time.advance(79);
    expect(await cache.get('a')).toBe('v1');
    expect(loader.calls).toHaveLength(1); // fresh: no reload

    time.advance(1);
    // Due: every request answers at once from the cache, however many arrive; one reload starts.
    expect(await Promise.all([cache.get('a'), cache.get('a'), cache.get('a')])).toEqual(['v1', 'v1', 'v1']);
    time.advance(50);
    expect(await cache.get('a')).toBe('v1');
    expect(loader.calls).toHaveLength(2);
    expect(cache.stats.refreshes).toBe(1);

    loader.calls[1]!.resolve('v2');
    await cache.idle();
    expect(await cache.get('a')).toBe('v2');
    // The reload restarted the entry's clock: fresh again, nothing more loaded.
    time.advance(79);
    expect(await cache.get('a')).toBe('v2');
    expect(loader.calls).toHaveLength(2);
  });

  it('past the hard expiry (2x TTL) the request waits for the reload instead of getting the old value', async () => {
    const time = clock();
    let loads = 0;
    const cache = createRefreshAheadCache({ ttlMs: TTL, now: time.now, load: (key: string) => Promise.resolve(`${key}#${++loads}`) });
    expect(await cache.get('a')).toBe('a#1');
    time.advance(2 * TTL);
    expect(await cache.get('a')).toBe('a#2');
    expect(cache.stats.refreshes).toBe(0);
  });

  it('without a refresh function an entry simply expires after the TTL', async () => {
    const time = clock();
    let loads = 0;
    const cache = createRefreshAheadCache<string, string>({ ttlMs: TTL, now: time.now, refresh: null });
    const load = () => Promise.resolve(`#${++loads}`);
    expect(await cache.get('a', load)).toBe('#1');
    time.advance(99);
    expect(await cache.get('a', load)).toBe('#1');
    time.advance(1);
    expect(await cache.get('a', load)).toBe('#2');
  });

  it('an invalidation during a background reload wins: the reloaded value is neither kept nor served', async () => {
    const time = clock();
    const loader = manualLoader();
    const evicted: string[] = [];
    const cache = createRefreshAheadCache({ ttlMs: TTL, now: time.now, load: loader.load, onEvict: (v) => evicted.push(v) });
    const first = cache.get('a');
    loader.calls[0]!.resolve('old');
    await first;
    time.advance(90);
    expect(await cache.get('a')).toBe('old'); // starts the background reload (calls[1])
    cache.invalidate((key) => key === 'a'); // e.g. a revocation event arrives meanwhile
    expect(cache.size).toBe(0);

    // The next request loads inline, and does not join the reload that predates the invalidation.
    const next = cache.get('a');
    expect(loader.calls).toHaveLength(3);
    loader.calls[1]!.resolve('stale');
    await cache.idle();
    expect(cache.size).toBe(0);
    loader.calls[2]!.resolve('new');
    expect(await next).toBe('new');
    expect(await cache.get('a')).toBe('new');
    // Every value that left or was not kept was reported (secrets are unregistered this way).
    expect(evicted).toEqual(['old', 'stale']);
  });

  it('a reload that started before an invalidation cannot overwrite the entry loaded after it', async () => {
    const time = clock();
    const loader = manualLoader();
    const cache = createRefreshAheadCache({ ttlMs: TTL, now: time.now, load: loader.load });
    const first = cache.get('a');
    loader.calls[0]!.resolve('old');
    await first;
    time.advance(90);
    await cache.get('a'); // background reload calls[1]
    cache.invalidate(() => true);
    const next = cache.get('a');
    loader.calls[2]!.resolve('new');
    expect(await next).toBe('new');
    loader.calls[1]!.resolve('stale'); // the old reload finishes last
    await cache.idle();
    expect(await cache.get('a')).toBe('new');
  });

  it('a failing reload keeps serving the cached value until the hard expiry, reports once, retries at most every TTL/10', async () => {
    const time = clock();
    let down = false;
    let loads = 0;
    const errors: unknown[] = [];
    const cache = createRefreshAheadCache({
      ttlMs: TTL,
      now: time.now,
      onRefreshError: (error) => errors.push(error),
      load: (key: string) => (down ? Promise.reject(new Error('database unreachable')) : Promise.resolve(`${key}#${++loads}`)),
    });
    expect(await cache.get('a')).toBe('a#1');
    down = true;
    time.advance(80);
    for (let i = 0; i < 5; i++) {
      expect(await cache.get('a')).toBe('a#1');
      await cache.idle();
    }
    expect(cache.stats.refreshFailures).toBe(1); // no retry within TTL/10 of the failure
    time.advance(10);
    expect(await cache.get('a')).toBe('a#1');
    await cache.idle();
    expect(cache.stats.refreshFailures).toBe(2);
    expect(errors).toHaveLength(1); // reported once per outage, not per attempt

    time.advance(110); // age 200: hard expiry, the outage now reaches the caller
    await expect(cache.get('a')).rejects.toThrow('database unreachable');
    down = false;
    expect(await cache.get('a')).toBe('a#2');
  });

  it('a refresh that answers null drops the entry: the next request loads inline', async () => {
    const time = clock();
    let loads = 0;
    const cache = createRefreshAheadCache<string, string>({ ttlMs: TTL, now: time.now, refresh: () => Promise.resolve(null) });
    const load = () => Promise.resolve(`#${++loads}`);
    expect(await cache.get('a', load)).toBe('#1');
    time.advance(80);
    expect(await cache.get('a', load)).toBe('#1');
    await cache.idle();
    expect(cache.size).toBe(0);
    expect(await cache.get('a', load)).toBe('#2');
  });

  it('invalidateIndexed drops every entry of one id and no other', async () => {
    const cache = createRefreshAheadCache<string, { owner: string }>({ ttlMs: TTL, indexBy: (v) => v.owner, refresh: null });
    await cache.get('t1', () => Promise.resolve({ owner: 'k1' }));
    await cache.get('t2', () => Promise.resolve({ owner: 'k1' }));
    await cache.get('t3', () => Promise.resolve({ owner: 'k2' }));
    cache.invalidateIndexed('k1');
    expect(cache.size).toBe(1);
    let loaded = false;
    await cache.get('t3', () => ((loaded = true), Promise.resolve({ owner: 'k2' })));
    expect(loaded).toBe(false);
  });
});
