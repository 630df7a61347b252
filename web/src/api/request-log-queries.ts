/**
 * The request logs: a page of the list (filters and cursor in its key), one row with whether its
 * bodies are stored, the export's address, and the bodies themselves, fetched by a plain call so they
 * never enter the query cache: they live in the detail dialog's state and leave with it.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { queryString } from '../lib/query-string.ts';
import { request, seg } from './client.ts';
import { oneRequestLogSchema, requestLogBodySchema, requestLogPageSchema, type RequestLogBody } from './request-log-schemas.ts';

/** One page per request, as for the other trails: enough to scan, small enough to render at once. */
export const REQUEST_LOG_PAGE_SIZE = 50;

/** The api's filter parameters, each optional; an empty one is left out (the api refuses it). */
export const REQUEST_LOG_FILTER_NAMES = [
  'projectId',
  'apiKeyId',
  'model',
  'provider',
  'status',
  'errorCode',
  'requestId',
  'from',
  'to',
] as const;
export type RequestLogFilterName = (typeof REQUEST_LOG_FILTER_NAMES)[number];
export type RequestLogFilters = Readonly<Partial<Record<RequestLogFilterName, string>>>;

export const requestLogQueryKeys = {
  page: (orgId: string, filters: RequestLogFilters, cursor: string | undefined) =>
    ['orgs', orgId, 'request-logs', filters, cursor] as const,
  one: (orgId: string, requestLogId: string) => ['orgs', orgId, 'request-logs', 'one', requestLogId] as const,
};

const logsPath = (orgId: string) => `/api/orgs/${seg(orgId)}/request-logs`;

/** The export's address with the same filters as the list: a plain link downloads it with the session cookie. */
export const requestLogExportUrl = (orgId: string, filters: RequestLogFilters): string =>
  `${logsPath(orgId)}/export${queryString({ ...filters, format: 'csv' })}`;

export const useRequestLogs = (orgId: string, filters: RequestLogFilters, cursor: string | undefined) =>
  useQuery({
    queryKey: requestLogQueryKeys.page(orgId, filters, cursor),
    queryFn: ({ signal }) =>
      request(
        'GET',
        `${logsPath(orgId)}${queryString({ ...filters, limit: String(REQUEST_LOG_PAGE_SIZE), before: cursor })}`,
        requestLogPageSchema,
        { signal },
      ),
    placeholderData: keepPreviousData,
  });

export const useRequestLog = (orgId: string, requestLogId: string) =>
  useQuery({
    queryKey: requestLogQueryKeys.one(orgId, requestLogId),
    queryFn: ({ signal }) =>
      request('GET', `${logsPath(orgId)}/${seg(requestLogId)}`, oneRequestLogSchema, { signal }).then((r) => r.requestLog),
  });

/**
 * The decrypted bodies. Deliberately not a query: every call is a read the api audits, and what it
 * returns may hold personal data, so it is asked for on a click and kept only by the caller.
 */
export const fetchRequestLogBody = (orgId: string, requestLogId: string): Promise<RequestLogBody> =>
  request('GET', `${logsPath(orgId)}/${seg(requestLogId)}/body`, requestLogBodySchema);
