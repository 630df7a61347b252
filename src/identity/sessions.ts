/**
 * A user's sessions as the `/api/me/sessions` routes and membership changes see them: listing
 * (never the token, which is not stored anyway), revoking one, revoking all. Each revocation and
 * its `session.revoked` audit event commit in one transaction.
 */
import { and, desc, eq, gt, ne, sql } from 'drizzle-orm';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { sessions } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Tx } from '../db/types.js';

export type SessionView = {
  id: string;
  createdAt: Date;
  lastActiveAt: Date;
  expiresAt: Date;
  ipAddress: string | null;
  userAgent: string | null;
};

/** What a session shows its owner (never its token). */
export const sessionColumns = {
  id: sessions.id,
  createdAt: sessions.createdAt,
  // better-auth bumps updated_at when it slides the expiry: last activity, to within its update age.
  lastActiveAt: sessions.updatedAt,
  expiresAt: sessions.expiresAt,
  ipAddress: sessions.ipAddress,
  userAgent: sessions.userAgent,
};

/** Sessions that still work: before their idle expiry and younger than the absolute maximum age. */
const live = (userId: string, maxAgeSeconds: number, now: Date) =>
  and(eq(sessions.userId, userId), gt(sessions.expiresAt, now), gt(sessions.createdAt, new Date(now.getTime() - maxAgeSeconds * 1000)));

export async function listSessions(db: ScopedDatabase, userId: string, maxAgeSeconds: number, now = new Date()): Promise<SessionView[]> {
  return db.withRole((tx) =>
    tx
      .select(sessionColumns)
      .from(sessions)
      .where(live(userId, maxAgeSeconds, now))
      .orderBy(desc(sessions.updatedAt), desc(sessions.id)),
  );
}

/** Revokes one of the user's sessions; false when they have none with this id (another user's included). */
export async function revokeSession(db: ScopedDatabase, userId: string, sessionId: string, ctx: ActionContext): Promise<boolean> {
  return db.withRole(async (tx) => {
    const deleted = await tx
      .delete(sessions)
      .where(and(eq(sessions.userId, userId), eq(sessions.id, sessionId)))
      .returning({ id: sessions.id });
    if (deleted.length === 0) return false;
    await recordAudit(tx, {
      orgId: null,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'session.revoked',
      target: { type: 'session', id: sessionId },
      diff: { reason: 'revoked_by_user' },
    });
    return true;
  });
}

/** Revokes all the user's sessions, or all but one (the caller's own). Returns how many ended. */
export async function revokeAllSessions(
  db: ScopedDatabase,
  userId: string,
  keepSessionId: string | undefined,
  ctx: ActionContext,
): Promise<number> {
  return db.withRole((tx) => endSessions(tx, userId, { keepSessionId, reason: 'revoked_all_by_user' }, ctx));
}

/**
 * Ends a user's sessions inside the caller's transaction (a membership change, a revocation):
 * one `session.revoked` event in the instance chain names how many ended and why.
 */
export async function endSessions(
  tx: Tx,
  userId: string,
  options: { keepSessionId?: string | undefined; reason: string },
  ctx: ActionContext,
): Promise<number> {
  const condition =
    options.keepSessionId === undefined
      ? eq(sessions.userId, userId)
      : and(eq(sessions.userId, userId), ne(sessions.id, options.keepSessionId));
  const deleted = await tx.delete(sessions).where(condition).returning({ id: sessions.id });
  if (deleted.length > 0)
    await recordAudit(tx, {
      orgId: null,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'session.revoked',
      target: { type: 'user', id: userId },
      diff: { reason: options.reason, sessions: deleted.length },
    });
  return deleted.length;
}

/** Counts a user's session rows (tests and diagnostics). */
export async function countSessionRows(tx: Tx, userId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(sessions)
    .where(eq(sessions.userId, userId));
  return row?.n ?? 0;
}
