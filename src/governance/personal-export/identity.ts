/**
 * The instance-wide half of a personal-data export: the identity tables (users, accounts,
 * sessions, passkeys, two-factor, verifications), read in one transaction as the api role. Each
 * select names its columns, so a secret column (password hash, provider tokens, session token
 * hash, passkey public key, TOTP secret, token hashes) is never even read.
 */
import { passkeyColumns } from '../../identity/passkeys.js';
import { sessionColumns } from '../../identity/sessions.js';
import { and, asc, eq, isNotNull, like, or, sql } from 'drizzle-orm';
import { accounts, passkeys, sessions, twoFactors, users, verifications } from '../../db/schema/index.js';
import type { Tx } from '../../db/types.js';
import { isInstanceAdmin } from '../../tenancy/instance.js';
import type { PersonalExport } from './schema.js';

type IdentityPart = Pick<
  PersonalExport,
  'user' | 'instanceAdmin' | 'accounts' | 'sessions' | 'passkeys' | 'twoFactor' | 'pendingVerifications'
>;

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => d?.toISOString() ?? null;

/** Prefixes of Portcullis's own verification rows (identity/*.ts); the rest of the identifier is the user id or a token hash. */
const OWN_KINDS = [
  { prefix: 'recovery-code:', kind: 'recovery_codes' },
  { prefix: 'sign-in-locations:', kind: 'sign_in_locations' },
  { prefix: 'email-verification:', kind: 'email_verification' },
] as const;

export async function readIdentity(tx: Tx, userId: string): Promise<IdentityPart | undefined> {
  const [user] = await tx.select().from(users).where(eq(users.id, userId));
  if (!user) return undefined;
  const accountRows = await tx
    .select({
      providerId: accounts.providerId,
      accountId: accounts.accountId,
      hasPassword: isNotNull(accounts.password),
      hasProviderTokens: sql<boolean>`(${accounts.accessToken} is not null or ${accounts.refreshToken} is not null or ${accounts.idToken} is not null)`,
      scope: accounts.scope,
      createdAt: accounts.createdAt,
      updatedAt: accounts.updatedAt,
    })
    .from(accounts)
    .where(eq(accounts.userId, userId))
    .orderBy(asc(accounts.createdAt), asc(accounts.id));
  const sessionRows = await tx
    .select(sessionColumns)
    .from(sessions)
    .where(eq(sessions.userId, userId))
    .orderBy(asc(sessions.createdAt), asc(sessions.id));
  const passkeyRows = await tx
    .select({
      ...passkeyColumns,
      transports: passkeys.transports,
      aaguid: passkeys.aaguid,
    })
    .from(passkeys)
    .where(eq(passkeys.userId, userId))
    .orderBy(asc(passkeys.createdAt), asc(passkeys.id));
  const [twoFactor] = await tx.select({ verified: twoFactors.verified }).from(twoFactors).where(eq(twoFactors.userId, userId)).limit(1);
  return {
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      emailVerified: user.emailVerified,
      image: user.image,
      createdAt: iso(user.createdAt),
      updatedAt: iso(user.updatedAt),
    },
    instanceAdmin: await isInstanceAdmin(tx, userId),
    accounts: accountRows.map((a) => ({
      ...a,
      hasPassword: Boolean(a.hasPassword),
      createdAt: iso(a.createdAt),
      updatedAt: iso(a.updatedAt),
    })),
    sessions: sessionRows.map((s) => ({
      ...s,
      createdAt: iso(s.createdAt),
      lastActiveAt: iso(s.lastActiveAt),
      expiresAt: iso(s.expiresAt),
      ipAddress: s.ipAddress || null,
      userAgent: s.userAgent || null,
    })),
    passkeys: passkeyRows.map((p) => ({ ...p, createdAt: isoOrNull(p.createdAt), lastUsedAt: isoOrNull(p.lastUsedAt) })),
    // better-auth sets the user's flag once a TOTP is verified; a row alone may be an unfinished enrolment.
    twoFactor: { enabled: user.twoFactorEnabled === true && twoFactor !== undefined },
    pendingVerifications: await readVerifications(tx, user.id),
  };
}

/**
 * Rows of `verifications` about the user, as kinds and dates only. Found three ways: Portcullis's
 * rows keyed by user id, email-verification links (their value names the user), and better-auth's
 * own rows (password-reset links, two-factor challenges: the value is the user id).
 */
async function readVerifications(tx: Tx, userId: string): Promise<PersonalExport['pendingVerifications']> {
  const rows = await tx
    .select({
      identifier: verifications.identifier,
      value: verifications.value,
      createdAt: verifications.createdAt,
      expiresAt: verifications.expiresAt,
    })
    .from(verifications)
    .where(
      or(
        eq(verifications.identifier, `recovery-code:${userId}`),
        eq(verifications.identifier, `sign-in-locations:${userId}`),
        and(like(verifications.identifier, 'email-verification:%'), like(verifications.value, `%${JSON.stringify(userId)}%`)),
        eq(verifications.value, userId),
      ),
    )
    .orderBy(asc(verifications.createdAt));
  const byKind = new Map<string, { kind: string; count: number; createdAt: Date; expiresAt: Date }>();
  for (const row of rows) {
    if (row.identifier.startsWith('email-verification:') && !namesUser(row.value, userId)) continue;
    const kind = OWN_KINDS.find((k) => row.identifier.startsWith(k.prefix))?.kind ?? 'sign_in_step';
    const seen = byKind.get(kind);
    if (!seen) byKind.set(kind, { kind, count: 1, createdAt: row.createdAt, expiresAt: row.expiresAt });
    else {
      seen.count += 1;
      if (row.expiresAt > seen.expiresAt) seen.expiresAt = row.expiresAt;
    }
  }
  return [...byKind.values()].map((v) => ({ ...v, createdAt: iso(v.createdAt), expiresAt: iso(v.expiresAt) }));
}

/** An email-verification row's value is `{"userId":…,"email":…}`; the like-filter above is only a prefilter. */
function namesUser(value: string, userId: string): boolean {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && (parsed as { userId?: unknown }).userId === userId;
  } catch {
    return false;
  }
}
