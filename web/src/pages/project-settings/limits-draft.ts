/**
 * The limits form's working copy: numbers are kept as typed (strings) so a half-typed value is not lost,
 * and turned back into the api's shape on save. Only emptiness and non-numbers are refused here; ranges
 * (a limit above zero, thresholds 1–100) are left to the api, whose refusal names the field.
 */
import type { Limits, UsageMetric, UsagePeriod } from '../../api/limits-schemas.ts';

export type UsageLimitDraft = { key: number; metric: UsageMetric; period: UsagePeriod; limit: string; alertThresholds: string };
export type LimitsDraft = { usage: UsageLimitDraft[]; requestsPerMinute: string; tokensPerMinute: string };

export const DEFAULT_ALERT_THRESHOLDS = '50, 80, 100';

export const toLimitsDraft = (limits: Limits): LimitsDraft => ({
  usage: limits.usage.map((limit, key) => ({
    key,
    metric: limit.metric,
    period: limit.period,
    limit: String(limit.limit),
    alertThresholds: limit.alertThresholds.join(', '),
  })),
  requestsPerMinute: limits.rate.requestsPerMinute === null ? '' : String(limits.rate.requestsPerMinute),
  tokensPerMinute: limits.rate.tokensPerMinute === null ? '' : String(limits.rate.tokensPerMinute),
});

const asNumber = (text: string): number | null => {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
};

/** Empty means "no rate limit" (null); anything else must be a number. */
function optionalNumber(text: string, what: string): number | null | Error {
  if (text.trim() === '') return null;
  return asNumber(text) ?? new Error(`${what} must be a number, or empty for no limit.`);
}

export function toLimits(draft: LimitsDraft): Limits | Error {
  const usage: Limits['usage'] = [];
  for (const row of draft.usage) {
    const name = `the ${row.period} ${row.metric} limit`;
    const limit = asNumber(row.limit);
    if (limit === null) return new Error(`Enter a number for ${name}.`);
    const parts = row.alertThresholds.split(',').map((part) => part.trim());
    const thresholds = parts.filter((part) => part !== '').map(Number);
    if (thresholds.some((value) => !Number.isFinite(value)))
      return new Error(`The alert thresholds of ${name} must be percentages separated by commas.`);
    usage.push({ metric: row.metric, period: row.period, limit, alertThresholds: thresholds });
  }
  const requestsPerMinute = optionalNumber(draft.requestsPerMinute, 'Requests per minute');
  if (requestsPerMinute instanceof Error) return requestsPerMinute;
  const tokensPerMinute = optionalNumber(draft.tokensPerMinute, 'Tokens per minute');
  if (tokensPerMinute instanceof Error) return tokensPerMinute;
  return { usage, rate: { requestsPerMinute, tokensPerMinute } };
}
