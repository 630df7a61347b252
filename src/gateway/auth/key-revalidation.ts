/**
 * Turning a looked-up API-key row into a verified key, and re-checking a cached verified key
 * against its row in the background WITHOUT a bcrypt. The secret was verified against one stored
 * hash; as long as the row still holds that hash (same fingerprint) the secret is still valid, so
 * the row's other fields (revocation, expiry, restrictions, limits) can be taken over as they are.
 * A different hash (rotation), another key id or kind, or no row at all drops the entry: the next
 * request verifies the secret again.
 */
import { sha256Hex } from '../../crypto/hash.js';
import { lookupApiKey, type ApiKeyLookup } from '../../db/definer.js';
import type { ScopedDatabase } from '../../db/tenant.js';
import type { VerifiedKey } from './verified-key-cache.js';

export function verifiedKeyFromRow(row: ApiKeyLookup, lookupId: string): VerifiedKey {
  return {
    id: row.id,
    orgId: row.orgId,
    projectId: row.projectId,
    kind: row.kind,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    supersededUntil: row.supersededUntil,
    allowedModels: row.allowedModels,
    ipAllowlist: row.ipAllowlist,
    limits: row.limits,
    lookupId,
    secretFingerprint: sha256Hex(row.secretHash),
  };
}

export function createKeyRevalidator(db: ScopedDatabase): (key: VerifiedKey) => Promise<VerifiedKey | undefined> {
  return async (key) => {
    // The same SECURITY DEFINER lookup as the verification; a database error rejects, and the
    // cache keeps serving the entry until its hard expiry.
    const row = await db.withRole((tx) => lookupApiKey(tx, key.lookupId));
    if (!row || row.id !== key.id || row.kind !== key.kind) return undefined;
    const fresh = verifiedKeyFromRow(row, key.lookupId);
    return fresh.secretFingerprint === key.secretFingerprint ? fresh : undefined;
  };
}
