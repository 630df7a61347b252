/** Query hook for usage over time; the window and filters are part of the key. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { request, seg } from './client.ts';
import { usageTimeseriesSchema, type UsageBucket } from './usage-schemas.ts';
import { queryString } from '../lib/query-string.ts';

export type UsageTimeseriesParams = Readonly<{
  from: string;
  to: string;
  bucket: UsageBucket;
  projectId?: string;
  apiKeyId?: string;
  model?: string;
}>;

export const usageQueryKeys = {
  timeseries: (orgId: string, params: UsageTimeseriesParams) => ['orgs', orgId, 'usage', 'timeseries', params] as const,
};

export const useUsageTimeseries = (orgId: string, params: UsageTimeseriesParams) =>
  useQuery({
    queryKey: usageQueryKeys.timeseries(orgId, params),
    queryFn: ({ signal }) =>
      request('GET', `/api/orgs/${seg(orgId)}/usage/timeseries${queryString({ ...params })}`, usageTimeseriesSchema, { signal }),
    // The charts keep showing the previous range while the next one loads, rather than flashing empty.
    placeholderData: keepPreviousData,
  });
