/**
 * Usage over a chosen range: the range and filters, the range's totals, and one chart per metric
 * (GET …/usage/timeseries). A member limited to some projects sees only theirs (the api decides).
 */
import { useMemo, useState } from 'react';
import { useProjects } from '../../api/queries.ts';
import { useUsageTimeseries } from '../../api/usage-queries.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { RangeSummary } from './RangeSummary.tsx';
import { rangeBucket, rangeWindow, useCurrentBucket, USAGE_RANGES } from './ranges.ts';
import { UsageCharts } from './UsageCharts.tsx';
import { UsageFilters, type UsageFilterValues } from './UsageFilters.tsx';

const NO_FILTERS: UsageFilterValues = { range: '24h', projectId: '', apiKeyId: '', model: '' };

const orUndefined = (value: string): string | undefined => (value === '' ? undefined : value);

export function UsageOverTime({ orgId }: { orgId: string }) {
  const [filters, setFilters] = useState<UsageFilterValues>(NO_FILTERS);
  // The window stays the same within a bucket (a stable query key) and moves on when the next begins.
  const current = useCurrentBucket(rangeBucket(filters.range));
  const timeWindow = useMemo(() => rangeWindow(filters.range, Date.now()), [filters.range, current]);
  const params = {
    ...timeWindow,
    projectId: orUndefined(filters.projectId),
    apiKeyId: orUndefined(filters.apiKeyId),
    model: orUndefined(filters.model),
  };
  const series = useUsageTimeseries(orgId, params);
  const projects = useProjects(orgId);
  const rangeLabel = USAGE_RANGES.find((range) => range.id === filters.range)?.label ?? '';

  return (
    <section aria-labelledby="usage-over-time-title" className="usage-over-time">
      <h2 id="usage-over-time-title">Over time</h2>
      <p className="muted">
        {rangeLabel}, by {timeWindow.bucket} in UTC, from the request logs (written a few seconds behind). Errors are requests answered with
        a status of 400 or more, or that carry an error code (a stream cut after its start).
      </p>
      <UsageFilters
        orgId={orgId}
        values={filters}
        projects={projects.data ?? []}
        models={series.data?.models ?? []}
        onChange={setFilters}
      />
      <ErrorMessage error={projects.error} />
      <ErrorMessage error={series.error} />
      {series.isPending ? <Loading what="usage over time" /> : null}
      {series.isSuccess ? (
        <div aria-busy={series.isPlaceholderData}>
          <RangeSummary totals={series.data.totals} label={rangeLabel} />
          <UsageCharts series={series.data} />
        </div>
      ) : null}
    </section>
  );
}
