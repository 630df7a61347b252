/**
 * API keys that have verified before, remembered as HMAC-SHA256(pepper, full key) in the shared
 * store (Redis across replicas and restarts; memory on the embedded default) for 30 days after
 * their last uncached verification. The failed-attempt throttle uses it: once a lookup id's global
 * budget of bcrypt calls is spent (a flood of wrong secrets from many addresses), a key that is
 * known to be good is still verified, and every other secret is refused without a bcrypt. Lookup
 * ids are public, so without this anyone could lock a key's owner out.
 *
 * Being "known good" grants one bcrypt attempt, never authentication: the key is still looked up
 * and compared, so a revoked or rotated key gets its usual answer. The store holds only HMACs; a
 * dump of it yields no usable key.
 */
import { hmacSha256 } from '../../crypto/hash.js';
import type { Store } from '../../store/store.js';

export type KnownGoodKeys = {
  /** After a successful bcrypt comparison. Never rejects. */
  remember(token: string): Promise<void>;
  /** Has this exact key verified within the TTL? A store failure answers no. */
  has(token: string): Promise<boolean>;
};

export function createKnownGoodKeys(options: {
  store: Store;
  pepper: Buffer;
  ttlMs?: number;
  onError?: (error: unknown) => void;
}): KnownGoodKeys {
  const ttlMs = options.ttlMs ?? 30 * 24 * 3600_000;
  const keyOf = (token: string) => `api-key-known-good:${hmacSha256(options.pepper, token).toString('base64url')}`;
  return {
    async remember(token) {
      try {
        await options.store.set(keyOf(token), '1', { ttlMs });
      } catch (error) {
        options.onError?.(error);
      }
    },
    async has(token) {
      try {
        return (await options.store.get(keyOf(token))) !== null;
      } catch (error) {
        options.onError?.(error);
        return false;
      }
    },
  };
}
