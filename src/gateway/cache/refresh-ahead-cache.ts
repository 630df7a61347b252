/**
 * A refresh-ahead (stale-while-revalidate) cache for the gateway's hot-path lookups: verified API
 * keys, project context, decrypted provider keys and data keys. Requests never wait on the
 * database for an entry that is in use:
 *
 * - fresh (younger than `refreshAfterMs`, default 80% of `ttlMs`): served as is;
 * - due (from then until `hardTtlMs`, default 2x `ttlMs`): served as is, and the first request to
 *   see it starts ONE background refresh; a success replaces the entry (its clock restarts), a
 *   failure keeps serving the entry and is retried at most every `ttlMs / 10`;
 * - past `hardTtlMs`: dropped and loaded again inside the request, so staleness stays bounded
 *   (a revocation missed by pub/sub, a database outage) whatever happens to the refreshes.
 *
 * Invalidation drops entries at once and bumps a generation: a load or refresh that started before
 * it can neither re-insert its (possibly stale) value nor be joined by a later request.
 */
export type Refreshed<V> = { value: V } | null;

export type RefreshAheadCacheOptions<K extends string, V> = {
  ttlMs: number;
  /** Age from which a request triggers a background refresh (default 80% of ttlMs). */
  refreshAfterMs?: number;
  /** Age after which the entry is no longer served (default 2x ttlMs, or ttlMs without refresh). */
  hardTtlMs?: number;
  /** Loads a missing or expired entry inside the request (unless get() is given its own loader). */
  load?: (key: K) => Promise<V>;
  /** Background refresh: a new value, or null to drop the entry. Defaults to load; null: never refresh. */
  refresh?: ((key: K, current: V) => Promise<Refreshed<V>>) | null;
  maxEntries?: number;
  now?: () => number;
  /** Called once for every value that leaves the cache or is loaded but not kept. */
  onEvict?: (value: V) => void;
  /** A secondary id per value, for invalidateIndexed (e.g. the API key id of a verified key). */
  indexBy?: (value: V) => string;
  /** Called on the first failed background refresh after a success (or since start), not on each. */
  onRefreshError?: (error: unknown, key: K) => void;
};

export type RefreshAheadCache<K extends string, V> = {
  get(key: K, load?: () => Promise<V>): Promise<V>;
  invalidate(predicate: (key: K) => boolean): void;
  /** Drops every entry whose indexBy(value) is this id. */
  invalidateIndexed(id: string): void;
  clear(): void;
  /** Settles once no background refresh is running. */
  idle(): Promise<void>;
  readonly size: number;
  /** Background refreshes started and failed, since creation. */
  readonly stats: { readonly refreshes: number; readonly refreshFailures: number };
};

type Entry<V> = { value: V; refreshAt: number; hardUntil: number; retryAt: number; refreshing: boolean };

export function createRefreshAheadCache<K extends string, V>(options: RefreshAheadCacheOptions<K, V>): RefreshAheadCache<K, V> {
  const now = options.now ?? Date.now;
  const { ttlMs, load } = options;
  const refresh =
    options.refresh === null ? undefined : (options.refresh ?? (load ? (key: K) => load(key).then((value) => ({ value })) : undefined));
  const refreshAfterMs = options.refreshAfterMs ?? Math.floor(ttlMs * 0.8);
  const hardTtlMs = options.hardTtlMs ?? (refresh ? 2 * ttlMs : ttlMs);
  const retryMs = Math.max(1, Math.floor(ttlMs / 10));
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<K, Entry<V>>();
  const index = new Map<string, Set<K>>();
  const loading = new Map<K, { promise: Promise<V>; generation: number }>();
  const refreshing = new Set<Promise<void>>();
  const stats = { refreshes: 0, refreshFailures: 0 };
  let generation = 0;
  let failing = false;
  let lastSweep = now();

  const remove = (key: K) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    if (options.indexBy) {
      const id = options.indexBy(entry.value);
      const keys = index.get(id);
      keys?.delete(key);
      if (keys?.size === 0) index.delete(id);
    }
    options.onEvict?.(entry.value);
  };

  const store = (key: K, value: V) => {
    remove(key);
    if (entries.size >= maxEntries) {
      // Oldest first: Map iteration order is insertion order, and a refresh re-inserts.
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) remove(oldest);
    }
    const at = now();
    entries.set(key, { value, refreshAt: at + refreshAfterMs, hardUntil: at + hardTtlMs, retryAt: 0, refreshing: false });
    if (options.indexBy) {
      const id = options.indexBy(value);
      let keys = index.get(id);
      if (!keys) index.set(id, (keys = new Set()));
      keys.add(key);
    }
  };

  // Expired entries are dropped when next asked for, and by a sweep at most once per TTL, so an
  // entry nobody asks for again does not outlive its hard expiry by much (it may hold a secret).
  const sweep = (at: number) => {
    if (at - lastSweep < ttlMs) return;
    lastSweep = at;
    for (const [key, entry] of [...entries]) if (entry.hardUntil <= at) remove(key);
  };

  const startRefresh = (key: K, entry: Entry<V>, reload: (key: K, current: V) => Promise<Refreshed<V>>) => {
    entry.refreshing = true;
    stats.refreshes += 1;
    const startedAt = generation;
    const task = Promise.resolve()
      .then(() => reload(key, entry.value))
      .then(
        (result) => {
          failing = false;
          // Invalidated (or replaced) meanwhile: the result may predate the change, drop it.
          if (entries.get(key) !== entry || startedAt !== generation) {
            if (result) options.onEvict?.(result.value);
            return;
          }
          if (result) store(key, result.value);
          else remove(key);
        },
        (error: unknown) => {
          stats.refreshFailures += 1;
          entry.refreshing = false;
          entry.retryAt = now() + retryMs;
          if (!failing) {
            failing = true;
            options.onRefreshError?.(error, key);
          }
        },
      )
      .finally(() => refreshing.delete(task));
    refreshing.add(task);
  };

  return {
    get(key, loadOnce) {
      const at = now();
      const hit = entries.get(key);
      if (hit && at < hit.hardUntil) {
        if (refresh && at >= hit.refreshAt && !hit.refreshing && at >= hit.retryAt) startRefresh(key, hit, refresh);
        return Promise.resolve(hit.value);
      }
      if (hit) remove(key);
      sweep(at);
      const pending = loading.get(key);
      if (pending && pending.generation === generation) return pending.promise;
      const loader = loadOnce ?? (load ? () => load(key) : undefined);
      if (!loader) return Promise.reject(new Error('refresh-ahead cache: no loader for this key'));
      const startedAt = generation;
      const promise: Promise<V> = loader().then(
        (value) => {
          if (loading.get(key)?.promise === promise) loading.delete(key);
          // Loaded across an invalidation: serve it to the callers already waiting, do not keep it.
          if (startedAt === generation) store(key, value);
          else options.onEvict?.(value);
          return value;
        },
        (error: unknown) => {
          if (loading.get(key)?.promise === promise) loading.delete(key);
          throw error;
        },
      );
      loading.set(key, { promise, generation: startedAt });
      return promise;
    },
    invalidate(predicate) {
      generation += 1;
      for (const key of [...entries.keys()]) if (predicate(key)) remove(key);
    },
    invalidateIndexed(id) {
      generation += 1;
      for (const key of [...(index.get(id) ?? [])]) remove(key);
    },
    clear() {
      generation += 1;
      for (const key of [...entries.keys()]) remove(key);
    },
    async idle() {
      while (refreshing.size > 0) await Promise.allSettled([...refreshing]);
    },
    get size() {
      return entries.size;
    },
    stats,
  };
}
