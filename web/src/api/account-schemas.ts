/**
 * The shapes of the signed-in user's own security and privacy data (passkeys, sessions, two-factor,
 * recovery codes, account deletion), validated on arrival. Secrets shown once (backup codes, recovery
 * codes, the TOTP secret) are parsed here but never cached: only the components that asked hold them.
 */
import { z } from 'zod/mini';

const timestamp = z.string();

export const passkeySchema = z.object({
  id: z.string(),
  /** null: no name was given at registration. */
  name: z.nullable(z.string()),
  createdAt: z.nullable(timestamp),
  lastUsedAt: z.nullable(timestamp),
  /** `singleDevice` (bound to one authenticator) or `multiDevice` (synced). */
  deviceType: z.string(),
  backedUp: z.boolean(),
});
export type Passkey = z.output<typeof passkeySchema>;
export const passkeyListSchema = z.object({ passkeys: z.array(passkeySchema) });

export const sessionSchema = z.object({
  id: z.string(),
  createdAt: timestamp,
  lastActiveAt: timestamp,
  expiresAt: timestamp,
  ipAddress: z.nullable(z.string()),
  userAgent: z.nullable(z.string()),
  current: z.boolean(),
});
export type AccountSession = z.output<typeof sessionSchema>;
export const sessionListSchema = z.object({ sessions: z.array(sessionSchema) });
export const revokedSessionsSchema = z.object({ revoked: z.number() });

export const recoveryCodeCountSchema = z.object({ remaining: z.number() });
/** POST /api/me/recovery-codes: the new codes, shown once. */
export const newRecoveryCodesSchema = z.object({ codes: z.array(z.string()) });

/**
 * better-auth's GET /api/auth/get-session, read for one flag only. Everything else in the answer
 * (the session row) is dropped by the parse, so it never reaches the query cache.
 */
export const twoFactorFlagSchema = z.nullable(z.object({ user: z.object({ twoFactorEnabled: z.optional(z.nullable(z.boolean())) }) }));
/** better-auth's GET /api/auth/list-accounts, read for the provider ids only ('credential' is a password). */
export const signInAccountsSchema = z.array(z.object({ providerId: z.string() }));

/** POST /api/auth/two-factor/enable: the authenticator's URI and the backup codes, shown once. */
export const twoFactorEnabledSchema = z.object({ totpURI: z.string(), backupCodes: z.array(z.string()) });
export const backupCodesSchema = z.object({ backupCodes: z.array(z.string()) });

/** POST /api/auth/sign-up. */
export const signUpResultSchema = z.object({ signedIn: z.boolean() });

/** DELETE /api/me. */
export const accountDeletedSchema = z.object({ deleted: z.literal(true) });
