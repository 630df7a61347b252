/**
 * The org's OIDC group mapping as GET/PUT …/security answer it: group name → role granted at every
 * OIDC sign-in. Never `owner` (ownership is granted by hand); at most 100 groups (the api checks again).
 */
import { z } from 'zod/mini';

export const OIDC_GROUP_ROLES = ['admin', 'developer', 'viewer'] as const;
export type OidcGroupRole = (typeof OIDC_GROUP_ROLES)[number];
export const MAX_OIDC_GROUPS = 100;
export const MAX_OIDC_GROUP_NAME = 200;

export const oidcGroupRolesSchema = z.object({ oidcGroupRoles: z.record(z.string(), z.enum(OIDC_GROUP_ROLES)) });
export type OidcGroupRoles = z.output<typeof oidcGroupRolesSchema>['oidcGroupRoles'];
