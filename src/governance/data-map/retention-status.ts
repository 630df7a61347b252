/**
 * What the records say about time-limited retention, in one place (governance/retention-policy.ts
 * and retention-job.ts do it): the tables' retention entries use these, and the generated
 * document follows.
 */
export const REQUEST_LOG_RETENTION =
  "Removed by the retention job (api process, hourly by default) after the org's `retention.requestLogDays` (30 days by default; 1 to 2,555).";

export const AUDIT_RETENTION =
  "Removed by the retention job after the plan's retention: Free 30 days, Pro 90, Enterprise configurable from 30 days to 7 years (365 by default); the instance chain after 365 days. Each pruning first stores a signed checkpoint, so the rest of the chain still verifies.";
