import { afterEach, describe, expect, it } from 'vitest';
import { clearRegisteredSecrets, registerSecret, scrubSecrets, unregisterSecret } from '../../logging/secret-registry.js';
import { createCachedLoader } from './cached-loader.js';

function clock(start = 1_000) {
  let at = start;
  return { now: () => at, advance: (ms: number) => (at += ms) };
}

describe('createCachedLoader', () => {
  it('loads once per key concurrently, reloads in the background from 80% of the TTL, inline past 2x', async () => {
    const time = clock();
    let loads = 0;
    const cache = createCachedLoader({ ttlMs: 100, now: time.now, load: (key: string) => Promise.resolve(`${key}#${++loads}`) });
    expect(await Promise.all([cache.get('a'), cache.get('a')])).toEqual(['a#1', 'a#1']);
    time.advance(79);
    expect(await cache.get('a')).toBe('a#1');
    time.advance(1);
    expect(await cache.get('a')).toBe('a#1'); // served from the cache; the reload runs behind it
    await cache.idle();
    expect(await cache.get('a')).toBe('a#2');
    time.advance(200);
    expect(await cache.get('a')).toBe('a#3');
    expect(loads).toBe(3);
  });

  it('reports every value that leaves: on expiry, eviction, invalidation and clear', async () => {
    const time = clock();
    const evicted: string[] = [];
    const cache = createCachedLoader({
      ttlMs: 100,
      maxEntries: 2,
      now: time.now,
      onEvict: (value) => evicted.push(value),
      load: (key: string) => Promise.resolve(`v-${key}`),
    });
    await cache.get('a');
    await cache.get('b');
    await cache.get('c'); // over maxEntries: the oldest goes
    expect(evicted).toEqual(['v-a']);
    cache.invalidate((key) => key === 'b');
    expect(evicted).toEqual(['v-a', 'v-b']);
    cache.clear();
    expect(evicted).toEqual(['v-a', 'v-b', 'v-c']);
    expect(cache.size).toBe(0);
  });

  it('sweeps entries nobody asks for again once past their hard expiry (2x TTL), at the next load', async () => {
    const time = clock();
    const evicted: string[] = [];
    const cache = createCachedLoader({
      ttlMs: 100,
      now: time.now,
      onEvict: (value) => evicted.push(value),
      load: (key: string) => Promise.resolve(`v-${key}`),
    });
    await cache.get('forgotten');
    time.advance(150);
    await cache.get('other');
    expect(evicted).toEqual([]); // still within its stale bound
    time.advance(100); // sweeps run at most once per TTL
    await cache.get('third');
    expect(evicted).toEqual(['v-forgotten']);
    expect(cache.size).toBe(2);
  });

  it('does not keep, and reports at once, a value loaded across an invalidation', async () => {
    const evicted: string[] = [];
    let release: (value: string) => void = () => undefined;
    const cache = createCachedLoader({
      ttlMs: 100,
      onEvict: (value) => evicted.push(value),
      load: () => new Promise<string>((resolve) => (release = resolve)),
    });
    const pending = cache.get('a');
    cache.invalidate(() => true);
    release('stale');
    expect(await pending).toBe('stale');
    expect(cache.size).toBe(0);
    expect(evicted).toEqual(['stale']);
  });
});

describe('secret registry release', () => {
  afterEach(() => clearRegisteredSecrets());

  it('stops redacting a value once it is unregistered', () => {
    registerSecret('quiet-walrus-value-991');
    expect(scrubSecrets('key quiet-walrus-value-991')).not.toContain('quiet-walrus-value-991');
    unregisterSecret('quiet-walrus-value-991');
    expect(scrubSecrets('key quiet-walrus-value-991')).toContain('quiet-walrus-value-991');
  });
});
