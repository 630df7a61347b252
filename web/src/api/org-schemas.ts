/**
 * The shapes of the org's own settings as the api shows them (the org, retention, sign-in security,
 * scheduled deletion), validated on arrival.
 */
import { z } from 'zod/mini';

const timestamp = z.string();

export const ORG_PLANS = ['free', 'pro', 'enterprise'] as const;

export const organizationSchema = z.object({
  id: z.string(),
  name: z.string(),
  plan: z.enum(ORG_PLANS),
  createdAt: timestamp,
  /** When a scheduled deletion takes effect; null when none is scheduled. */
  deletionScheduledFor: z.nullable(timestamp),
  yourRole: z.string(),
});
export type Organization = z.output<typeof organizationSchema>;

export const retentionSchema = z.object({
  plan: z.string(),
  /** Days audit events are kept, as applied (the plan's, or an Enterprise org's own). */
  auditDays: z.number(),
  /** An Enterprise org's own audit days; null: the plan default. */
  auditDaysSetting: z.nullable(z.number()),
  requestLogDays: z.number(),
  zeroRetention: z.boolean(),
});
export type Retention = z.output<typeof retentionSchema>;

export const orgSecuritySchema = z.object({ requireStrongAuthForAdmins: z.boolean() });
export const limitsFailOpenSchema = z.object({ limitsFailOpen: z.boolean() });

export const scheduledDeletionSchema = z.object({ deletionScheduledFor: timestamp, graceDays: z.number() });
export const cancelledDeletionSchema = z.object({ cancelledDeletionScheduledFor: timestamp });

/** The bounds the retention api accepts (src/governance/retention-policy.ts); the api checks again. */
export const RETENTION_BOUNDS = { minAuditDays: 30, maxDays: 2555 } as const;
