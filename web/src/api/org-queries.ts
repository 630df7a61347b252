/** Query hooks for the org's own settings; keys under ['orgs', orgId] so switching org never mixes them. */
import { useQuery } from '@tanstack/react-query';
import { request, seg } from './client.ts';
import { limitsFailOpenSchema, orgSecuritySchema, organizationSchema, retentionSchema } from './org-schemas.ts';

export const orgQueryKeys = {
  organization: (orgId: string) => ['orgs', orgId, 'organization'] as const,
  retention: (orgId: string) => ['orgs', orgId, 'retention'] as const,
  security: (orgId: string) => ['orgs', orgId, 'security'] as const,
  limitsFailOpen: (orgId: string) => ['orgs', orgId, 'limits-fail-open'] as const,
};

export const useOrganization = (orgId: string) =>
  useQuery({
    queryKey: orgQueryKeys.organization(orgId),
    queryFn: ({ signal }) => request('GET', `/api/orgs/${seg(orgId)}`, organizationSchema, { signal }),
  });

export const useRetention = (orgId: string) =>
  useQuery({
    queryKey: orgQueryKeys.retention(orgId),
    queryFn: ({ signal }) => request('GET', `/api/orgs/${seg(orgId)}/retention`, retentionSchema, { signal }),
  });

export const useOrgSecurity = (orgId: string) =>
  useQuery({
    queryKey: orgQueryKeys.security(orgId),
    queryFn: ({ signal }) => request('GET', `/api/orgs/${seg(orgId)}/security`, orgSecuritySchema, { signal }),
  });

export const useLimitsFailOpen = (orgId: string) =>
  useQuery({
    queryKey: orgQueryKeys.limitsFailOpen(orgId),
    queryFn: ({ signal }) => request('GET', `/api/orgs/${seg(orgId)}/limits/fail-open`, limitsFailOpenSchema, { signal }),
  });

/** The org's data export: a plain link, so the browser downloads it with the session cookie (the api audits it). */
export const orgExportUrl = (orgId: string): string => `/api/orgs/${seg(orgId)}/export`;
