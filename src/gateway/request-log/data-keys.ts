import { and, eq } from 'drizzle-orm';
import { DecryptionError } from '../../crypto/aead.js';
import { UnknownMasterKeyError, type MasterKeyring } from '../../crypto/master-keyring.js';
import { dataKeyById, type DataKey } from '../../credentials/tenant-keys.js';
import { tenantKeys } from '../../db/schema/index.js';
import type { Tx } from '../../db/types.js';
import type { Logger } from '../../logging/logger.js';
import type { WriterTimers } from './timers.js';

type Cached = { key: DataKey; expiresAt: number };

/**
 * Each org's active data key, unwrapped, for a short while, so a flush does not run an unwrap per
 * org. Which key is active is read on every flush (one indexed row, in the flush's own
 * transaction): a rotation retires a key and, once nothing is sealed under it, destroys it, so a
 * writer must never keep sealing under a retired key from its cache. An org without a key gets
 * null and its bodies are not stored (the gateway role cannot create keys).
 */
export class DataKeyCache {
  private readonly entries = new Map<string, Cached>();
  private readonly warnedKeyless = new Set<string>();

  constructor(
    private readonly keyring: MasterKeyring,
    private readonly timers: WriterTimers,
    private readonly ttlMs: number,
    private readonly logger: Logger,
  ) {}

  /** Must run inside withTenant(orgId): RLS hides every other org's keys. */
  async get(tx: Tx, orgId: string): Promise<DataKey | null> {
    const [row] = await tx
      .select({ id: tenantKeys.id })
      .from(tenantKeys)
      .where(and(eq(tenantKeys.orgId, orgId), eq(tenantKeys.status, 'active')))
      .limit(1);
    const now = this.timers.now();
    const cached = this.entries.get(orgId);
    if (cached && cached.key.id === row?.id && cached.expiresAt > now) return cached.key;
    // Flushes run one at a time, so nothing still holds the replaced key: shorten its life in memory.
    cached?.key.key.fill(0);
    this.entries.delete(orgId);
    if (!row) {
      if (!this.warnedKeyless.has(orgId))
        this.logger.warn({ orgId }, 'org has no data key: request bodies are not stored until one exists');
      this.warnedKeyless.add(orgId);
      return null;
    }
    this.warnedKeyless.delete(orgId);
    const key = await this.unwrap(tx, orgId, row.id);
    if (key) this.entries.set(orgId, { key, expiresAt: now + this.ttlMs });
    return key;
  }

  private async unwrap(tx: Tx, orgId: string, dataKeyId: string): Promise<DataKey | null> {
    try {
      return await dataKeyById(tx, orgId, dataKeyId, this.keyring);
    } catch (error) {
      // A missing master key or a corrupt wrapped key is a configuration problem that retrying
      // cannot fix; the log rows matter more than the bodies, so write them without.
      if (error instanceof UnknownMasterKeyError || error instanceof DecryptionError) {
        this.logger.error({ orgId, dataKeyId, err: error }, 'cannot unwrap the org data key: request bodies are not stored');
        return null;
      }
      throw error;
    }
  }
}
