/**
 * Typed views of the `settings` JSON of organizations and projects. Parsed with zod wherever they
 * are read, so a hand-edited row cannot smuggle in a shape the gateway does not expect; defaults
 * apply to missing fields.
 */
import { z } from 'zod';
import { PROVIDER_IDS } from '../providers/ids.js';
import { limitsSchema, orgLimitsSchema } from './limits.js';
import { DEFAULT_RETENTION, retentionSettingsSchema } from '../governance/retention-policy.js';
import { defaultSecurityAlerts, securityAlertSettingsSchema } from '../alerts/settings.js';

export const orgSettingsSchema = z
  .object({
    /** Data-residency and vendor policy: when set, only these providers may be called. */
    allowedProviders: z.array(z.enum(PROVIDER_IDS)).nullable().default(null),
    /** Providers never called, whatever else allows them. */
    deniedProviders: z.array(z.enum(PROVIDER_IDS)).default([]),
    /** Org-wide usage, rate and concurrency limits. */
    limits: orgLimitsSchema.default({ usage: [], rate: { requestsPerMinute: null, tokensPerMinute: null }, maxConcurrentRequests: null }),
    /**
     * When the counter store (Redis) is unreachable, spend limits fail closed (503) unless this is
     * true: an org may prefer availability to a hard budget.
     */
    limitsFailOpen: z.boolean().default(false),
    /** Where budget alerts are POSTed (HMAC-SHA256 signed; the secret is stored encrypted). */
    budgetWebhookUrl: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .default(null),
    /**
     * "Require 2FA or passkey for admins and owners": a signed-in admin or owner with neither TOTP
     * on nor a passkey is refused (403 `strong_auth_required`) on admin-level actions (identity/strong-auth.ts).
     */
    requireStrongAuthForAdmins: z.boolean().default(false),
    /**
     * OpenID Connect group -> org role: at each OIDC sign-in the user's role here is set from their
     * groups (the highest mapped role wins). Empty: the org ignores OIDC groups (identity/oidc-group-roles.ts).
     * Never `owner`: ownership is granted by hand, so a group cannot make or unmake owners.
     */
    oidcGroupRoles: z.record(z.string().trim().min(1).max(200), z.enum(['admin', 'developer', 'viewer'])).default({}),
    /** How long audit events, request logs and bodies are kept (governance/retention-policy.ts). */
    retention: retentionSettingsSchema.default(DEFAULT_RETENTION),
    /** Security-alert rules and where alerts go (alerts/settings.ts); defaults send nothing. */
    securityAlerts: securityAlertSettingsSchema.default(defaultSecurityAlerts),
  })
  .strict();
export type OrgSettings = z.output<typeof orgSettingsSchema>;

/** A route target: `provider/model` (pinned) or a bare model name (routed among providers). */
export const routeTargetSchema = z.string().trim().min(1).max(200);

export const projectSettingsSchema = z
  .object({
    cache: z
      .object({
        enabled: z.boolean().default(false),
        /** Seconds a cached response is served (1 s to 30 days). */
        ttlSeconds: z.number().int().min(1).max(2_592_000).default(3600),
      })
      .strict()
      .default({ enabled: false, ttlSeconds: 3600 }),
    /** Store request and response bodies (encrypted under the org's data key). Off by default. */
    logBodies: z.boolean().default(false),
    /** When set, only these models (`provider/model`, bare names or aliases) may be requested. */
    allowedModels: z.array(routeTargetSchema).nullable().default(null),
    /** Project-defined model names, each an ordered fallback list of route targets. */
    aliases: z.record(z.string().trim().min(1).max(100), z.array(routeTargetSchema).min(1).max(10)).default({}),
    /** Per-attempt upstream timeout override (ms). */
    timeoutMs: z.number().int().min(1000).max(3_600_000).nullable().default(null),
    /** Whole-request timeout override (ms): bounds every attempt, backoff and fallback together. */
    requestTimeoutMs: z.number().int().min(1000).max(3_600_000).nullable().default(null),
    /** Retries per provider before falling back to the next one (0 to 5). */
    maxRetries: z.number().int().min(0).max(5).default(2),
    /** Project-wide usage and rate limits. */
    limits: limitsSchema.default({ usage: [], rate: { requestsPerMinute: null, tokensPerMinute: null } }),
  })
  .strict();
export type ProjectSettings = z.output<typeof projectSettingsSchema>;

/**
 * Stored settings that do not match the schema fail closed: falling back to defaults could turn a
 * provider allow-list into "every provider". The api validates on write, so this means a row was
 * edited by hand.
 */
export class InvalidStoredSettingsError extends Error {
  constructor(
    readonly scope: 'org' | 'project',
    readonly id: string,
    fields: string[],
  ) {
    super(`stored ${scope} settings of ${id} are invalid (${fields.join(', ')}); fix them through the api`);
    this.name = 'InvalidStoredSettingsError';
  }
}

export function parseOrgSettings(id: string, value: unknown): OrgSettings {
  const parsed = orgSettingsSchema.safeParse(value ?? {});
  if (!parsed.success)
    throw new InvalidStoredSettingsError(
      'org',
      id,
      parsed.error.issues.map((i) => i.path.join('.')),
    );
  return parsed.data;
}

export function parseProjectSettings(id: string, value: unknown): ProjectSettings {
  const parsed = projectSettingsSchema.safeParse(value ?? {});
  if (!parsed.success)
    throw new InvalidStoredSettingsError(
      'project',
      id,
      parsed.error.issues.map((i) => i.path.join('.')),
    );
  return parsed.data;
}
