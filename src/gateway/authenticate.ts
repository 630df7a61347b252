import type { Context } from 'hono';
import { parseCredential, verifyCredentialSecret } from '../crypto/api-key.js';
import { lookupApiKey } from '../db/definer.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { HttpError, unauthorized } from '../http/errors.js';
import type { KeyedLimiter } from '../limits/keyed-limiter.js';
import type { VerifiedKey, VerifiedKeyCache } from './auth/verified-key-cache.js';

export type AuthenticatedKey = Pick<VerifiedKey, 'id' | 'orgId' | 'projectId' | 'kind' | 'allowedModels' | 'ipAllowlist' | 'limits'>;

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
 * Looks the key up through the SECURITY DEFINER function and bcrypt-compares the secret outside
 * any transaction. Malformed and unknown keys are rejected without a bcrypt call; every failure
 * is the same 401 so the response does not tell an attacker which part was wrong.
 */
async function lookupAndVerify(db: ScopedDatabase, kind: 'live' | 'test', lookupId: string, secret: string): Promise<VerifiedKey> {
  const row = await db.withRole((tx) => lookupApiKey(tx, lookupId));
  if (!row || row.kind !== kind) throw unauthorized(INVALID, 'invalid_api_key');
  if (!(await verifyCredentialSecret(secret, row.secretHash))) throw unauthorized(INVALID, 'invalid_api_key');
  return {
    id: row.id,
    orgId: row.orgId,
    projectId: row.projectId,
    kind: row.kind,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    allowedModels: row.allowedModels,
    ipAllowlist: row.ipAllowlist,
    limits: row.limits,
  };
}

export type ApiKeyAuthenticator = (presented: string | undefined, clientIp?: string) => Promise<AuthenticatedKey>;

/**
 * API-key authentication for /v1: cached verification (see verified-key-cache.ts), then the
 * revocation and expiry checks against the current time on every request — a cached key that
 * expires mid-TTL stops working at its expiry, not at the cache's.
 */
export type FailedAttemptLimiters = { byLookupIdAndIp: KeyedLimiter; byIp: KeyedLimiter; byLookupId: KeyedLimiter };

/**
 * Each verification that is not already cached costs a bcrypt (~55 ms of CPU). It is counted per
 * lookup id and per client IP; past the limit, attempts are refused with a 429 before any bcrypt,
 * so a flood of wrong secrets cannot burn the gateway's CPU. A success gives the points back.
 */
async function throttledVerify(
  limiters: FailedAttemptLimiters | undefined,
  lookupId: string,
  clientIp: string,
  verify: () => Promise<VerifiedKey>,
): Promise<VerifiedKey> {
  if (!limiters) return verify();
  const pair = `${lookupId}|${clientIp}`;
  const results = await Promise.all([
    limiters.byLookupIdAndIp.consume(pair),
    limiters.byIp.consume(clientIp),
    limiters.byLookupId.consume(lookupId),
  ]);
  if (results.some((r) => !r.allowed)) {
    const retryAfter = Math.max(1, ...results.map((r) => r.retryAfterSeconds));
    throw new HttpError(429, 'rate_limit_error', 'too_many_failed_attempts', 'Too many failed API-key attempts. Try again later.', {
      headers: { 'retry-after': String(retryAfter) },
    });
  }
  const key = await verify();
  await Promise.all([limiters.byLookupIdAndIp.reward(pair), limiters.byIp.reward(clientIp), limiters.byLookupId.reward(lookupId)]);
  return key;
}

export function createApiKeyAuthenticator(
  db: ScopedDatabase,
  cache: VerifiedKeyCache,
  limiters?: FailedAttemptLimiters,
  now: () => Date = () => new Date(),
): ApiKeyAuthenticator {
  return async (presented, clientIp = '0.0.0.0') => {
    if (!presented)
      throw unauthorized('Missing API key. Send it as `Authorization: Bearer <key>` or `x-api-key: <key>`.', 'missing_api_key');
    const parsed = parseCredential(presented);
    if (!parsed || parsed.kind === 'admin') throw unauthorized(INVALID, 'invalid_api_key');
    const kind = parsed.kind;
    const key = await cache.get(presented, () =>
      throttledVerify(limiters, parsed.lookupId, clientIp, () => lookupAndVerify(db, kind, parsed.lookupId, parsed.secret)),
    );
    const at = now();
    if (key.revokedAt && key.revokedAt <= at) throw unauthorized('This API key has been revoked.', 'revoked_api_key');
    if (key.expiresAt && key.expiresAt <= at) throw unauthorized('This API key has expired.', 'expired_api_key');
    return {
      id: key.id,
      orgId: key.orgId,
      projectId: key.projectId,
      kind: key.kind,
      allowedModels: key.allowedModels,
      ipAllowlist: key.ipAllowlist,
      limits: key.limits,
    };
  };
}
