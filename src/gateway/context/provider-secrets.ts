/**
 * Decrypted provider keys, in memory only, for a short time. Decryption needs the org's data key
 * (unwrapped with the master key) and the ciphertext's row id as AAD, so a key is only ever
 * decrypted for the org that owns it. Node cannot wipe strings: the TTL bounds how long a
 * plaintext key stays referenced by this cache (see docs/security.md).
 */
import { and, eq } from 'drizzle-orm';
import { decryptProviderKey } from '../../credentials/provider-keys.js';
import type { MasterKeyring } from '../../crypto/master-keyring.js';
import { providerKeys } from '../../db/schema/index.js';
import type { ScopedDatabase } from '../../db/tenant.js';
import { registerSecret } from '../../logging/secret-registry.js';
import { createCachedLoader, type CachedLoader } from './cached-loader.js';

export type ProviderSecretCache = CachedLoader<`${string}:${string}`, string>;

export function providerSecretKey(orgId: string, providerKeyId: string): `${string}:${string}` {
  return `${orgId}:${providerKeyId}`;
}

export function createProviderSecretCache(db: ScopedDatabase, keyring: MasterKeyring, ttlMs = 5 * 60_000): ProviderSecretCache {
  return createCachedLoader({
    ttlMs,
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
      // From now on the log scrubber knows this value, wherever it might appear.
      registerSecret(secret);
      return secret;
    },
  });
}
