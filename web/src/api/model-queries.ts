/** The model catalog: every model, or (with a project) only what that project may use. */
import { useQuery } from '@tanstack/react-query';
import { request, seg } from './client.ts';
import { modelListSchema } from './model-schemas.ts';
import { queryString } from '../lib/query-string.ts';

export const modelQueryKeys = {
  /** Every catalog view of the org: invalidated when a project's allowed models change. */
  all: (orgId: string) => ['orgs', orgId, 'models'] as const,
  catalog: (orgId: string, projectId: string | undefined) => ['orgs', orgId, 'models', projectId ?? 'all'] as const,
};

export const useModels = (orgId: string, projectId?: string) =>
  useQuery({
    queryKey: modelQueryKeys.catalog(orgId, projectId),
    queryFn: ({ signal }) =>
      request('GET', `/api/orgs/${seg(orgId)}/models${queryString({ projectId })}`, modelListSchema, { signal }).then((r) => r.models),
  });
