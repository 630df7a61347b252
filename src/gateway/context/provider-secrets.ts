/**
 * Decrypted provider keys, in memory only, for a short time. Decryption needs the org's data key
 * (unwrapped with the master key) and the ciphertext's row id as AAD, so a key is only ever
 * decrypted for the org that owns it. Node cannot wipe strings: the TTL bounds how long a
 * plaintext key stays referenced by this cache and the log scrubber (see docs/security.md): a key in
 * use is re-decrypted in the background from 4 min and replaced; one unused for 10 min is dropped.
 */
import { and, eq } from 'drizzle-orm';
import { decryptProviderKey } from '../../credentials/provider-keys.js';
import type { MasterKeyring } from '../../crypto/master-keyring.js';
import { providerKeys } from '../../db/schema/index.js';
import type { ScopedDatabase } from '../../db/tenant.js';
import { registerSecret, unregisterSecret } from '../../logging/secret-registry.js';
import { createCachedLoader, type CachedLoader, type ContextCacheOptions } from './cached-loader.js';

export type ProviderSecretCache = CachedLoader<`${string}:${string}`, string>;

export function providerSecretKey(orgId: string, providerKeyId: string): `${string}:${string}` {
  return `${orgId}:${providerKeyId}`;
}

export function createProviderSecretCache(
  db: ScopedDatabase,
  keyring: MasterKeyring,
  options: ContextCacheOptions = {},
): ProviderSecretCache {
  // The log scrubber holds each cached key while it is cached, and lets go when the last cache
  // entry holding that value leaves (two rows may hold the same key), so the registry neither
  // keeps plaintext keys alive past the TTL nor grows with every key ever used.
  const holders = new Map<string, number>();
  return createCachedLoader({
    ttlMs: 5 * 60_000,
    ...options,
    onEvict: (secret) => {
      const count = (holders.get(secret) ?? 0) - 1;
      if (count > 0) holders.set(secret, count);
      else {
        holders.delete(secret);
        unregisterSecret(secret);
      }
    },
    load: async (key) => {
      const [orgId, providerKeyId] = key.split(':') as [string, string];
      const secret = await db.withTenant(orgId, async (tx) => {
        const [row] = await tx
          .select()
          .from(providerKeys)
          .where(and(eq(providerKeys.orgId, orgId), eq(providerKeys.id, providerKeyId)));
        if (!row) throw new Error(`provider key ${providerKeyId} not found`);
        return decryptProviderKey(tx, row, keyring);
      });
      // While cached, the log scrubber knows this value, wherever it might appear.
      holders.set(secret, (holders.get(secret) ?? 0) + 1);
      registerSecret(secret);
      return secret;
    },
  });
}
