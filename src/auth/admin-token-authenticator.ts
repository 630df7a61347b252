/**
 * Admin-token authentication for the management api: strict parse (anything not shaped like
 * `pc_admin_<lookupId>_<secret>` is refused without touching the database), lookup through the
 * SECURITY DEFINER function (the org is not known yet), bcrypt comparison outside any
 * transaction, cached verification, then revocation and expiry checked against the clock on
 * every request. Malformed, unknown and wrong tokens all get the same 401; only a caller who
 * holds the real secret learns that it was revoked or has expired.
 */
import type { Logger } from 'pino';
import { parseCredential, verifyCredentialSecret } from '../crypto/api-key.js';
import { recordAdminTokenUse } from '../credentials/admin-tokens.js';
import { lookupAdminToken } from '../db/definer.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { HttpError } from '../http/errors.js';
import type { KeyedLimiter } from '../limits/keyed-limiter.js';
import { createLastUsedRecorder } from './last-used.js';
import { roleSchema, type Role } from './permissions.js';
import type { AdminTokenPrincipal } from './principal.js';
import { createVerifiedTokenCache } from './verified-token-cache.js';

type VerifiedAdminToken = { id: string; orgId: string; role: Role; expiresAt: Date | null; revokedAt: Date | null };

const CHALLENGE = { 'www-authenticate': 'Bearer realm="portcullis"' };

function authError(code: string, message: string): HttpError {
  return new HttpError(401, 'authentication_error', code, message, { headers: CHALLENGE });
}

const INVALID = 'Invalid admin token.';

export function presentedBearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

export type AdminTokenAuthenticator = {
  /** The principal of a presented `Authorization` header value, or a 401 HttpError (429 when throttled). */
  authenticate(authorization: string | undefined, clientIp?: string): Promise<AdminTokenPrincipal>;
  /** Drops the cached verification of a token (revoked or deleted on this replica). */
  forgetToken(tokenId: string): void;
  /** Drops every cached token of an org (another replica announced a change). */
  forgetOrg(orgId: string): void;
};

export function createAdminTokenAuthenticator(options: {
  db: ScopedDatabase;
  /** Keys the cache's HMAC; derive it from AUTH_SECRET, never reuse another purpose's key. */
  pepper: Buffer;
  logger: Logger;
  cacheTtlMs?: number;
  lastUsedIntervalMs?: number;
  now?: () => number;
  /**
   * Each uncached verification costs a bcrypt: counted per lookup id and per client IP, refused
   * with a 429 before any bcrypt past the limit, given back on success (as for API keys).
   */
  throttle?: { byLookupId: KeyedLimiter; byIp: KeyedLimiter };
}): AdminTokenAuthenticator {
  const { db } = options;
  const now = options.now ?? Date.now;
  const cache = createVerifiedTokenCache<VerifiedAdminToken>({ pepper: options.pepper, ttlMs: options.cacheTtlMs, now });
  const lastUsed = createLastUsedRecorder({
    intervalMs: options.lastUsedIntervalMs,
    now,
    write: (tokenId, orgId, at) => db.withTenant(orgId, (tx) => recordAdminTokenUse(tx, tokenId, at)),
    onError: (error) => options.logger.warn({ err: error }, 'could not record admin token use'),
  });

  async function throttled(lookupId: string, clientIp: string, verify: () => Promise<VerifiedAdminToken>): Promise<VerifiedAdminToken> {
    const throttle = options.throttle;
    if (!throttle) return verify();
    const [byKey, byIp] = await Promise.all([throttle.byLookupId.consume(lookupId), throttle.byIp.consume(clientIp)]);
    if (!byKey.allowed || !byIp.allowed) {
      throw new HttpError(429, 'rate_limit_error', 'too_many_failed_attempts', 'Too many failed admin-token attempts. Try again later.', {
        headers: { 'retry-after': String(Math.max(1, byKey.retryAfterSeconds, byIp.retryAfterSeconds)) },
      });
    }
    const token = await verify();
    await Promise.all([throttle.byLookupId.reward(lookupId), throttle.byIp.reward(clientIp)]);
    return token;
  }

  async function lookupAndVerify(lookupId: string, secret: string): Promise<VerifiedAdminToken> {
    const row = await db.withRole((tx) => lookupAdminToken(tx, lookupId));
    if (!row) throw authError('invalid_token', INVALID);
    // Outside the transaction above: bcrypt holds a thread-pool slot for ~55 ms.
    if (!(await verifyCredentialSecret(secret, row.secretHash))) throw authError('invalid_token', INVALID);
    const role = roleSchema.safeParse(row.role);
    // A role this version does not know grants nothing.
    if (!role.success) throw authError('invalid_token', INVALID);
    return { id: row.id, orgId: row.orgId, role: role.data, expiresAt: row.expiresAt, revokedAt: row.revokedAt };
  }

  return {
    async authenticate(authorization, clientIp = '0.0.0.0') {
      const presented = presentedBearerToken(authorization);
      if (presented === undefined)
        throw authError('missing_token', 'Authentication required: send an admin token as `Authorization: Bearer pc_admin_…`.');
      const parsed = parseCredential(presented);
      if (!parsed || parsed.kind !== 'admin') throw authError('invalid_token', INVALID);
      const token = await cache.get(presented, () =>
        throttled(parsed.lookupId, clientIp, () => lookupAndVerify(parsed.lookupId, parsed.secret)),
      );
      const at = now();
      if (token.revokedAt && token.revokedAt.getTime() <= at) throw authError('revoked_token', 'This admin token has been revoked.');
      if (token.expiresAt && token.expiresAt.getTime() <= at) throw authError('expired_token', 'This admin token has expired.');
      await lastUsed.touch(token);
      return { kind: 'admin_token', tokenId: token.id, orgId: token.orgId, role: token.role };
    },
    forgetToken: (tokenId) => cache.invalidate(tokenId),
    forgetOrg: (orgId) => cache.invalidateOrg(orgId),
  };
}
