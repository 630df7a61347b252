/**
 * Verified API keys, cached in memory so the hot path costs one HMAC instead of a database
 * lookup and a ~55 ms bcrypt. The cache key is HMAC-SHA256(pepper, full API key): a memory dump
 * yields no usable key, and a wrong secret for a known lookup id never matches a cached entry.
 * Concurrent first requests for one key share a single verification (single-flight).
 *
 * Refresh-ahead (../cache/refresh-ahead-cache.ts): a key used after 80% of the TTL is re-checked in
 * the background by `revalidate`, which re-reads the key row WITHOUT a bcrypt (see
 * key-revalidation.ts); the request is served from the cache meanwhile. An entry not re-checked
 * successfully within twice the TTL (database down, key idle) is verified again inside the request.
 * Entries are dropped at once when the key changes (bus event), and a refresh that started before
 * that cannot put the old entry back.
 */
import { hmacSha256 } from '../../crypto/hash.js';
import { HttpError } from '../../http/errors.js';
import { createRefreshAheadCache } from '../cache/refresh-ahead-cache.js';

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
  /** Set when the presented secret is the previous one of a rotated key: the end of its grace period. */
  supersededUntil: Date | null;
  /** null: every model the project allows. */
  allowedModels: readonly string[] | null;
  /** null: any client address. */
  ipAllowlist: readonly string[] | null;
  /** Stored limits of the key (parsed by the limits code). */
  limits: unknown;
  /** The lookup id the key was verified under, to re-read its row without the secret. */
  lookupId: string;
  /** SHA-256 of the stored bcrypt hash the secret was verified against: a rotation changes it. */
  secretFingerprint: string;
};

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
  /** Settles once no background re-check is running (tests, shutdown). */
  idle(): Promise<void>;
  readonly size: number;
  readonly stats: { readonly refreshes: number; readonly refreshFailures: number };
};

export function createVerifiedKeyCache(options: {
  pepper: Buffer;
  ttlMs?: number;
  failureTtlMs?: number;
  maxEntries?: number;
  now?: () => number;
  /**
   * Background re-check of a cached key: the key with the row's current fields, or undefined to
   * drop it (gone, or its secret changed). Without it entries simply expire after the TTL.
   */
  revalidate?: (key: VerifiedKey) => Promise<VerifiedKey | undefined>;
  /** The first failed re-check after a success (the database is probably down). */
  onRefreshError?: (error: unknown) => void;
}): VerifiedKeyCache {
  const ttlMs = options.ttlMs ?? 60_000;
  const failureTtlMs = options.failureTtlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  const { revalidate, onRefreshError } = options;
  const verified = createRefreshAheadCache<string, VerifiedKey>({
    ttlMs,
    maxEntries,
    now,
    indexBy: (key) => key.id,
    refresh: revalidate ? (_cacheKey, current) => revalidate(current).then((key) => (key ? { value: key } : null)) : null,
    ...(onRefreshError ? { onRefreshError: (error: unknown) => onRefreshError(error) } : {}),
  });
  // Cache key -> (rejection, until). Bounded like the positive cache; oldest evicted first.
  const failures = new Map<string, { error: Error; until: number }>();
  // Bumped by every invalidation: a rejection computed before one must not be cached, since the
  // change (a rotation, say) may make the token valid. The positive cache has its own generation.
  let epoch = 0;

  return {
    get(token, verify) {
      const cacheKey = hmacSha256(options.pepper, token).toString('base64');
      const failed = failures.get(cacheKey);
      if (failed && failed.until > now()) return Promise.reject(failed.error);
      if (failed) failures.delete(cacheKey);
      const startedAt = epoch;
      return verified.get(cacheKey, () =>
        verify().catch((error: unknown) => {
          if (startedAt === epoch && error instanceof Error && isAuthenticationFailure(error)) {
            if (failures.size >= maxEntries) {
              const oldest = failures.keys().next().value;
              if (oldest !== undefined) failures.delete(oldest);
            }
            failures.set(cacheKey, { error, until: now() + failureTtlMs });
          }
          throw error;
        }),
      );
    },
    invalidate(apiKeyId) {
      epoch += 1;
      // A changed key (e.g. rotated) may make a previously refused token valid: forget refusals.
      failures.clear();
      verified.invalidateIndexed(apiKeyId);
    },
    clear() {
      epoch += 1;
      failures.clear();
      verified.clear();
    },
    idle: () => verified.idle(),
    get size() {
      return verified.size;
    },
    get stats() {
      return verified.stats;
    },
  };
}
