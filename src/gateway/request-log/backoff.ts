/**
 * Delay before retry number `attempt` (1 = first retry): doubles from baseMs up to maxMs, then
 * scaled into [50 %, 100 %] of that. The jitter keeps a fleet of gateway replicas that lost the
 * same database from reconnecting in lockstep when it comes back.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  // Capping the exponent first keeps 2 ** n finite however long the outage lasts.
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const capped = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(capped * (0.5 + random() / 2));
}
