/**
 * Usage over time as the api returns it (GET …/usage/timeseries), validated on arrival: one point
 * per UTC bucket, the window's totals, and the models seen in it (for the model filter).
 */
import { z } from 'zod/mini';

export const USAGE_BUCKETS = ['hour', 'day'] as const;
export type UsageBucket = (typeof USAGE_BUCKETS)[number];

const pointShape = {
  requests: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  errors: z.number(),
  latencyP50Ms: z.nullable(z.number()),
  latencyP95Ms: z.nullable(z.number()),
  cacheHits: z.number(),
  cacheableRequests: z.number(),
  guardrailBlocks: z.number(),
};

export const usagePointSchema = z.object(pointShape);
export type UsagePoint = z.output<typeof usagePointSchema>;

export const usageBucketSchema = z.object({ start: z.string(), ...pointShape });
export type UsageBucketPoint = z.output<typeof usageBucketSchema>;

export const usageTimeseriesSchema = z.object({
  bucket: z.enum(USAGE_BUCKETS),
  from: z.string(),
  to: z.string(),
  buckets: z.array(usageBucketSchema),
  totals: usagePointSchema,
  models: z.array(z.string()),
});
export type UsageTimeseries = z.output<typeof usageTimeseriesSchema>;
