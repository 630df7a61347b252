import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { accounts, users } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';

export type User = typeof users.$inferSelect;

/** Emails are compared case-insensitively; stored lower-cased (as better-auth does). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserByEmail(tx: Tx, email: string): Promise<User | undefined> {
  const [row] = await tx
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${normaliseEmail(email)}`)
    .limit(1);
  return row;
}

/** A user without credentials yet (bootstrap, invitations): they sign in later with a passkey, OAuth or a password reset. */
export async function createUser(tx: Tx, input: { email: string; name?: string }): Promise<User> {
  const email = normaliseEmail(input.email);
  const [row] = await tx
    .insert(users)
    .values({ id: randomUUID(), email, name: input.name ?? email.split('@')[0] ?? email, emailVerified: false })
    .returning();
  return row!;
}

/**
 * A user who signs in with a password (an accepted invitation, open sign-up), with their
 * credential account, audited `user.created` in the instance chain as the new user themself.
 * `passwordHash` is better-auth's scrypt hash, made by the caller after the password policy passed.
 */
export async function createPasswordUser(
  tx: Tx,
  input: { email: string; name: string; passwordHash: string; emailVerified: boolean; via: Record<string, unknown> },
  ctx: ActionContext,
): Promise<string> {
  const userId = randomUUID();
  const email = normaliseEmail(input.email);
  await tx.insert(users).values({ id: userId, email, name: input.name, emailVerified: input.emailVerified });
  await tx.insert(accounts).values({ id: randomUUID(), accountId: userId, providerId: 'credential', userId, password: input.passwordHash });
  await recordAudit(tx, {
    orgId: null,
    actor: { ...ctx.actor, type: 'user', id: userId },
    requestId: ctx.requestId,
    action: 'user.created',
    target: { type: 'user', id: userId },
    diff: { ...input.via },
    personal: { email },
  });
  return userId;
}

export async function getUser(tx: Tx, id: string): Promise<User | undefined> {
  const [row] = await tx.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}
