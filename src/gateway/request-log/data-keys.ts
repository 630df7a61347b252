import { and, eq } from 'drizzle-orm';
import { DecryptionError } from '../../crypto/aead.js';
import { UnknownMasterKeyError, type MasterKeyring } from '../../crypto/master-keyring.js';
import { dataKeyById, type DataKey } from '../../credentials/tenant-keys.js';
import { tenantKeys } from '../../db/schema/index.js';
import type { Tx } from '../../db/types.js';
import type { Logger } from '../../logging/logger.js';
import type { WriterTimers } from './timers.js';

type Cached = { key: DataKey | null; expiresAt: number };

/**
 * Each org's active data key, unwrapped, for a short while: without the cache every flush would
 * read tenant_keys and run an unwrap per org. A short TTL bounds how long a key retired by
 * rotation keeps sealing new bodies (harmless: they decrypt by key id) and how long a key created
 * after a miss goes unnoticed. "No key" is cached too, so an org without one costs no query per flush.
 *
 * The gateway role can read tenant_keys but not insert into them, so unlike activeDataKey this
 * never creates a key: an org without one gets null and its bodies are not stored.
 */
export class DataKeyCache {
  private readonly entries = new Map<string, Cached>();

  constructor(
    private readonly keyring: MasterKeyring,
    private readonly timers: WriterTimers,
    private readonly ttlMs: number,
    private readonly logger: Logger,
  ) {}

  /** Must run inside withTenant(orgId): RLS hides every other org's keys. */
  async get(tx: Tx, orgId: string): Promise<DataKey | null> {
    const now = this.timers.now();
    const cached = this.entries.get(orgId);
    if (cached && cached.expiresAt > now) return cached.key;
    const key = await this.load(tx, orgId);
    // Flushes run one at a time, so nothing still holds the expired key: shorten its life in memory.
    cached?.key?.key.fill(0);
    this.entries.set(orgId, { key, expiresAt: now + this.ttlMs });
    return key;
  }

  private async load(tx: Tx, orgId: string): Promise<DataKey | null> {
    const [row] = await tx
      .select({ id: tenantKeys.id })
      .from(tenantKeys)
      .where(and(eq(tenantKeys.orgId, orgId), eq(tenantKeys.status, 'active')))
      .limit(1);
    if (!row) {
      this.logger.warn({ orgId }, 'org has no data key: request bodies are not stored until one exists');
      return null;
    }
    try {
      return await dataKeyById(tx, orgId, row.id, this.keyring);
    } catch (error) {
      // A missing master key or a corrupt wrapped key is a configuration problem that retrying
      // cannot fix; the log rows matter more than the bodies, so write them without.
      if (error instanceof UnknownMasterKeyError || error instanceof DecryptionError) {
        this.logger.error({ orgId, dataKeyId: row.id, err: error }, 'cannot unwrap the org data key: request bodies are not stored');
        return null;
      }
      throw error;
    }
  }
}
