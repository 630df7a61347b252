/**
 * Who is calling the management api. Today only admin tokens; signed-in users (sessions) arrive
 * with the identity work as another member of the union. Code asks `roleIn(principal, orgId)`
 * rather than reading an org id off the principal, so a session spanning several orgs fits
 * without touching the routes.
 */
import type { AuditActor } from '../audit/record.js';
import type { Role } from './permissions.js';

export type AdminTokenPrincipal = { kind: 'admin_token'; tokenId: string; orgId: string; role: Role };

// Add `| SessionPrincipal` ({ kind: 'session'; userId; memberships }) with the identity issue.
export type Principal = AdminTokenPrincipal;

/** The principal's role in this org, or undefined when it has none there (the caller answers 404). */
export function roleIn(principal: Principal, orgId: string): Role | undefined {
  switch (principal.kind) {
    case 'admin_token':
      // Ids are compared in their canonical lower-case form: an upper-case UUID in a path is
      // the same org, not a way around this check.
      return principal.orgId.toLowerCase() === orgId.toLowerCase() ? principal.role : undefined;
  }
}

/** The audit actor for a request made by this principal. */
export function actorOf(principal: Principal, request: { ip: string | null; userAgent: string | null }): AuditActor {
  switch (principal.kind) {
    case 'admin_token':
      return { type: 'token', id: principal.tokenId, ip: request.ip, userAgent: request.userAgent };
  }
}
