/**
 * A key's limits in its row: one bar per usage limit (used / limit in the current period) and its
 * rate limit in words. Usage is asked for only for keys with usage limits, only for the rows shown,
 * and only when the role may read usage (developer and up); others see the limits without usage.
 */
import { useKeyUsage } from '../../api/api-key-queries.ts';
import type { ApiKey } from '../../api/schemas.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { limitSummary, rateSummary, usedOfLimit } from './key-limit-labels.ts';

type Props = { orgId: string; apiKey: ApiKey; mayReadUsage: boolean };

export function KeyLimitsCell({ orgId, apiKey, mayReadUsage }: Props) {
  const { usage, rate } = apiKey.limits;
  const usageQuery = useKeyUsage(orgId, apiKey.id, mayReadUsage && usage.length > 0);
  const rateText = rateSummary(rate);
  if (usage.length === 0 && rateText === null) return <span className="muted">None</span>;
  return (
    <div className="key-limits-cell">
      {usageQuery.error ? <ErrorMessage error={usageQuery.error} /> : null}
      {mayReadUsage && usageQuery.data
        ? usageQuery.data.limits.map((limit) => {
            const id = `key-usage-${apiKey.id}-${limit.metric}-${limit.period}`;
            return (
              <div key={id} className="key-usage">
                <label htmlFor={id}>{usedOfLimit(limit.metric, limit.period, limit.used, limit.limit)}</label>
                {/* A meter, not a progress bar: it is a measure against a maximum, and turns to "high" near the limit. */}
                <meter id={id} min={0} max={limit.limit} value={Math.min(limit.used, limit.limit)} high={limit.limit * 0.8} optimum={0} />
              </div>
            );
          })
        : usage.map((limit) => (
            <span key={`${limit.metric}-${limit.period}`} className="cell-hint">
              {limitSummary(limit.metric, limit.period, limit.limit)}
            </span>
          ))}
      {rateText === null ? null : <span className="cell-hint">{rateText}</span>}
    </div>
  );
}
