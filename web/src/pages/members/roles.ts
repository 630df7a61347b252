/** What a role lets its holder do to members (src/auth/permissions.ts decides; this only spares refused buttons). */
import { MEMBER_ROLES, type MemberRole } from '../../api/credential-schemas.ts';
import { roleAtLeast } from '../../lib/org-role.ts';

/** members:write: admins and owners. */
export const mayManageMembers = (role: string): boolean => roleAtLeast(role, 'admin');

/** The roles at or below `role`, highest first: nobody invites or grants above their own. */
export function grantableRoles(role: string): MemberRole[] {
  const index = MEMBER_ROLES.findIndex((r) => r === role);
  return index === -1 ? [] : MEMBER_ROLES.slice(index);
}

/** Only developers and viewers can be limited to some projects; admins and owners reach every one. */
export const isProjectRestrictable = (role: string): boolean => role === 'developer' || role === 'viewer';

/** What each role may do, in a line, for the role choices. */
export const ROLE_SUMMARIES: Record<MemberRole, string> = {
  owner: 'everything, including org settings, deletion and other owners',
  admin: 'members, admin tokens, provider keys, limits and the audit log',
  developer: 'API keys, usage and request logs',
  viewer: 'reads the configuration only',
};
