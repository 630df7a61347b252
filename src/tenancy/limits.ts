/**
 * Usage and rate limits, as stored on an API key (`api_keys.limits`), a project
 * (`settings.limits`) or an org (`settings.limits`). A request is checked against every level
 * that applies: key, project and org.
 */
import { z } from 'zod';

export const USAGE_METRICS = ['spend_usd', 'tokens', 'requests'] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];
export const USAGE_PERIODS = ['hourly', 'daily', 'monthly', 'lifetime'] as const;
export type UsagePeriod = (typeof USAGE_PERIODS)[number];

export const usageLimitSchema = z
  .object({
    metric: z.enum(USAGE_METRICS),
    period: z.enum(USAGE_PERIODS),
    /** USD for spend_usd (up to 6 decimals), a count otherwise. */
    limit: z.number().positive().max(1e12),
    /** Percentages of the limit at which a budget alert goes out (webhook + audit), once per period. */
    alertThresholds: z.array(z.number().int().min(1).max(100)).max(10).default([50, 80, 100]),
  })
  .strict();
export type UsageLimit = z.output<typeof usageLimitSchema>;

export const rateLimitSchema = z
  .object({
    requestsPerMinute: z.number().int().min(1).max(1_000_000).nullable().default(null),
    tokensPerMinute: z.number().int().min(1).max(1_000_000_000).nullable().default(null),
  })
  .strict();
export type RateLimit = z.output<typeof rateLimitSchema>;

export const limitsSchema = z
  .object({
    usage: z
      .array(usageLimitSchema)
      .max(20)
      .default([])
      .refine((limits) => new Set(limits.map((l) => `${l.metric}/${l.period}`)).size === limits.length, 'one limit per metric and period'),
    rate: rateLimitSchema.default({ requestsPerMinute: null, tokensPerMinute: null }),
  })
  .strict();
export type Limits = z.output<typeof limitsSchema>;

/**
 * An org's limits add a concurrency cap: requests of the org in progress at once, across every
 * gateway replica (gateway/overload/org-concurrency.ts); more get 429 `concurrency_limit_exceeded`.
 * Org-level only: it protects the deployment's capacity from one tenant, which is an org concern.
 */
export const orgLimitsSchema = limitsSchema.extend({
  maxConcurrentRequests: z.number().int().min(1).max(1_000_000).nullable().default(null).meta({
    description: 'Requests of the org in progress at once across all gateway replicas (streams until they end); null = unlimited.',
  }),
});
export type OrgLimits = z.output<typeof orgLimitsSchema>;

export const NO_LIMITS: Limits = { usage: [], rate: { requestsPerMinute: null, tokensPerMinute: null } };

export function parseLimits(value: unknown): Limits {
  const parsed = limitsSchema.safeParse(value ?? {});
  // Fail closed like the other stored settings: a hand-edited row must not lift every limit.
  if (!parsed.success) throw new Error(`stored limits are invalid (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')})`);
  return parsed.data;
}
