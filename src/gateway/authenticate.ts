import type { Context } from 'hono';
import { parseCredential, verifyCredentialSecret } from '../crypto/api-key.js';
import { lookupApiKey, type ApiKeyLookup } from '../db/definer.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { unauthorized } from '../http/errors.js';

export type AuthenticatedKey = Pick<ApiKeyLookup, 'id' | 'orgId' | 'projectId' | 'kind'>;

/** OpenAI SDKs send `Authorization: Bearer`; Anthropic SDKs send `x-api-key` (0.x) or Bearer (1.x). */
export function presentedApiKey(c: Pick<Context, 'req'>): string | undefined {
  const header = c.req.header('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  return c.req.header('x-api-key')?.trim() || undefined;
}

const INVALID = 'Invalid API key. Check the key, or create one in the Portcullis dashboard.';

/**
 * Verifies an API key: parse the public lookup id, find the row through the SECURITY DEFINER
 * lookup, then bcrypt-compare the secret outside any transaction. Malformed and unknown keys are
 * rejected without a bcrypt call; every failure is the same 401, so the response does not tell
 * an attacker which part was wrong. (Caching, single-flight and throttling: the keys issue.)
 */
export async function verifyApiKey(db: ScopedDatabase, presented: string | undefined, now = new Date()): Promise<AuthenticatedKey> {
  if (!presented) throw unauthorized('Missing API key. Send it as `Authorization: Bearer <key>` or `x-api-key: <key>`.', 'missing_api_key');
  const parsed = parseCredential(presented);
  if (!parsed || parsed.kind === 'admin') throw unauthorized(INVALID, 'invalid_api_key');
  const row = await db.withRole((tx) => lookupApiKey(tx, parsed.lookupId));
  if (!row || row.kind !== parsed.kind) throw unauthorized(INVALID, 'invalid_api_key');
  if (!(await verifyCredentialSecret(parsed.secret, row.secretHash))) throw unauthorized(INVALID, 'invalid_api_key');
  if (row.revokedAt && row.revokedAt <= now) throw unauthorized('This API key has been revoked.', 'revoked_api_key');
  if (row.expiresAt && row.expiresAt <= now) throw unauthorized('This API key has expired.', 'expired_api_key');
  return { id: row.id, orgId: row.orgId, projectId: row.projectId, kind: row.kind };
}
