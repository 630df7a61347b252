/**
 * An org's security-alert rules and destinations, stored in the org settings JSON
 * (`securityAlerts`). Every field has a default so orgs saved before alerts existed still parse:
 * all rules on, no destination — nothing is sent until an admin names a webhook or an address.
 */
import { z } from 'zod';

/** Most addresses an org may list: alerts are for a security team, not a mailing list. */
export const MAX_ALERT_EMAILS = 10;
/** Longest counting window: the store keeps ten slices of it (windows.ts). */
export const MAX_WINDOW_SECONDS = 86_400;

const countingRule = (threshold: number, windowSeconds: number) =>
  z
    .object({
      enabled: z.boolean().default(true),
      threshold: z.number().int().min(1).max(100_000).default(threshold),
      windowSeconds: z.number().int().min(10).max(MAX_WINDOW_SECONDS).default(windowSeconds),
    })
    .strict()
    .default({ enabled: true, threshold, windowSeconds });

const switchRule = () =>
  z
    .object({ enabled: z.boolean().default(true) })
    .strict()
    .default({ enabled: true });

export const securityAlertRulesSchema = z
  .object({
    failedLogins: countingRule(5, 600),
    guardrailBlockBurst: countingRule(20, 300),
    newApiKeyNetwork: switchRule(),
    adminGranted: switchRule(),
  })
  .strict();

export const securityAlertSettingsSchema = z
  .object({
    /** Validated like the budget webhook URL; the SSRF policy applies again when it is called. */
    webhookUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .max(2000)
      .nullable()
      .default(null),
    emails: z.array(z.email('must be an email address').max(254)).max(MAX_ALERT_EMAILS).default([]),
    rules: securityAlertRulesSchema.default(() => securityAlertRulesSchema.parse({})),
  })
  .strict();

/** All rules on, no destination: what an org that never configured alerts has. */
export const defaultSecurityAlerts = (): SecurityAlertSettings => securityAlertSettingsSchema.parse({});

export type SecurityAlertSettings = z.output<typeof securityAlertSettingsSchema>;
export type SecurityAlertRules = SecurityAlertSettings['rules'];
export type SecurityAlertRule = keyof SecurityAlertRules;

/** Whether any alert can leave: with no destination, counting would be work for nobody. */
export const hasDestination = (settings: SecurityAlertSettings): boolean => settings.webhookUrl !== null || settings.emails.length > 0;
