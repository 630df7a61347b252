import type { Context } from 'hono';
import { parseCredential, verifyCredentialSecret } from '../crypto/api-key.js';
import { lookupApiKey } from '../db/definer.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { HttpError, unauthorized } from '../http/errors.js';
import type { KeyedConsumeResult, KeyedLimiter } from '../limits/keyed-limiter.js';
import { createBcryptPacer, type BcryptPacer } from './auth/bcrypt-pacer.js';
import { verifiedKeyFromRow } from './auth/key-revalidation.js';
import type { KnownGoodKeys } from './auth/known-good-keys.js';
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
 * any transaction. Every failure is the same 401, so the body does not tell an attacker which part
 * was wrong — and neither does the time: an unknown lookup id (or one of the other mode) makes no
 * bcrypt call but waits as long as one takes (bcrypt-pacer.ts) before it is refused.
 *
 * Repeats are answered fast on both paths alike: the verified-key cache remembers a refusal, an
 * unknown lookup id's as much as a wrong secret's, so only the first sight of a key is paced and a
 * replay says nothing either way.
 */
async function lookupAndVerify(
  db: ScopedDatabase,
  pacer: BcryptPacer,
  kind: 'live' | 'test',
  lookupId: string,
  secret: string,
): Promise<VerifiedKey> {
  const row = await db.withRole((tx) => lookupApiKey(tx, lookupId));
  if (!row || row.kind !== kind) {
    await pacer.pad();
    throw unauthorized(INVALID, 'invalid_api_key');
  }
  if (!(await pacer.timed(() => verifyCredentialSecret(secret, row.secretHash)))) throw unauthorized(INVALID, 'invalid_api_key');
  return verifiedKeyFromRow(row, lookupId);
}

export type ApiKeyAuthenticator = (presented: string | undefined, clientIp?: string) => Promise<AuthenticatedKey>;

export type FailedAttemptLimiters = { byLookupIdAndIp: KeyedLimiter; byIp: KeyedLimiter; byLookupId: KeyedLimiter };

function tooManyFailedAttempts(results: readonly KeyedConsumeResult[]): HttpError {
  const retryAfter = Math.max(1, ...results.map((r) => r.retryAfterSeconds));
  return new HttpError(429, 'rate_limit_error', 'too_many_failed_attempts', 'Too many failed API-key attempts. Try again later.', {
    headers: { 'retry-after': String(retryAfter) },
  });
}

/**
 * Each verification that is not already cached costs a bcrypt (~55 ms of CPU). It is counted per
 * (lookup id, client IP), per client IP and per lookup id from everywhere; past a limit, attempts
 * are refused with a 429 before any bcrypt, so a flood of wrong secrets cannot burn the CPU. A
 * success gives the points back.
 *
 * The per-lookup-id budget caps what many addresses together can spend on one id, but lookup ids
 * are public: refusing everything once it is spent would let anyone lock a key's owner out. So a
 * key that has verified before (known-good-keys.ts) is still verified when only that budget is
 * spent; any other secret is refused there without a bcrypt.
 */
async function throttledVerify(
  limiters: FailedAttemptLimiters | undefined,
  knownGood: KnownGoodKeys | undefined,
  presented: string,
  lookupId: string,
  clientIp: string,
  verify: () => Promise<VerifiedKey>,
): Promise<VerifiedKey> {
  if (!limiters) return verify();
  const pair = `${lookupId}|${clientIp}`;
  const [byPair, byIp, byLookupId] = await Promise.all([
    limiters.byLookupIdAndIp.consume(pair),
    limiters.byIp.consume(clientIp),
    limiters.byLookupId.consume(lookupId),
  ]);
  if (!byPair.allowed || !byIp.allowed) throw tooManyFailedAttempts([byPair, byIp]);
  if (!byLookupId.allowed && !(await knownGood?.has(presented))) throw tooManyFailedAttempts([byLookupId]);
  const key = await verify();
  await Promise.all([
    limiters.byLookupIdAndIp.reward(pair),
    limiters.byIp.reward(clientIp),
    limiters.byLookupId.reward(lookupId),
    knownGood?.remember(presented),
  ]);
  return key;
}

export type ApiKeyAuthenticatorOptions = {
  limiters?: FailedAttemptLimiters;
  knownGood?: KnownGoodKeys;
  /** Default: measures bcrypt once now, then follows the real comparisons. */
  pacer?: BcryptPacer;
  now?: () => Date;
};

/**
 * API-key authentication for /v1: cached verification (see verified-key-cache.ts), then the
 * revocation, rotation and expiry checks against the current time on every request — a cached key
 * that expires mid-TTL stops working at its expiry, not at the cache's.
 */
export function createApiKeyAuthenticator(
  db: ScopedDatabase,
  cache: VerifiedKeyCache,
  options: ApiKeyAuthenticatorOptions = {},
): ApiKeyAuthenticator {
  const { limiters, knownGood } = options;
  const pacer = options.pacer ?? createBcryptPacer();
  const now = options.now ?? (() => new Date());
  return async (presented, clientIp = '0.0.0.0') => {
    if (!presented)
      throw unauthorized('Missing API key. Send it as `Authorization: Bearer <key>` or `x-api-key: <key>`.', 'missing_api_key');
    const parsed = parseCredential(presented);
    if (!parsed || parsed.kind === 'admin') throw unauthorized(INVALID, 'invalid_api_key');
    const kind = parsed.kind;
    const key = await cache.get(presented, () =>
      throttledVerify(limiters, knownGood, presented, parsed.lookupId, clientIp, () =>
        lookupAndVerify(db, pacer, kind, parsed.lookupId, parsed.secret),
      ),
    );
    const at = now();
    if (key.revokedAt && key.revokedAt <= at) throw unauthorized('This API key has been revoked.', 'revoked_api_key');
    // The old secret of a rotated key, past its grace period: its own answer, so the caller knows
    // a newer key exists rather than hunting for a renewal.
    if (key.supersededUntil && key.supersededUntil <= at)
      throw unauthorized('This API key was rotated; use the new key.', 'rotated_api_key');
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
