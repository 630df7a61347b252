/** This month's requests, tokens and cost for the whole org, and how close each org-wide limit is. */
import type { Usage } from '../../api/schemas.ts';
import { formatDate, formatNumber, formatUsd } from '../../lib/format.ts';

const METRIC_LABELS: Record<string, string> = { requests: 'Requests', tokens: 'Tokens', spend_usd: 'Spend (USD)' };

/** "This month (since …, UTC calendar month)": the window every number below it counts. */
export const monthLabel = (usage: Usage): string =>
  `This month${usage.periodStart ? ` (since ${formatDate(usage.periodStart)}, UTC calendar month)` : ''}`;

export function UsageStats({ usage }: { usage: Usage }) {
  return (
    <dl className="stats">
      <div className="stat">
        <dt>Requests</dt>
        <dd data-stat="requests">{formatNumber(usage.usage.requests)}</dd>
      </div>
      <div className="stat">
        <dt>Tokens</dt>
        <dd data-stat="tokens">{formatNumber(usage.usage.tokens)}</dd>
      </div>
      <div className="stat">
        <dt>Cost</dt>
        <dd data-stat="cost">{formatUsd(usage.usage.costUsd)}</dd>
      </div>
    </dl>
  );
}

/** Each limit as a bar of how much of it is used; `none` when there is no limit. */
export function LimitBars({ limits, none }: { limits: Usage['limits']; none: string }) {
  if (limits.length === 0) return <p>{none}</p>;
  return (
    <ul className="limits">
      {limits.map((limit) => {
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
  );
}

export function MonthToDate({ usage }: { usage: Usage }) {
  return (
    <>
      <p className="muted">{monthLabel(usage)}, across every project.</p>
      <UsageStats usage={usage} />
      <h2>Limits</h2>
      <LimitBars limits={usage.limits} none="No organization-wide limit is set." />
    </>
  );
}
