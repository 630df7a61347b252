/**
 * Recovery codes: the way back into an account that signs in with passkeys only ("passwordless is
 * first class"). Ten codes, shown once when generated; a new set replaces the previous one.
 *
 * - A code is 20 characters from a 32-letter alphabet (100 bits from the CSPRNG), shown in groups
 *   of five; input is compared case-insensitively, ignoring dashes and spaces.
 * - Only HMAC-SHA256(code) is stored, under a key derived from AUTH_SECRET: a database dump yields
 *   no usable code, and without the secret not even an offline guess can be checked. A hash cannot
 *   be re-keyed, so after a rotation a code is also checked under each AUTH_SECRET_PREVIOUS.
 * - They live in better-auth's `verifications` table (identifier `recovery-code:<user id>`, one row
 *   per code, no expiry in practice): no table of their own, and only the api role can read it.
 * - Signing in with one compares the input against every stored hash of the account in constant
 *   time and deletes the matching row; the delete must return the row, so two concurrent uses of
 *   one code cannot both succeed.
 *
 * Accounts with a password use two-factor (TOTP) and its backup codes instead: a recovery code
 * alone signs in, which would bypass both their password and their second factor.
 */
import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, eq, isNotNull } from 'drizzle-orm';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { deriveKey } from '../crypto/derive-key.js';
import { accounts, verifications } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Tx } from '../db/types.js';
import { HttpError } from '../http/errors.js';
import { findUserByEmail } from '../tenancy/users.js';
import type { IdentityRequestContext } from './request-context.js';

export const RECOVERY_CODE_COUNT = 10;
const CODE_LENGTH = 20;
/** Crockford's base32: no I, L, O or U, so codes survive being read aloud or written down. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const IDENTIFIER_PREFIX = 'recovery-code:';
/** Codes do not expire; the column needs a date. */
const NO_EXPIRY = new Date('9999-12-31T00:00:00Z');

export type RecoveryCodeHasher = {
  /** The hash stored for a new code (under the current AUTH_SECRET). */
  hash(code: string): string;
  /** The hashes a stored code may have: under the current secret and under each earlier one. */
  candidates(code: string): Buffer[];
};

export function recoveryCodeHasher(authSecret: string, previousAuthSecrets: readonly string[] = []): RecoveryCodeHasher {
  const keys = [authSecret, ...previousAuthSecrets].map((secret) => deriveKey(secret, 'recovery-code'));
  const under = (key: Buffer, code: string) => createHmac('sha256', key).update(normaliseRecoveryCode(code), 'utf8').digest();
  return {
    hash: (code) => under(keys[0]!, code).toString('hex'),
    candidates: (code) => keys.map((key) => under(key, code)),
  };
}

/** Upper case, without separators; Crockford's look-alikes (O → 0, I/L → 1) read as digits. */
export function normaliseRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

function newCode(): string {
  let raw = '';
  for (let i = 0; i < CODE_LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
  return raw.match(/.{5}/g)!.join('-');
}

export const passwordAccountRecovery = () =>
  new HttpError(
    409,
    'invalid_request_error',
    'password_account',
    'This account has a password: turn on two-factor authentication, whose backup codes are its recovery codes.',
  );

async function hasPassword(tx: Tx, userId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.userId, userId), eq(accounts.providerId, 'credential'), isNotNull(accounts.password)))
    .limit(1);
  return row !== undefined;
}

/** Replaces the user's recovery codes with ten new ones, returned once (audited: `recovery_codes.generated`). */
export async function generateRecoveryCodes(
  db: ScopedDatabase,
  hash: RecoveryCodeHasher,
  userId: string,
  ctx: ActionContext,
): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  const identifier = `${IDENTIFIER_PREFIX}${userId}`;
  await db.withRole(async (tx) => {
    if (await hasPassword(tx, userId)) throw passwordAccountRecovery();
    const replaced = await tx.delete(verifications).where(eq(verifications.identifier, identifier)).returning({ id: verifications.id });
    await tx
      .insert(verifications)
      .values(codes.map((code) => ({ id: randomUUID(), identifier, value: hash.hash(code), expiresAt: NO_EXPIRY })));
    await recordAudit(tx, {
      orgId: null,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'recovery_codes.generated',
      target: { type: 'user', id: userId },
      diff: { count: codes.length, replaced: replaced.length },
    });
  });
  return codes;
}

/** How many unused recovery codes the user has left. */
export async function countRecoveryCodes(db: ScopedDatabase, userId: string): Promise<number> {
  const rows = await db.withRole((tx) =>
    tx
      .select({ id: verifications.id })
      .from(verifications)
      .where(eq(verifications.identifier, `${IDENTIFIER_PREFIX}${userId}`)),
  );
  return rows.length;
}

/**
 * Spends one recovery code of the account with this email: the user id when it matched (the code
 * is gone, `recovery_code.used` is recorded in the same transaction), otherwise undefined, with
 * no difference between an unknown email, an account with a password and a wrong code.
 */
export async function consumeRecoveryCode(
  db: ScopedDatabase,
  hash: RecoveryCodeHasher,
  email: string,
  code: string,
  context: IdentityRequestContext,
): Promise<string | undefined> {
  const candidates = hash.candidates(code);
  return db.withRole(async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user || (await hasPassword(tx, user.id))) return undefined;
    const rows = await tx
      .select({ id: verifications.id, value: verifications.value })
      .from(verifications)
      .where(eq(verifications.identifier, `${IDENTIFIER_PREFIX}${user.id}`));
    let matched: string | undefined;
    // Every row is compared with every candidate, in constant time each: the time taken says
    // nothing about which matched, nor under which secret.
    for (const row of rows) {
      const stored = Buffer.from(row.value, 'hex');
      for (const candidate of candidates)
        if (stored.length === candidate.length && timingSafeEqual(stored, candidate) && matched === undefined) matched = row.id;
    }
    if (matched === undefined) return undefined;
    const [deleted] = await tx.delete(verifications).where(eq(verifications.id, matched)).returning({ id: verifications.id });
    if (!deleted) return undefined;
    await recordAudit(tx, {
      orgId: null,
      actor: { type: 'user', id: user.id, ip: context.clientIp, userAgent: context.userAgent },
      requestId: context.requestId,
      action: 'recovery_code.used',
      target: { type: 'user', id: user.id },
      diff: { remaining: rows.length - 1, method: 'recovery_code_sign_in' },
    });
    return user.id;
  });
}
