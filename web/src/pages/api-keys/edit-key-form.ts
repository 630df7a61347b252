/**
 * The edit dialog's fields to and from what the api stores. Only shape is checked here (a number is
 * a number); the api validates CIDRs, model names and ranges and its refusals are shown as they come.
 */
import { USAGE_METRICS, USAGE_PERIODS, type KeyLimits, type UsageMetric, type UsagePeriod } from '../../api/api-key-schemas.ts';
import type { LimitsInput } from '../../api/api-key-queries.ts';

/** One usage limit row of the form; `alertThresholds` rides along unchanged for an existing limit. */
export type LimitDraft = { id: number; metric: UsageMetric; period: UsagePeriod; limit: string; alertThresholds?: number[] };

/** One entry a line, blanks ignored; null (no restriction) when nothing is left. */
export function linesOf(text: string): string[] | null {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines.length === 0 ? null : lines;
}

export const draftsOf = (limits: KeyLimits): LimitDraft[] =>
  limits.usage.map((limit, index) => ({
    id: index,
    metric: limit.metric,
    period: limit.period,
    limit: String(limit.limit),
    alertThresholds: limit.alertThresholds,
  }));

/** A new row: the first metric and period not taken yet (the api allows one limit per pair). */
export function nextDraft(drafts: readonly LimitDraft[], id: number): LimitDraft {
  const taken = new Set(drafts.map((d) => `${d.metric}/${d.period}`));
  for (const metric of USAGE_METRICS)
    for (const period of USAGE_PERIODS) if (!taken.has(`${metric}/${period}`)) return { id, metric, period, limit: '' };
  return { id, metric: 'requests', period: 'daily', limit: '' };
}

/** A per-minute field: '' is no limit; otherwise a whole number above zero. */
function perMinute(text: string, what: string): number | null | Error {
  if (text.trim() === '') return null;
  const value = Number(text);
  return Number.isInteger(value) && value > 0
    ? value
    : new Error(`${what} a minute must be a whole number above zero, or empty for no limit.`);
}

export function limitsOf(drafts: readonly LimitDraft[], requestsPerMinute: string, tokensPerMinute: string): LimitsInput | Error {
  const usage = [];
  for (const draft of drafts) {
    const limit = Number(draft.limit);
    if (draft.limit.trim() === '' || !Number.isFinite(limit) || limit <= 0)
      return new Error('Each usage limit needs an amount above zero (remove the ones you do not want).');
    usage.push({
      metric: draft.metric,
      period: draft.period,
      limit,
      ...(draft.alertThresholds === undefined ? {} : { alertThresholds: draft.alertThresholds }),
    });
  }
  const rpm = perMinute(requestsPerMinute, 'Requests');
  if (rpm instanceof Error) return rpm;
  const tpm = perMinute(tokensPerMinute, 'Tokens');
  if (tpm instanceof Error) return tpm;
  return { usage, rate: { requestsPerMinute: rpm, tokensPerMinute: tpm } };
}

/** An expiry instant as the date field shows it (YYYY-MM-DD in the user's time zone); '' for none. */
export function expiryDate(expiresAt: string | null): string {
  if (expiresAt === null) return '';
  const date = new Date(expiresAt);
  if (Number.isNaN(date.getTime())) return '';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
}
