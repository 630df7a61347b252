/**
 * What the management api shows of an API key: never the secret or its hash (they are not even
 * selected), only the masked form, restrictions, limits, status and when it was last used.
 */
import { getTableColumns } from 'drizzle-orm';
import { z } from 'zod';
import { maskCredential } from '../crypto/api-key.js';
import { apiKeys } from '../db/schema/index.js';
import { limitsSchema, parseLimits } from '../tenancy/limits.js';

// Every column but the two bcrypt hashes: views are built from this, so a hash cannot reach a
// response by a later careless spread.
const { secretHash: _secretHash, previousSecretHash: _previousSecretHash, ...viewColumns } = getTableColumns(apiKeys);
export const apiKeyViewColumns = viewColumns;
export type ApiKeyRow = Omit<typeof apiKeys.$inferSelect, 'secretHash' | 'previousSecretHash'>;

export const API_KEY_STATUSES = ['active', 'rotating', 'expired', 'revoked'] as const;
export type ApiKeyStatus = (typeof API_KEY_STATUSES)[number];

const timestamp = z.iso.datetime({ offset: true });

export const apiKeyViewSchema = z.object({
  id: z.uuid(),
  projectId: z.uuid(),
  name: z.string(),
  kind: z.enum(['live', 'test']),
  maskedKey: z.string().meta({ description: 'Enough to recognise the key, useless to replay it.' }),
  last4: z.string(),
  status: z
    .enum(API_KEY_STATUSES)
    .meta({ description: '`rotating`: a rotation grace period is running and the previous secret still works.' }),
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
  rotatedAt: timestamp.nullable(),
  previousKey: z
    .object({ maskedKey: z.string(), last4: z.string(), expiresAt: timestamp })
    .nullable()
    .meta({ description: 'The secret replaced by the last rotation, while its grace period runs.' }),
  allowedModels: z.array(z.string()).nullable(),
  ipAllowlist: z.array(z.string()).nullable(),
  limits: limitsSchema,
  ownerMemberId: z.uuid().nullable(),
  lastUsedAt: timestamp
    .nullable()
    .meta({ description: 'Time of the latest request logged for this key (logs are written in batches, seconds behind).' }),
});
export type ApiKeyView = z.output<typeof apiKeyViewSchema>;

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());
const passed = (date: Date | null, now: Date) => date !== null && date.getTime() <= now.getTime();

export function apiKeyStatus(row: Pick<ApiKeyRow, 'revokedAt' | 'expiresAt' | 'previousExpiresAt'>, now: Date): ApiKeyStatus {
  if (passed(row.revokedAt, now)) return 'revoked';
  if (passed(row.expiresAt, now)) return 'expired';
  if (row.previousExpiresAt !== null && !passed(row.previousExpiresAt, now)) return 'rotating';
  return 'active';
}

export function toApiKeyView(row: ApiKeyRow, lastUsedAt: Date | null, now: Date = new Date()): ApiKeyView {
  const status = apiKeyStatus(row, now);
  const previousKey =
    status === 'rotating' && row.previousLookupId !== null && row.previousLast4 !== null && row.previousExpiresAt !== null
      ? {
          maskedKey: maskCredential({ kind: row.kind, lookupId: row.previousLookupId, last4: row.previousLast4 }),
          last4: row.previousLast4,
          expiresAt: row.previousExpiresAt.toISOString(),
        }
      : null;
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    kind: row.kind,
    maskedKey: maskCredential({ kind: row.kind, lookupId: row.lookupId, last4: row.last4 }),
    last4: row.last4,
    status,
    createdAt: row.createdAt.toISOString(),
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
    rotatedAt: iso(row.rotatedAt),
    previousKey,
    allowedModels: row.allowedModels,
    ipAllowlist: row.ipAllowlist,
    limits: parseLimits(row.limits),
    ownerMemberId: row.ownerMemberId,
    lastUsedAt: iso(lastUsedAt),
  };
}
