/** Limits and their usage in words, for the bars and summaries of the API keys list. */
import type { UsageMetric, UsagePeriod } from '../../api/api-key-schemas.ts';
import { formatNumber, formatUsd } from '../../lib/format.ts';

const CURRENT_PERIOD: Record<UsagePeriod, string> = { hourly: 'this hour', daily: 'today', monthly: 'this month', lifetime: 'in total' };
const EACH_PERIOD: Record<UsagePeriod, string> = { hourly: 'an hour', daily: 'a day', monthly: 'a month', lifetime: 'in total' };

export const METRIC_LABELS: Record<UsageMetric, string> = { requests: 'Requests', tokens: 'Tokens', spend_usd: 'Spend (USD)' };
export const PERIOD_LABELS: Record<UsagePeriod, string> = { hourly: 'Hourly', daily: 'Daily', monthly: 'Monthly', lifetime: 'Lifetime' };

const amount = (metric: UsageMetric, value: number): string => (metric === 'spend_usd' ? formatUsd(value) : formatNumber(value));
const unit = (metric: UsageMetric): string => (metric === 'spend_usd' ? 'spent' : metric);

/** "12 of 100 requests today", "$0.50 of $5.00 spent this month". */
export const usedOfLimit = (metric: UsageMetric, period: UsagePeriod, used: number, limit: number): string =>
  `${amount(metric, used)} of ${amount(metric, limit)} ${unit(metric)} ${CURRENT_PERIOD[period]}`;

/** "At most 100 requests a day", for who may not read usage (viewers). */
export const limitSummary = (metric: UsageMetric, period: UsagePeriod, limit: number): string =>
  `At most ${amount(metric, limit)} ${metric === 'spend_usd' ? 'spent' : metric} ${EACH_PERIOD[period]}`;

/** "60 requests and 10,000 tokens a minute"; null without a rate limit. */
export function rateSummary(rate: { requestsPerMinute: number | null; tokensPerMinute: number | null }): string | null {
  const parts = [
    rate.requestsPerMinute === null ? null : `${formatNumber(rate.requestsPerMinute)} requests`,
    rate.tokensPerMinute === null ? null : `${formatNumber(rate.tokensPerMinute)} tokens`,
  ].filter((part) => part !== null);
  return parts.length === 0 ? null : `At most ${parts.join(' and ')} a minute`;
}
