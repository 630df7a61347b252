/**
 * OpenID Connect group -> org role mapping. Each org may map group names to roles in its settings
 * (`oidcGroupRoles: { "platform-admins": "admin", "engineers": "developer" }`). At every OIDC
 * sign-in of an existing user, before the session is created, for every org with a mapping:
 *
 * - the user's groups (from the verified ID token, claim OIDC_GROUPS_CLAIM) select the highest
 *   mapped role (admin > developer > viewer);
 * - a matching role adds the user to the org (`member.added`) or changes their role
 *   (`member.role_changed`, which ends their other sessions as every role change does);
 * - no matching group removes the membership (`member.removed`) only when the mapping created it
 *   (a `member.added` event by `system:oidc` for that membership); memberships granted by hand
 *   stay as they are;
 * - owners are never touched: the mapping cannot grant ownership (the settings schema refuses
 *   `owner`), nor demote or remove an owner.
 *
 * Every change is audited in the org's chain with the actor `system:oidc`.
 */
import { and, eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { ActionContext } from '../audit/context.js';
import { oidcGroupRoleOrgs } from '../db/definer.js';
import { auditEvents, type MemberRole } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Tx } from '../db/types.js';
import type { EventBus } from '../events/event-bus.js';
import { announceReleased, type ReleasedCredentials } from '../tenancy/member-credentials.js';
import { addMember, changeMemberRole, findMember, removeMember } from '../tenancy/members.js';
import { getOrganization } from '../tenancy/organizations.js';
import { parseOrgSettings } from '../tenancy/settings.js';

export const OIDC_ACTOR_ID = 'oidc';
const RANK: Readonly<Record<MemberRole, number>> = { viewer: 1, developer: 2, admin: 3, owner: 4 };

/** The highest role the groups map to, or undefined when none is mapped. */
export function roleForGroups(mapping: Readonly<Record<string, MemberRole>>, groups: readonly string[]): MemberRole | undefined {
  let best: MemberRole | undefined;
  for (const group of groups) {
    const role = Object.hasOwn(mapping, group) ? mapping[group] : undefined;
    if (role !== undefined && (best === undefined || RANK[role] > RANK[best])) best = role;
  }
  return best;
}

/** Reads the groups claim: an array of strings (Okta, Keycloak, Entra) or one string. Anything else: none. */
export function groupsFromClaims(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
}

async function createdByMapping(tx: Tx, memberId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.action, 'member.added'),
        eq(auditEvents.targetId, memberId),
        eq(auditEvents.actorType, 'system'),
        eq(auditEvents.actorId, OIDC_ACTOR_ID),
      ),
    )
    .limit(1);
  return row !== undefined;
}

export type GroupRoleChange = { orgId: string; change: 'added' | 'role_changed' | 'removed'; role?: MemberRole };

export async function applyOidcGroupRoles(
  deps: { db: ScopedDatabase; logger: Logger; bus?: EventBus | undefined },
  input: { userId: string; email: string; groups: readonly string[] },
  context: { ip: string | null; userAgent: string | null; requestId: string | null },
): Promise<GroupRoleChange[]> {
  const ctx: ActionContext = {
    // The sign-in's IP and user agent are the user's: sealed under their key.
    actor: { type: 'system', id: OIDC_ACTOR_ID, ip: context.ip, userAgent: context.userAgent, person: input.userId },
    requestId: context.requestId,
  };
  const orgIds = await deps.db.withRole((tx) => oidcGroupRoleOrgs(tx));
  const changes: GroupRoleChange[] = [];
  for (const orgId of orgIds) {
    const released = await deps.db.withTenant(orgId, async (tx): Promise<ReleasedCredentials | undefined> => {
      const org = await getOrganization(tx, orgId);
      if (!org) return;
      let mapping: Record<string, MemberRole>;
      try {
        mapping = parseOrgSettings(orgId, org.settings).oidcGroupRoles;
      } catch (error) {
        // A hand-edited, invalid settings row: skip this org rather than refuse the sign-in.
        deps.logger.error({ err: error, orgId }, 'OIDC group mapping skipped: invalid org settings');
        return;
      }
      const role = roleForGroups(mapping, input.groups);
      const member = await findMember(tx, orgId, input.userId);
      if (member?.role === 'owner') return;
      if (role !== undefined && member === undefined) {
        await addMember(tx, { orgId, userId: input.userId, email: input.email, role }, ctx);
        changes.push({ orgId, change: 'added', role });
      } else if (role !== undefined && member !== undefined && member.role !== role) {
        await changeMemberRole(tx, member, role, ctx);
        changes.push({ orgId, change: 'role_changed', role });
      } else if (role === undefined && member !== undefined && (await createdByMapping(tx, member.id))) {
        changes.push({ orgId, change: 'removed' });
        // Their personal keys and admin tokens are revoked with the membership.
        return removeMember(tx, member, ctx, 'oidc_group_removed');
      }
      return undefined;
    });
    // After the commit: every gateway replica drops the revoked keys' cached verifications now,
    // not when their cache entries expire.
    if (released && deps.bus) await announceReleased(deps.bus, deps.logger, orgId, released);
  }
  return changes;
}
