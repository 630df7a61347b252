/**
 * What an API key carries besides its identity (restrictions and limits), and its usage against those
 * limits, as the api returns them (src/credentials/api-key-view.ts, src/api/routes/usage.ts).
 */
import { z } from 'zod/mini';

// One definition of a limit for keys and projects (the api stores both alike).
import { limitsSchema as keyLimitsSchema, USAGE_METRICS, USAGE_PERIODS } from './limits-schemas.ts';

export { keyLimitsSchema, USAGE_METRICS, USAGE_PERIODS };
export { usageLimitSchema, type Limits as KeyLimits, type UsageLimit, type UsageMetric, type UsagePeriod } from './limits-schemas.ts';

/** Spread into the key schema of web/src/api/schemas.ts: the list needs the limits to draw usage bars. */
export const apiKeyRestrictionsShape = {
  allowedModels: z.nullable(z.array(z.string())),
  ipAllowlist: z.nullable(z.array(z.string())),
  limits: keyLimitsSchema,
};

/** GET /api/orgs/:orgId/usage?scope=api_key: each limit of the key with what its current period used. */
export const keyUsageSchema = z.object({
  limits: z.array(
    z.object({
      metric: z.enum(USAGE_METRICS),
      period: z.enum(USAGE_PERIODS),
      limit: z.number(),
      used: z.number(),
    }),
  ),
});
export type KeyUsage = z.output<typeof keyUsageSchema>;
