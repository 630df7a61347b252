/**
 * Org data keys for the gateway (response cache, stored bodies). The gateway role may read
 * tenant_keys but not create them: an org gets its data key when its first secret is stored
 * through the api, so an org without one simply has nothing for the gateway to encrypt with.
 */
import { and, eq } from 'drizzle-orm';
import type { MasterKeyring } from '../../crypto/master-keyring.js';
import { tenantKeys } from '../../db/schema/index.js';
import type { ScopedDatabase } from '../../db/tenant.js';
import { unwrapWith, type DataKey } from '../../credentials/tenant-keys.js';
import { createCachedLoader, type CachedLoader, type ContextCacheOptions } from './cached-loader.js';

export type DataKeyCache = {
  /** The org's active data key, or undefined when it has none yet. */
  active(orgId: string): Promise<DataKey | undefined>;
  byId(orgId: string, id: string): Promise<DataKey | undefined>;
  invalidate(orgId: string): void;
  /** Settles once no background refresh is running (tests; stubs may leave it out). */
  idle?(): Promise<void>;
  /** Drops every cached key (at shutdown; stubs may leave it out). */
  clear?(): void;
};

export function createDataKeyCache(db: ScopedDatabase, keyring: MasterKeyring, options: ContextCacheOptions = {}): DataKeyCache {
  const load = (orgId: string, id: string | undefined) =>
    db.withTenant(orgId, async (tx) => {
      const [row] = await tx
        .select()
        .from(tenantKeys)
        .where(and(eq(tenantKeys.orgId, orgId), id ? eq(tenantKeys.id, id) : eq(tenantKeys.status, 'active')))
        .limit(1);
      if (!row) return undefined;
      return { id: row.id, key: await unwrapWith(keyring, row) };
    });
  // Refresh-ahead (cached-loader.ts): an org with no data key yet is re-checked in the background
  // too, so its first key is picked up without a request waiting on the database.
  const cache: CachedLoader<string, DataKey | undefined> = createCachedLoader({
    ttlMs: 5 * 60_000,
    ...options,
    load: (key) => {
      const [orgId, id] = key.split(':') as [string, string];
      return load(orgId, id === 'active' ? undefined : id);
    },
  });
  return {
    active: (orgId) => cache.get(`${orgId}:active`),
    byId: (orgId, id) => cache.get(`${orgId}:${id}`),
    invalidate: (orgId) => cache.invalidate((key) => key.startsWith(`${orgId}:`)),
    idle: () => cache.idle(),
    clear: () => cache.clear(),
  };
}
