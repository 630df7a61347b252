/**
 * Who is calling the management api: an admin token (one org, one role) or a signed-in user (a
 * session; any number of orgs). Code asks `roleIn(principal, orgId)` rather than reading an org id
 * off the principal, so both fit without touching the routes.
 */
import type { AuditActor } from '../audit/record.js';
import type { Role } from './permissions.js';

export type AdminTokenPrincipal = { kind: 'admin_token'; tokenId: string; orgId: string; role: Role };

/**
 * A signed-in user. `memberships` is read from the members table on every request (not cached in
 * the session), so a role change or removal applies to the very next request.
 */
export type SessionPrincipal = {
  kind: 'session';
  userId: string;
  sessionId: string;
  email: string;
  instanceAdmin: boolean;
  /** Org id (lower case) → the user's role there. */
  memberships: ReadonlyMap<string, Role>;
  /**
   * Project-level access: org id (lower case) → the only projects (ids, lower case) the user may
   * see and work in there. Only orgs where the membership is restricted have an entry; no entry
   * means every project of the org. Read per request like `memberships`.
   */
  projectAccess: ReadonlyMap<string, ReadonlySet<string>>;
};

export type Principal = AdminTokenPrincipal | SessionPrincipal;

/** The principal's role in this org, or undefined when it has none there (the caller answers 404). */
export function roleIn(principal: Principal, orgId: string): Role | undefined {
  switch (principal.kind) {
    case 'admin_token':
      // Ids are compared in their canonical lower-case form: an upper-case UUID in a path is
      // the same org, not a way around this check.
      return principal.orgId.toLowerCase() === orgId.toLowerCase() ? principal.role : undefined;
    case 'session':
      return principal.memberships.get(orgId.toLowerCase());
  }
}

/** Every project of the org, or only these (ids, lower case). */
export type ProjectScope = 'all' | ReadonlySet<string>;

/**
 * The projects this principal may see and work in within the org. Admin tokens are never
 * restricted (a token is minted for a role, org-wide); a signed-in user is when their membership
 * lists projects. The caller has already established that the principal belongs to the org.
 */
export function projectScope(principal: Principal, orgId: string): ProjectScope {
  if (principal.kind === 'admin_token') return 'all';
  return principal.projectAccess.get(orgId.toLowerCase()) ?? 'all';
}

/** Whether a project id falls within a scope (ids compared in lower case, like org ids). */
export function inProjectScope(scope: ProjectScope, projectId: string): boolean {
  return scope === 'all' || scope.has(projectId.toLowerCase());
}

/** Whether the principal may see and work in this project of the org (its role there still decides what). */
export function mayAccessProject(principal: Principal, orgId: string, projectId: string): boolean {
  return roleIn(principal, orgId) !== undefined && inProjectScope(projectScope(principal, orgId), projectId);
}

/** The audit actor for a request made by this principal. */
export function actorOf(principal: Principal, request: { ip: string | null; userAgent: string | null }): AuditActor {
  switch (principal.kind) {
    case 'admin_token':
      return { type: 'token', id: principal.tokenId, ip: request.ip, userAgent: request.userAgent };
    case 'session':
      return { type: 'user', id: principal.userId, ip: request.ip, userAgent: request.userAgent };
  }
}
