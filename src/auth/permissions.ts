/**
 * The one permission table of the management api. Every route names the permission it needs and
 * the registry consults `can()` before the handler runs; nothing else decides who may do what.
 *
 * Roles are strictly nested (owner > admin > developer > viewer), so each permission is granted
 * from a minimum role upwards. Least privilege: a viewer only reads configuration; a developer
 * also manages API keys (a key's own limits can only tighten the project's and org's, which stay
 * in force), reads usage and lists provider keys; an admin also manages admin tokens, limits and
 * provider keys; the owner everything.
 *
 * Project-level access narrows where, not what: a developer or viewer may be limited to some
 * projects (members.project_ids). The registry answers 404 for a `:projectId` outside them, and the
 * routes that reach project data otherwise filter by the scope it hands them (see api/registry.ts).
 */
import { z } from 'zod';
import { MEMBER_ROLES, type MemberRole } from '../db/schema/index.js';

export type Role = MemberRole;
/** Highest first. */
export const ROLES: readonly Role[] = MEMBER_ROLES;
export const roleSchema = z.enum(MEMBER_ROLES);

export const PERMISSIONS = [
  'org:read',
  'org:write',
  'projects:read',
  'projects:write',
  'api_keys:read',
  'api_keys:write',
  'admin_tokens:read',
  'admin_tokens:write',
  'usage:read',
  'limits:write',
  'provider_keys:read',
  'provider_keys:write',
  'members:read',
  'members:write',
  'guardrails:read',
  'guardrails:write',
  'audit:read',
  'request_bodies:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The lowest role holding each permission. */
export const PERMISSION_TABLE: Readonly<Record<Permission, Role>> = Object.freeze({
  'org:read': 'viewer',
  // Renaming or deleting the org, org-wide settings: reserved for its owners.
  'org:write': 'owner',
  'projects:read': 'viewer',
  // A project is a billing and policy boundary: creating one is an admin's call.
  'projects:write': 'admin',
  // Lists show masked keys only; the secret is never readable after creation.
  'api_keys:read': 'viewer',
  'api_keys:write': 'developer',
  // Admin tokens grant management access, so even listing them is for those who may mint them.
  'admin_tokens:read': 'admin',
  'admin_tokens:write': 'admin',
  // Spend figures are commercially sensitive: not for read-only observers.
  'usage:read': 'developer',
  'limits:write': 'admin',
  // The list shows no key, but base URLs name internal endpoints (a private vLLM, an Azure
  // resource): for those who build against the gateway, not read-only observers.
  'provider_keys:read': 'developer',
  // Provider keys spend the org's money at its providers and decide where prompts go. Testing a
  // key is a write too: it mints (and revokes) an API key and makes a billed upstream call.
  'provider_keys:write': 'admin',
  // Who belongs to the org and with which role (names, emails): for those who work in it, not
  // read-only observers.
  'members:read': 'developer',
  // Inviting, removing and changing roles. Owners are managed by owners only, and nobody grants a
  // role above their own (checked by the routes, see routes/members.ts).
  'members:write': 'admin',
  // What is scanned, redacted or blocked: for those who build against the gateway (and must
  // know why a request was refused), not read-only observers.
  'guardrails:read': 'developer',
  // Policies decide what reaches providers and what the org's users may send: an admin's call.
  'guardrails:write': 'admin',
  // The audit trail names who did what, from where: for owners and admins, who answer for it.
  'audit:read': 'admin',
  // Stored request and response bodies are what users sent to models and got back, prompts and
  // personal data included: for owners and admins, and every read is audited.
  'request_bodies:read': 'admin',
});

const RANK: Readonly<Record<Role, number>> = { owner: 3, admin: 2, developer: 1, viewer: 0 };

export function roleRank(role: Role): number {
  return RANK[role];
}

export function isAtLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

export function can(role: Role, permission: Permission): boolean {
  // An unknown permission (a typo cast past the type checker, or `toString` reaching the
  // prototype) grants nothing.
  if (!Object.hasOwn(PERMISSION_TABLE, permission) || !Object.hasOwn(RANK, role)) return false;
  return isAtLeast(role, PERMISSION_TABLE[permission]);
}

/** A principal may hand out a role no higher than its own: no way to mint more power than one holds. */
export function canGrantRole(granter: Role, granted: Role): boolean {
  return isAtLeast(granter, granted);
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value) && Object.hasOwn(PERMISSION_TABLE, value);
}
