/**
 * A small TTL cache with single-flight loading and explicit invalidation, for the gateway's
 * per-request lookups (project context, decrypted provider keys). The TTL bounds staleness if an
 * invalidation event is ever missed; events make changes visible at once.
 */
export type CachedLoader<K, V> = {
  get(key: K): Promise<V>;
  invalidate(predicate: (key: K) => boolean): void;
  clear(): void;
  readonly size: number;
};

export function createCachedLoader<K extends string, V>(options: {
  load: (key: K) => Promise<V>;
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
  /** Called once for every value that leaves the cache (expired, evicted, invalidated, cleared). */
  onEvict?: (value: V) => void;
}): CachedLoader<K, V> {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<K, { value: V; until: number }>();
  const inFlight = new Map<K, { promise: Promise<V>; epoch: number }>();
  let epoch = 0;
  let lastSweep = now();

  const remove = (key: K) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    options.onEvict?.(entry.value);
  };
  // Expired entries are dropped when next asked for, and by a sweep at most once per TTL, so an
  // entry nobody asks for again does not outlive its TTL by much (what it holds may be a secret).
  const sweep = () => {
    const at = now();
    if (at - lastSweep < options.ttlMs) return;
    lastSweep = at;
    for (const [key, entry] of [...entries]) if (entry.until <= at) remove(key);
  };

  return {
    get(key) {
      const hit = entries.get(key);
      if (hit && hit.until > now()) return Promise.resolve(hit.value);
      if (hit) remove(key);
      sweep();
      const pending = inFlight.get(key);
      if (pending) return pending.promise;
      const startedAt = epoch;
      const promise = options.load(key).then(
        (value) => {
          inFlight.delete(key);
          // An invalidation while loading means the value may predate the change: serve it to
          // the callers already waiting, but do not keep it.
          if (startedAt === epoch) {
            if (entries.size >= maxEntries) {
              const oldest = entries.keys().next().value;
              if (oldest !== undefined) remove(oldest);
            }
            remove(key);
            entries.set(key, { value, until: now() + options.ttlMs });
          } else options.onEvict?.(value);
          return value;
        },
        (error: unknown) => {
          inFlight.delete(key);
          throw error;
        },
      );
      inFlight.set(key, { promise, epoch: startedAt });
      return promise;
    },
    invalidate(predicate) {
      epoch += 1;
      for (const key of [...entries.keys()]) if (predicate(key)) remove(key);
    },
    clear() {
      epoch += 1;
      for (const key of [...entries.keys()]) remove(key);
    },
    get size() {
      return entries.size;
    },
  };
}
