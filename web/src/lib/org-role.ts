/** The signed-in user's role in an org, and what it lets them do on the credential pages. */
import { useMe } from '../api/queries.ts';

/** The role in `orgId` ('' while /api/me loads or when not a member: no write button is offered then). */
export const useOrgRole = (orgId: string): string => useMe().data?.memberships.find((m) => m.orgId === orgId)?.role ?? '';

/**
 * provider_keys:write and admin_tokens:write need an admin (src/auth/permissions.ts). The api decides;
 * this only spares a developer buttons that would be refused.
 */
export const mayManageCredentials = (role: string): boolean => role === 'owner' || role === 'admin';

const ROLE_ORDER = ['viewer', 'developer', 'admin', 'owner'] as const;

/** Whether `role` is `minimum` or above (roles are nested: owner > admin > developer > viewer); '' is none. */
export const roleAtLeast = (role: string, minimum: (typeof ROLE_ORDER)[number]): boolean =>
  ROLE_ORDER.findIndex((r) => r === role) >= ROLE_ORDER.indexOf(minimum);
