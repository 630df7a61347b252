/**
 * A project's usage and rate limits as the api stores them (src/tenancy/limits.ts), validated on
 * arrival. The bounds are repeated only to fill the form's choices and hints; the api checks again.
 */
import { z } from 'zod/mini';

export const USAGE_METRICS = ['spend_usd', 'tokens', 'requests'] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];
export const USAGE_PERIODS = ['hourly', 'daily', 'monthly', 'lifetime'] as const;
export type UsagePeriod = (typeof USAGE_PERIODS)[number];
/** At most this many usage limits, one per metric and period. */
export const MAX_USAGE_LIMITS = 20;

export const usageLimitSchema = z.object({
  metric: z.enum(USAGE_METRICS),
  period: z.enum(USAGE_PERIODS),
  limit: z.number(),
  alertThresholds: z.array(z.number()),
});
export type UsageLimit = z.output<typeof usageLimitSchema>;

export const limitsSchema = z.object({
  usage: z.array(usageLimitSchema),
  rate: z.object({ requestsPerMinute: z.nullable(z.number()), tokensPerMinute: z.nullable(z.number()) }),
});
export type Limits = z.output<typeof limitsSchema>;

export const limitsAnswerSchema = z.object({ limits: limitsSchema });
