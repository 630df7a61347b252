/**
 * Verified admin tokens, cached in memory so a management request costs one HMAC instead of a
 * database lookup and a ~55 ms bcrypt. Same design as the gateway's verified-key cache: the cache
 * key is HMAC-SHA256(pepper, full token), so a memory dump yields no usable token and a wrong
 * secret for a known lookup id never matches an entry; concurrent first requests share one
 * verification (single-flight); failures are never cached. Entries live for a short TTL and are
 * dropped at once on revocation — by token id on this replica, by org when another replica
 * announces a change over the bus.
 */
import { hmacSha256 } from '../crypto/hash.js';

export type CachedToken = { id: string; orgId: string };

type Entry<T> = { value: T; cachedUntil: number };

export type VerifiedTokenCache<T extends CachedToken> = {
  /** The verified token, running `verify` at most once per token at a time when not cached. */
  get(token: string, verify: () => Promise<T>): Promise<T>;
  /** Drops every entry of this token id. */
  invalidate(tokenId: string): void;
  /** Drops every entry of this org. */
  invalidateOrg(orgId: string): void;
  clear(): void;
  readonly size: number;
};

export function createVerifiedTokenCache<T extends CachedToken>(options: {
  pepper: Buffer;
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}): VerifiedTokenCache<T> {
  const ttlMs = options.ttlMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry<T>>();
  const inFlight = new Map<string, Promise<T>>();
  // Bumped by every invalidation: a verification that started before one must not be cached, or
  // a revocation racing a first request could be undone by the stale result.
  let epoch = 0;

  const dropWhere = (predicate: (value: T) => boolean) => {
    epoch += 1;
    for (const [cacheKey, entry] of entries) if (predicate(entry.value)) entries.delete(cacheKey);
  };

  return {
    get(token, verify) {
      const cacheKey = hmacSha256(options.pepper, token).toString('base64');
      const cached = entries.get(cacheKey);
      if (cached && cached.cachedUntil > now()) return Promise.resolve(cached.value);
      if (cached) entries.delete(cacheKey);
      const pending = inFlight.get(cacheKey);
      if (pending) return pending;
      const startedAt = epoch;
      const promise = verify().then(
        (value) => {
          inFlight.delete(cacheKey);
          if (startedAt !== epoch) return value;
          if (entries.size >= maxEntries) {
            // Oldest first: Map iteration order is insertion order.
            const oldest = entries.keys().next().value;
            if (oldest !== undefined) entries.delete(oldest);
          }
          entries.set(cacheKey, { value, cachedUntil: now() + ttlMs });
          return value;
        },
        (error: unknown) => {
          inFlight.delete(cacheKey);
          throw error;
        },
      );
      inFlight.set(cacheKey, promise);
      return promise;
    },
    // Admin tokens are few and revocations rare: a scan is simpler than keeping indexes in sync.
    invalidate: (tokenId) => dropWhere((value) => value.id === tokenId),
    invalidateOrg: (orgId) => dropWhere((value) => value.orgId === orgId),
    clear() {
      epoch += 1;
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
