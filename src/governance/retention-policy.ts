/**
 * How long each org's data is kept. Audit events: by plan — Free 30 days, Pro 90, Enterprise
 * configurable from 30 days to 7 years (365 by default). Request logs, their stored bodies and
 * guardrail events: the org's own setting (30 days by default). Zero-retention mode keeps request
 * metadata only: no bodies are stored and the response cache is not used.
 */
import { z } from 'zod';
import type { OrgPlan } from '../db/schema/index.js';

export const MIN_AUDIT_DAYS = 30;
export const MAX_AUDIT_DAYS = 2_555;
/** The instance chain (setup, sign-in failures, migrations) belongs to no plan. */
export const INSTANCE_AUDIT_DAYS = 365;
const PLAN_AUDIT_DAYS: Readonly<Record<Exclude<OrgPlan, 'enterprise'>, number>> = { free: 30, pro: 90 };
const ENTERPRISE_DEFAULT_AUDIT_DAYS = 365;

export const retentionSettingsSchema = z
  .object({
    /** Enterprise only: audit retention in days; null = the plan's default. */
    auditDays: z.number().int().min(MIN_AUDIT_DAYS).max(MAX_AUDIT_DAYS).nullable().default(null),
    /** Request logs, stored bodies and guardrail events. */
    requestLogDays: z.number().int().min(1).max(MAX_AUDIT_DAYS).default(30),
    /** Metadata only: no request or response bodies are stored, the response cache is off. */
    zeroRetention: z.boolean().default(false),
  })
  .strict();
export type RetentionSettings = z.output<typeof retentionSettingsSchema>;
export const DEFAULT_RETENTION: RetentionSettings = { auditDays: null, requestLogDays: 30, zeroRetention: false };

export function auditRetentionDays(plan: OrgPlan, settings: RetentionSettings): number {
  return plan === 'enterprise' ? (settings.auditDays ?? ENTERPRISE_DEFAULT_AUDIT_DAYS) : PLAN_AUDIT_DAYS[plan];
}
