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
}): CachedLoader<K, V> {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<K, { value: V; until: number }>();
  const inFlight = new Map<K, { promise: Promise<V>; epoch: number }>();
  let epoch = 0;

  return {
    get(key) {
      const hit = entries.get(key);
      if (hit && hit.until > now()) return Promise.resolve(hit.value);
      if (hit) entries.delete(key);
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
              if (oldest !== undefined) entries.delete(oldest);
            }
            entries.set(key, { value, until: now() + options.ttlMs });
          }
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
      for (const key of [...entries.keys()]) if (predicate(key)) entries.delete(key);
    },
    clear() {
      epoch += 1;
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
