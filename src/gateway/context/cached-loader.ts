/**
 * The gateway's per-request lookups that have one loader per cache (project context, decrypted
 * provider keys, data keys): a refresh-ahead cache (../cache/refresh-ahead-cache.ts) whose
 * background refresh is the loader itself. Entries in use are reloaded in the background from 80%
 * of the TTL and served until twice the TTL; invalidation events make changes visible at once.
 */
import { createRefreshAheadCache, type RefreshAheadCache, type RefreshAheadCacheOptions } from '../cache/refresh-ahead-cache.js';

export type CachedLoader<K extends string, V> = Omit<RefreshAheadCache<K, V>, 'get' | 'invalidateIndexed'> & {
  get(key: K): Promise<V>;
};

export function createCachedLoader<K extends string, V>(
  options: Omit<RefreshAheadCacheOptions<K, V>, 'load' | 'refresh' | 'indexBy'> & { load: (key: K) => Promise<V> },
): CachedLoader<K, V> {
  const cache = createRefreshAheadCache(options);
  return {
    get: (key) => cache.get(key),
    invalidate: (predicate) => cache.invalidate(predicate),
    clear: () => cache.clear(),
    idle: () => cache.idle(),
    get size() {
      return cache.size;
    },
    get stats() {
      return cache.stats;
    },
  };
}

/** What the gateway passes to each context cache: its clock (tests), TTL and refresh-failure report. */
export type ContextCacheOptions = { ttlMs?: number; now?: () => number; onRefreshError?: (error: unknown) => void };
