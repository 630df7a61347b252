/** How one request log's numbers read in the table and the detail: units said, absent values a dash. */
import type { RequestLog } from '../../api/request-log-schemas.ts';
import { formatNumber, formatUsd } from '../../lib/format.ts';

export const DASH = '—';

// A no-break space: "18 ms" never splits across lines in a narrow column.
export const formatMs = (value: number | null): string => (value === null ? DASH : `${formatNumber(value)}\u00a0ms`);

export const formatCount = (value: number | null): string => (value === null ? DASH : formatNumber(value));

/** One request costs fractions of a cent: below a dollar, three significant digits ($0.0000165), not "$0.00". */
export function formatCost(value: number | null): string {
  if (value === null) return DASH;
  if (value === 0 || value >= 1) return formatUsd(value);
  return value.toLocaleString(undefined, { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 });
}

/** "11 in / 7 out" (a dash for a side the provider did not report). */
export const formatTokens = (log: Pick<RequestLog, 'inputTokens' | 'outputTokens'>): string =>
  log.inputTokens === null && log.outputTokens === null
    ? DASH
    : `${formatCount(log.inputTokens)} in / ${formatCount(log.outputTokens)} out`;

/** 2xx ok, 4xx the client's, 5xx the gateway's or the provider's: the badge's colour class. */
export const statusClass = (status: number): string =>
  status < 400 ? 'request-status-ok' : status < 500 ? 'request-status-client' : 'request-status-server';

/**
 * A body as stored is the JSON the client sent or the provider answered: shown indented when it
 * parses, as stored otherwise (an event stream, a cut-off answer).
 */
export function formatBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body) as unknown, null, 2);
  } catch {
    return body;
  }
}
