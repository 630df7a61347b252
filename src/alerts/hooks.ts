/**
 * One-line hooks for the places where signals happen, so the call sites stay readable and the
 * rules about what counts (which roles are "admin", which orgs hear about a user) live here.
 * Each runs after the change committed and returns at once (service.ts).
 */
import { listAllOrganizations, userMemberships } from '../db/definer.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { SecurityAlerts } from './service.js';

const ADMIN_ROLES: readonly string[] = ['owner', 'admin'];

/** A role that administers the org, reached from one that did not (or from no membership). */
export const isAdminGrant = (from: string | null, to: string): boolean =>
  ADMIN_ROLES.includes(to) && (from === null || !ADMIN_ROLES.includes(from));

type Actor = { type: string; id: string | null };

/** A failed sign-in of a known user: each org they belong to counts it. Unknown emails concern no org. */
export function signalLoginFailed(alerts: SecurityAlerts | undefined, db: ScopedDatabase, userId: string, ip: string | null): void {
  alerts?.notifyEach(
    async () => (await db.withRole((tx) => userMemberships(tx, userId))).map((m) => m.orgId),
    (orgId) => ({ kind: 'login_failed', orgId, userId, ip }),
  );
}

/** A member made admin or owner (role change, accepted invitation). */
export function signalRoleGranted(
  alerts: SecurityAlerts | undefined,
  grant: { orgId: string; userId: string; from: string | null; to: string; via: 'role_changed' | 'invitation_accepted'; actor: Actor },
): void {
  if (!isAdminGrant(grant.from, grant.to)) return;
  alerts?.notify({
    kind: 'admin_granted',
    orgId: grant.orgId,
    userId: grant.userId,
    role: grant.to === 'owner' ? 'owner' : 'admin',
    via: grant.via,
    actor: { type: grant.actor.type, id: grant.actor.id },
  });
}

/**
 * A new instance administrator can reach every org, so every org hears of it (listed through the
 * definer function that answers only for an instance admin: the one who granted it).
 */
export function signalInstanceAdminGranted(
  alerts: SecurityAlerts | undefined,
  db: ScopedDatabase,
  grant: { userId: string; byUserId: string; actor: Actor },
): void {
  alerts?.notifyEach(
    async () => (await db.withRole((tx) => listAllOrganizations(tx, grant.byUserId))).map((o) => o.id),
    (orgId) => ({
      kind: 'admin_granted',
      orgId,
      userId: grant.userId,
      role: 'instance_admin',
      via: 'instance_admin_granted',
      actor: { type: grant.actor.type, id: grant.actor.id },
    }),
  );
}
