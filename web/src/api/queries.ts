/** TanStack Query hooks for what the pages read; keys are arrays so one org's data is invalidated together. */
import { useQuery } from '@tanstack/react-query';
import { request, seg } from './client.ts';
import {
  apiKeyListSchema,
  meSchema,
  memberListSchema,
  projectListSchema,
  providersSchema,
  signUpStatusSchema,
  usageSchema,
} from './schemas.ts';

export const queryKeys = {
  me: ['me'] as const,
  projects: (orgId: string) => ['orgs', orgId, 'projects'] as const,
  apiKeys: (orgId: string, projectId: string) => ['orgs', orgId, 'projects', projectId, 'api-keys'] as const,
  usage: (orgId: string) => ['orgs', orgId, 'usage'] as const,
  members: (orgId: string) => ['orgs', orgId, 'members'] as const,
  providers: ['auth', 'providers'] as const,
  signUpStatus: ['auth', 'sign-up'] as const,
};

export const useMe = () => useQuery({ queryKey: queryKeys.me, queryFn: ({ signal }) => request('GET', '/api/me', meSchema, { signal }) });

export const useProjects = (orgId: string) =>
  useQuery({
    queryKey: queryKeys.projects(orgId),
    queryFn: ({ signal }) => request('GET', `/api/orgs/${seg(orgId)}/projects`, projectListSchema, { signal }).then((r) => r.projects),
  });

export const useApiKeys = (orgId: string, projectId: string) =>
  useQuery({
    queryKey: queryKeys.apiKeys(orgId, projectId),
    queryFn: ({ signal }) =>
      request('GET', `/api/orgs/${seg(orgId)}/projects/${seg(projectId)}/api-keys`, apiKeyListSchema, { signal }).then((r) => r.apiKeys),
  });

export const useUsage = (orgId: string) =>
  useQuery({
    queryKey: queryKeys.usage(orgId),
    queryFn: ({ signal }) => request('GET', `/api/orgs/${seg(orgId)}/usage?scope=org&period=monthly`, usageSchema, { signal }),
  });

/** One project's usage this month: what a member limited to some projects is shown instead of the org's (refused to them). */
export const useProjectUsage = (orgId: string, projectId: string) =>
  useQuery({
    queryKey: [...queryKeys.usage(orgId), 'project', projectId],
    queryFn: ({ signal }) =>
      request('GET', `/api/orgs/${seg(orgId)}/usage?scope=project&id=${seg(projectId)}&period=monthly`, usageSchema, { signal }),
  });

export const useMembers = (orgId: string) =>
  useQuery({
    queryKey: queryKeys.members(orgId),
    queryFn: ({ signal }) => request('GET', `/api/orgs/${seg(orgId)}/members`, memberListSchema, { signal }).then((r) => r.members),
  });

export const useSignInProviders = () =>
  useQuery({
    queryKey: queryKeys.providers,
    queryFn: ({ signal }) => request('GET', '/api/auth/providers', providersSchema, { signal }).then((r) => r.providers),
    staleTime: Infinity,
  });

/** Whether the instance takes self-service sign-ups (its sign-up mode is open). */
export const useSignUpOpen = () =>
  useQuery({
    queryKey: queryKeys.signUpStatus,
    queryFn: ({ signal }) => request('GET', '/api/auth/sign-up', signUpStatusSchema, { signal }).then((r) => r.open),
  });
