/** Query hooks for the org's credentials. Only masked views are cached: secrets never pass through here. */
import { useQuery } from '@tanstack/react-query';
import { request, seg } from './client.ts';
import { adminTokenListSchema, providerKeyListSchema } from './credential-schemas.ts';

export const credentialQueryKeys = {
  providerKeys: (orgId: string) => ['orgs', orgId, 'provider-keys'] as const,
  adminTokens: (orgId: string) => ['orgs', orgId, 'admin-tokens'] as const,
};

export const useProviderKeys = (orgId: string) =>
  useQuery({
    queryKey: credentialQueryKeys.providerKeys(orgId),
    queryFn: ({ signal }) =>
      request('GET', `/api/orgs/${seg(orgId)}/provider-keys`, providerKeyListSchema, { signal }).then((r) => r.providerKeys),
  });

export const useAdminTokens = (orgId: string) =>
  useQuery({
    queryKey: credentialQueryKeys.adminTokens(orgId),
    queryFn: ({ signal }) =>
      request('GET', `/api/orgs/${seg(orgId)}/admin-tokens`, adminTokenListSchema, { signal }).then((r) => r.adminTokens),
  });
