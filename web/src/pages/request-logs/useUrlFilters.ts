/**
 * The request logs' filters live in the address (`?projectId=…&status=4xx`), so a link (from the
 * playground's `?requestId=`, a colleague, a bookmark) reopens the same view, and Back returns to
 * the previous one. Only the api's filter names are read; their values are the api's to judge.
 */
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { REQUEST_LOG_FILTER_NAMES, type RequestLogFilterName, type RequestLogFilters } from '../../api/request-log-queries.ts';

function pickFilters(params: URLSearchParams | RequestLogFilters): Partial<Record<RequestLogFilterName, string>> {
  const picked: Partial<Record<RequestLogFilterName, string>> = {};
  for (const name of REQUEST_LOG_FILTER_NAMES) {
    const value = params instanceof URLSearchParams ? params.get(name) : params[name];
    if (value !== null && value !== undefined && value !== '') picked[name] = value;
  }
  return picked;
}

export function useUrlFilters(): { filters: RequestLogFilters; filterKey: string; apply: (filters: RequestLogFilters) => void } {
  const [searchParams, setSearchParams] = useSearchParams();
  const filterKey = JSON.stringify(pickFilters(searchParams));
  // Parsed back from the key: the object (part of a query key) changes only when a filter does.
  const filters = useMemo(() => JSON.parse(filterKey) as RequestLogFilters, [filterKey]);
  const apply = (next: RequestLogFilters) => setSearchParams(new URLSearchParams(pickFilters(next)));
  return { filters, filterKey, apply };
}
