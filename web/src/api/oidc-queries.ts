/**
 * Reads and writes the OIDC group mapping of PUT …/security. Cached under its own key: the sign-in
 * security section caches the same route's other field, and each writes only its own field.
 */
import { useQuery } from '@tanstack/react-query';
import { request, seg } from './client.ts';
import { oidcGroupRolesSchema, type OidcGroupRoles } from './oidc-schemas.ts';

export const oidcQueryKeys = { groupRoles: (orgId: string) => ['orgs', orgId, 'security', 'oidc-group-roles'] as const };

const securityPath = (orgId: string) => `/api/orgs/${seg(orgId)}/security`;

export const useOidcGroupRoles = (orgId: string) =>
  useQuery({
    queryKey: oidcQueryKeys.groupRoles(orgId),
    queryFn: ({ signal }) => request('GET', securityPath(orgId), oidcGroupRolesSchema, { signal }).then((r) => r.oidcGroupRoles),
  });

/** Replaces the whole mapping; `requireStrongAuthForAdmins` is left out so it stays as it is. */
export const saveOidcGroupRoles = (orgId: string, mapping: OidcGroupRoles): Promise<OidcGroupRoles> =>
  request('PUT', securityPath(orgId), oidcGroupRolesSchema, { body: { oidcGroupRoles: mapping } }).then((r) => r.oidcGroupRoles);
