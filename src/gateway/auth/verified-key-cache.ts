/**
 * Verified API keys, cached in memory so the hot path costs one HMAC instead of a database
 * lookup and a ~55 ms bcrypt. The cache key is HMAC-SHA256(pepper, full API key): a memory dump
 * yields no usable key, and a wrong secret for a known lookup id never matches a cached entry.
 * Concurrent first requests for one key share a single verification (single-flight).
 * Entries expire after a short TTL and are dropped at once when the key changes (bus event).
 */
import { hmacSha256 } from '../../crypto/hash.js';
import { HttpError } from '../../http/errors.js';

/** Only "this key is not valid" is cached; a database outage must not poison the cache. */
function isAuthenticationFailure(error: unknown): boolean {
  return error instanceof HttpError && error.status === 401;
}

export type VerifiedKey = {
  id: string;
  orgId: string;
  projectId: string;
  kind: 'live' | 'test';
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** null: every model the project allows. */
  allowedModels: readonly string[] | null;
  /** null: any client address. */
  ipAllowlist: readonly string[] | null;
  /** Stored limits of the key (parsed by the limits code). */
  limits: unknown;
};

type Entry = { key: VerifiedKey; cachedUntil: number };

export type VerifiedKeyCache = {
  /**
   * The verified key, running `verify` at most once per key at a time when not cached. A rejection
   * is cached too (negative cache, `failureTtlMs`): the same wrong or unknown key is refused again
   * without a database lookup or a bcrypt, so replaying it cannot burn CPU.
   */
  get(token: string, verify: () => Promise<VerifiedKey>): Promise<VerifiedKey>;
  /** Drops every cached entry for this API key id (revoked, rotated, limits changed). */
  invalidate(apiKeyId: string): void;
  clear(): void;
  readonly size: number;
};

export function createVerifiedKeyCache(options: {
  pepper: Buffer;
  ttlMs?: number;
  failureTtlMs?: number;
  maxEntries?: number;
  now?: () => number;
}): VerifiedKeyCache {
  const ttlMs = options.ttlMs ?? 60_000;
  const failureTtlMs = options.failureTtlMs ?? 60_000;
  // Cache key -> (rejection, until). Bounded like the positive cache; oldest evicted first.
  const failures = new Map<string, { error: Error; until: number }>();
  const maxEntries = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const byKeyId = new Map<string, Set<string>>();
  const inFlight = new Map<string, Promise<VerifiedKey>>();
  // Bumped by every invalidation: a verification that started before one must not be cached,
  // or a revocation racing a first request could be undone by the stale result.
  let epoch = 0;

  const forget = (cacheKey: string) => {
    const entry = entries.get(cacheKey);
    if (!entry) return;
    entries.delete(cacheKey);
    const set = byKeyId.get(entry.key.id);
    set?.delete(cacheKey);
    if (set?.size === 0) byKeyId.delete(entry.key.id);
  };

  return {
    get(token, verify) {
      const cacheKey = hmacSha256(options.pepper, token).toString('base64');
      const failed = failures.get(cacheKey);
      if (failed && failed.until > now()) return Promise.reject(failed.error);
      if (failed) failures.delete(cacheKey);
      const cached = entries.get(cacheKey);
      if (cached && cached.cachedUntil > now()) return Promise.resolve(cached.key);
      if (cached) forget(cacheKey);
      const pending = inFlight.get(cacheKey);
      if (pending) return pending;
      const startedAt = epoch;
      const promise = verify().then(
        (key) => {
          inFlight.delete(cacheKey);
          if (startedAt !== epoch) return key;
          if (entries.size >= maxEntries) {
            // Oldest first: Map iteration order is insertion order.
            const oldest = entries.keys().next().value;
            if (oldest !== undefined) forget(oldest);
          }
          entries.set(cacheKey, { key, cachedUntil: now() + ttlMs });
          let set = byKeyId.get(key.id);
          if (!set) byKeyId.set(key.id, (set = new Set()));
          set.add(cacheKey);
          return key;
        },
        (error: unknown) => {
          inFlight.delete(cacheKey);
          if (startedAt === epoch && error instanceof Error && isAuthenticationFailure(error)) {
            if (failures.size >= maxEntries) {
              const oldest = failures.keys().next().value;
              if (oldest !== undefined) failures.delete(oldest);
            }
            failures.set(cacheKey, { error, until: now() + failureTtlMs });
          }
          throw error;
        },
      );
      inFlight.set(cacheKey, promise);
      return promise;
    },
    invalidate(apiKeyId) {
      epoch += 1;
      // A changed key (e.g. rotated) may make a previously refused token valid: forget refusals.
      failures.clear();
      for (const cacheKey of [...(byKeyId.get(apiKeyId) ?? [])]) forget(cacheKey);
    },
    clear() {
      epoch += 1;
      failures.clear();
      entries.clear();
      byKeyId.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
