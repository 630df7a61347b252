/**
 * Turns a request's session cookie into a SessionPrincipal: better-auth verifies the cookie's
 * signature and finds the session (by token hash, within idle and absolute expiry, sliding the
 * idle expiry when due), then the user's memberships and instance-admin flag are read fresh.
 */
import type { Context } from 'hono';
import { eq } from 'drizzle-orm';
import type { SessionPrincipal } from '../auth/principal.js';
import { roleSchema, type Role } from '../auth/permissions.js';
import { userMemberships } from '../db/definer.js';
import { instanceAdmins } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Identity } from './auth.js';
import { runWithIdentityContext } from './request-context.js';

export type ResolvedSession = {
  principal: SessionPrincipal | undefined;
  /** Set-Cookie headers better-auth produced (a refreshed expiry, or clearing a dead cookie). */
  setCookies: string[];
};

export async function resolveSession(identity: Identity, db: ScopedDatabase, c: Context): Promise<ResolvedSession> {
  const auth = identity.forRequest(c);
  const context = {
    clientIp: (c.get('clientIp') as string | undefined) ?? null,
    userAgent: c.req.header('user-agent')?.slice(0, 500) ?? null,
    requestId: (c.get('requestId') as string | undefined) ?? null,
  };
  const { headers, response } = await runWithIdentityContext(context, () =>
    auth.api.getSession({ headers: c.req.raw.headers, returnHeaders: true }),
  );
  const setCookies = headers.getSetCookie();
  if (response === null) return { principal: undefined, setCookies };
  const { session, user } = response;
  const { memberships, instanceAdmin } = await db.withRole(async (tx) => ({
    memberships: await userMemberships(tx, user.id),
    instanceAdmin: (await tx.select().from(instanceAdmins).where(eq(instanceAdmins.userId, user.id)).limit(1)).length > 0,
  }));
  const roles = new Map<string, Role>();
  const projectAccess = new Map<string, ReadonlySet<string>>();
  for (const membership of memberships) {
    const role = roleSchema.safeParse(membership.role);
    if (!role.success) continue;
    const orgId = membership.orgId.toLowerCase();
    roles.set(orgId, role.data);
    // The database allows a list only for developers and viewers (a CHECK); the role test here
    // keeps the principal right even if that constraint were ever loosened.
    if (membership.projectIds !== null && (role.data === 'developer' || role.data === 'viewer'))
      projectAccess.set(orgId, new Set(membership.projectIds.map((id) => id.toLowerCase())));
  }
  return {
    principal: {
      kind: 'session',
      userId: user.id,
      sessionId: session.id,
      email: user.email,
      instanceAdmin,
      memberships: roles,
      projectAccess,
    },
    setCookies,
  };
}
