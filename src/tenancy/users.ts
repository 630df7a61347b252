import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { users } from '../db/schema/index.js';
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

export async function getUser(tx: Tx, id: string): Promise<User | undefined> {
  const [row] = await tx.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}
