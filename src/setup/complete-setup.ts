import { randomUUID } from 'node:crypto';
import { hashPassword } from 'better-auth/crypto';
import { checkPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../identity/password-policy.js';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { completeSetup } from '../db/definer.js';
import { accounts, users } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { recordAudit } from '../audit/record.js';
import type { ActionContext } from '../audit/context.js';
import { findUserByEmail, normaliseEmail } from '../tenancy/users.js';
import { hashSetupToken } from './setup-link.js';

// The same policy as every other password (16 code points and up, not a common password).
export { MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from '../identity/password-policy.js';

export const setupRequestSchema = z.object({
  token: z.string().min(1, 'the setup token is missing: open the link printed by `portcullis start`').max(200),
  name: z.string().trim().min(1, 'enter your name').max(100),
  email: z.email('enter a valid email address').max(254),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `use at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(MAX_PASSWORD_LENGTH, `use at most ${MAX_PASSWORD_LENGTH} characters`),
});
export type SetupRequest = z.infer<typeof setupRequestSchema>;

export class SetupRejectedError extends Error {
  constructor(
    readonly reason: 'invalid_token' | 'weak_password' | 'email_taken',
    message: string,
  ) {
    super(message);
    this.name = 'SetupRejectedError';
  }
}

/**
 * Creates the first owner's account and makes them instance admin, atomically with consuming the
 * setup token: two browsers racing on one link produce one admin, and a rejected attempt leaves
 * no user behind — only a failure event in the audit trail.
 */
export async function completeInitialSetup(
  db: ScopedDatabase,
  input: SetupRequest,
  ctx: ActionContext,
): Promise<{ id: string; email: string; name: string }> {
  const email = normaliseEmail(input.email);
  const verdict = await checkPassword(input.password, { minLength: MIN_PASSWORD_LENGTH, context: [email, input.name] });
  if (!verdict.ok) throw new SetupRejectedError('weak_password', verdict.message);
  // scrypt runs before the transaction opens (never hold a transaction across slow hashing).
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.withRole(async (tx) => {
      // A user listed as a member by `bootstrap` before setup exists without credentials: the
      // owner claims that row. One that already has a password cannot be taken over.
      const existing = await findUserByEmail(tx, email);
      const userId = existing?.id ?? randomUUID();
      const hasCredential = existing
        ? (await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.userId, existing.id)).limit(1)).length > 0
        : false;
      if (existing) await tx.update(users).set({ name: input.name, updatedAt: new Date() }).where(eq(users.id, userId));
      else await tx.insert(users).values({ id: userId, name: input.name, email, emailVerified: false });
      if (!(await completeSetup(tx, hashSetupToken(input.token), userId))) {
        throw new SetupRejectedError('invalid_token', 'this setup link is invalid, expired or already used');
      }
      // Checked after the token so that only a valid link learns whether an email is registered.
      if (hasCredential) throw new SetupRejectedError('email_taken', 'an account with this email already exists');
      await tx.insert(accounts).values({ id: randomUUID(), accountId: userId, providerId: 'credential', userId, password: passwordHash });
      if (!existing)
        await recordAudit(tx, {
          orgId: null,
          actor: { ...ctx.actor, type: 'user', id: userId },
          requestId: ctx.requestId,
          action: 'user.created',
          target: { type: 'user', id: userId },
          personal: { email, name: input.name },
        });
      await recordAudit(tx, {
        orgId: null,
        actor: { ...ctx.actor, type: 'user', id: userId },
        requestId: ctx.requestId,
        action: 'instance.setup_completed',
        target: { type: 'user', id: userId },
        diff: { instanceAdmin: true },
      });
      return { id: userId, email, name: input.name };
    });
  } catch (error) {
    if (error instanceof SetupRejectedError) {
      await db.withRole((tx) =>
        recordAudit(tx, {
          orgId: null,
          actor: ctx.actor,
          requestId: ctx.requestId,
          action: 'instance.setup_failed',
          outcome: 'failure',
          reason: error.reason,
          target: null,
        }),
      );
    }
    throw error;
  }
}
