/** The org at a glance: this month's requests, tokens and cost, and how close each limit is. */
import { useParams } from 'react-router';
import { useMe, useUsage } from '../api/queries.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { formatDate, formatNumber, formatUsd } from '../lib/format.ts';

const METRIC_LABELS: Record<string, string> = { requests: 'Requests', tokens: 'Tokens', spend_usd: 'Spend (USD)' };

export function OverviewPage() {
  const { orgId = '' } = useParams();
  const org = useMe().data?.memberships.find((m) => m.orgId === orgId);
  const usage = useUsage(orgId);

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{org?.orgName ?? 'Overview'}</h1>
      <ErrorMessage error={usage.error} />
      {usage.isPending ? <Loading what="usage" /> : null}
      {usage.isSuccess ? (
        <>
          <p className="muted">
            This month
            {usage.data.periodStart ? ` (since ${formatDate(usage.data.periodStart)}, UTC calendar month)` : ''}, across every project.
          </p>
          <dl className="stats">
            <div className="stat">
              <dt>Requests</dt>
              <dd data-stat="requests">{formatNumber(usage.data.usage.requests)}</dd>
            </div>
            <div className="stat">
              <dt>Tokens</dt>
              <dd data-stat="tokens">{formatNumber(usage.data.usage.tokens)}</dd>
            </div>
            <div className="stat">
              <dt>Cost</dt>
              <dd data-stat="cost">{formatUsd(usage.data.usage.costUsd)}</dd>
            </div>
          </dl>
          <h2>Limits</h2>
          {usage.data.limits.length === 0 ? (
            <p>No organization-wide limit is set.</p>
          ) : (
            <ul className="limits">
              {usage.data.limits.map((limit) => {
                const share = limit.limit > 0 ? Math.min(1, limit.used / limit.limit) : 1;
                const label = `${METRIC_LABELS[limit.metric] ?? limit.metric}, ${limit.period}`;
                return (
                  <li key={`${limit.metric}-${limit.period}`}>
                    <span>{label}</span>
                    <progress max={1} value={share} aria-label={label} />
                    <span>
                      {formatNumber(limit.used)} of {formatNumber(limit.limit)}
                    </span>
                  </li>
                );
              })}
            </ul>
          )}
        </>
      ) : null}
    </section>
  );
}
