/**
 * Names for the API key ids a page of a trail mentions (guardrail events, request logs): rows carry
 * ids only, so the keys of each project on the page are read (the same cached lists the API keys
 * page uses).
 */
import { useQueries } from '@tanstack/react-query';
import { request, seg } from './client.ts';
import { queryKeys } from './queries.ts';
import { apiKeyListSchema } from './schemas.ts';

export function useApiKeyNames(orgId: string, projectIds: readonly string[]): ReadonlyMap<string, string> {
  const lists = useQueries({
    queries: projectIds.map((projectId) => ({
      queryKey: queryKeys.apiKeys(orgId, projectId),
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        request('GET', `/api/orgs/${seg(orgId)}/projects/${seg(projectId)}/api-keys`, apiKeyListSchema, { signal }).then((r) => r.apiKeys),
    })),
  });
  const names = new Map<string, string>();
  for (const list of lists) for (const key of list.data ?? []) names.set(key.id, key.name);
  return names;
}
