/**
 * Admin tokens (`pc_admin_…`) as rows and as the api shows them: the same machinery as API keys
 * (bcrypt of the secret, lookup id, last 4, shown once), scoped to one org and one role.
 */
import { eq, getTableColumns } from 'drizzle-orm';
import { z } from 'zod';
import { generateCredential, hashCredentialSecret, maskCredential } from '../crypto/api-key.js';
import { adminTokens, MEMBER_ROLES } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';

const { secretHash: _secretHash, ...viewColumns } = getTableColumns(adminTokens);
/** Every column but the bcrypt hash. */
export const adminTokenViewColumns = viewColumns;
export type AdminTokenRow = Omit<typeof adminTokens.$inferSelect, 'secretHash'>;

export type PreparedAdminToken = { token: string; lookupId: string; last4: string; secretHash: string };

/** Generated and hashed OUTSIDE any transaction (bcrypt); `token` is shown once and never stored. */
export async function prepareAdminToken(): Promise<PreparedAdminToken> {
  const credential = generateCredential('admin');
  return {
    token: credential.token,
    lookupId: credential.lookupId,
    last4: credential.last4,
    secretHash: await hashCredentialSecret(credential.secret),
  };
}

const timestamp = z.iso.datetime({ offset: true });

export const adminTokenViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(MEMBER_ROLES),
  maskedToken: z.string(),
  last4: z.string(),
  status: z.enum(['active', 'expired', 'revoked']),
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable().meta({ description: 'Updated at most once a minute.' }),
  createdByMemberId: z.uuid().nullable().meta({ description: 'null: created by an admin token or the operator (see the audit trail).' }),
});
export type AdminTokenView = z.output<typeof adminTokenViewSchema>;

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function toAdminTokenView(row: AdminTokenRow, now: Date = new Date()): AdminTokenView {
  const status =
    row.revokedAt !== null && row.revokedAt <= now ? 'revoked' : row.expiresAt !== null && row.expiresAt <= now ? 'expired' : 'active';
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    maskedToken: maskCredential({ kind: 'admin', lookupId: row.lookupId, last4: row.last4 }),
    last4: row.last4,
    status,
    createdAt: row.createdAt.toISOString(),
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
    lastUsedAt: iso(row.lastUsedAt),
    createdByMemberId: row.createdByMemberId,
  };
}

export async function recordAdminTokenUse(tx: Tx, tokenId: string, at: Date): Promise<void> {
  await tx.update(adminTokens).set({ lastUsedAt: at }).where(eq(adminTokens.id, tokenId));
}
