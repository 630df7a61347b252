/**
 * OpenAI's `x-ratelimit-reset-*` value: a Go duration string ("12ms", "1s", "1.5s", "6m0s",
 * "1h2m3.004s"), which is what OpenAI clients and dashboards already parse. Millisecond
 * resolution, as our windows have.
 */
export function formatResetDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(Number.isFinite(ms) ? ms : 0));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const millis = total % 60_000;
  const seconds = `${Math.floor(millis / 1000)}${fraction(millis % 1000)}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

function fraction(ms: number): string {
  if (ms === 0) return '';
  return `.${String(ms).padStart(3, '0').replace(/0+$/, '')}`;
}
