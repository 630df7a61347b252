/** Usage of one API key against its limits, and the requests that change or delete a key. */
import { useQuery } from '@tanstack/react-query';
import { request, requestVoid, seg } from './client.ts';
import { keyUsageSchema, type UsageMetric, type UsagePeriod } from './api-key-schemas.ts';
import { oneApiKeySchema } from './schemas.ts';

export const apiKeyQueryKeys = {
  usage: (orgId: string, keyId: string) => ['orgs', orgId, 'usage', 'api_key', keyId] as const,
};

/**
 * The key's limits with what is used of each. One request covers every limit (the api reports each in
 * its own period, whatever `period` asks for); `enabled` is false for a key without limits or a
 * role that may not read usage, so nothing is asked for in vain.
 */
export const useKeyUsage = (orgId: string, keyId: string, enabled: boolean) =>
  useQuery({
    queryKey: apiKeyQueryKeys.usage(orgId, keyId),
    queryFn: ({ signal }) =>
      request('GET', `/api/orgs/${seg(orgId)}/usage?scope=api_key&id=${seg(keyId)}&period=daily`, keyUsageSchema, { signal }),
    enabled,
  });

/** Limits as a PATCH takes them: a new limit leaves out its alert thresholds (the api's default applies). */
export type LimitsInput = {
  usage: Array<{ metric: UsageMetric; period: UsagePeriod; limit: number; alertThresholds?: number[] }>;
  rate: { requestsPerMinute: number | null; tokensPerMinute: number | null };
};

/** What the edit dialog sends: every field, as a PATCH replaces the limits as a whole anyway. */
export type ApiKeyChanges = {
  name: string;
  /** Left out when unchanged: resending an expiry that is close may be refused as no longer in the future. */
  expiresAt?: string | null;
  allowedModels: string[] | null;
  ipAllowlist: string[] | null;
  limits: LimitsInput;
};

export const updateApiKey = (orgId: string, keyId: string, changes: ApiKeyChanges) =>
  request('PATCH', `/api/orgs/${seg(orgId)}/api-keys/${seg(keyId)}`, oneApiKeySchema, { body: changes });

export const deleteApiKey = (orgId: string, keyId: string) => requestVoid('DELETE', `/api/orgs/${seg(orgId)}/api-keys/${seg(keyId)}`);
