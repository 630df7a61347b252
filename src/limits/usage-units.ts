/**
 * Usage limits are configured in display units (USD with up to 6 decimals, token and request
 * counts) but counted in whole units (micro-USD, tokens, requests) so that every comparison is
 * exact integer arithmetic, in memory and in Redis alike.
 */
import type { UsageMetric } from '../tenancy/limits.js';

const MICRO_PER_USD = 1_000_000;

/** The limit as a whole number of counter units, clamped to what counters can hold exactly. */
export function limitToUnits(metric: UsageMetric, limit: number): number {
  if (!Number.isFinite(limit) || limit < 0) throw new RangeError(`usage limit must be a non-negative number, got ${String(limit)}`);
  // A count limit of 10.5 admits 10; a USD limit carries at most 6 decimals (schema), so rounding is exact.
  const units = metric === 'spend_usd' ? Math.round(limit * MICRO_PER_USD) : Math.floor(limit);
  // The schema allows up to 1e12 USD = 1e18 micro-USD, beyond 2^53: such a limit is unreachable anyway.
  return Math.min(units, Number.MAX_SAFE_INTEGER);
}

/** Counter units back to the unit limits are configured in (USD for spend). */
export function unitsToDisplay(metric: UsageMetric, units: number): number {
  return metric === 'spend_usd' ? units / MICRO_PER_USD : units;
}

/** "12.5 USD", "1000 tokens", "1 request". */
export function describeAmount(metric: UsageMetric, units: number): string {
  if (metric === 'spend_usd') return `${formatUsd(units)} USD`;
  const noun = metric === 'tokens' ? 'token' : 'request';
  return `${units} ${noun}${units === 1 ? '' : 's'}`;
}

// Exact decimal rendering of micro-USD: no float artefacts such as 0.30000000000000004.
function formatUsd(micro: number): string {
  const whole = Math.floor(micro / MICRO_PER_USD);
  const fraction = String(micro % MICRO_PER_USD)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${whole}.${fraction}`;
}
