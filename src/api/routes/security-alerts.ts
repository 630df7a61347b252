/**
 * The org's security-alert rules and destinations (alerts/settings.ts), kept in its settings JSON.
 * Reading them is for those who read the audit trail (they name where alerts go); changing them
 * is an admin's call, like inviting or changing roles, since the alerts watch exactly those.
 *
 * Naming a webhook URL (a new one, or the first) generates its signing secret, returned in that
 * response only and stored encrypted under the org's data key; `rotateWebhookSecret` makes a new
 * one for the same URL. The change is audited (`security_alerts.changed`, the diff) in the same
 * transaction, and reaches every gateway at once (`org.changed`).
 */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { SECURITY_ALERT_SECRET_KIND } from '../../alerts/webhook-secret.js';
import { securityAlertSettingsSchema, type SecurityAlertSettings } from '../../alerts/settings.js';
import { recordAudit } from '../../audit/record.js';
import { announce } from '../../credentials/announce.js';
import { setOrgSecret } from '../../credentials/org-secrets.js';
import { randomTokenBase64Url } from '../../crypto/random.js';
import { orgSecrets, organizations } from '../../db/schema/index.js';
import type { Tx } from '../../db/types.js';
import { notFound } from '../../http/errors.js';
import { getOrganization } from '../../tenancy/organizations.js';
import { parseOrgSettings } from '../../tenancy/settings.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type ApiRoute } from '../registry.js';
import { orgParams } from '../schemas.js';

const TAG = 'Organizations';

const countingRuleView = z.object({ enabled: z.boolean(), threshold: z.number().int(), windowSeconds: z.number().int() });
const settingsView = z.object({
  webhookUrl: z.string().nullable(),
  emails: z.array(z.string()),
  rules: z.object({
    failedLogins: countingRuleView,
    guardrailBlockBurst: countingRuleView,
    newApiKeyNetwork: z.object({ enabled: z.boolean() }),
    adminGranted: z.object({ enabled: z.boolean() }),
  }),
  /** Whether a signing secret is stored for the webhook (its value is never shown again). */
  webhookSecretSet: z.boolean(),
});

const updateBody = securityAlertSettingsSchema.extend({ rotateWebhookSecret: z.boolean().default(false) }).strict();

const updateResponse = settingsView.extend({
  /** The new HMAC-SHA256 signing secret when this change made one: shown in this response only. */
  webhookSecret: z.string().nullable(),
});

async function secretStored(tx: Tx, orgId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: orgSecrets.id })
    .from(orgSecrets)
    .where(and(eq(orgSecrets.orgId, orgId), eq(orgSecrets.kind, SECURITY_ALERT_SECRET_KIND)));
  return row !== undefined;
}

const view = (settings: SecurityAlertSettings, webhookSecretSet: boolean): z.infer<typeof settingsView> => ({
  ...settings,
  webhookSecretSet,
});

export function securityAlertRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'getSecurityAlerts',
      method: 'get',
      path: '/api/orgs/:orgId/security-alerts',
      tag: TAG,
      summary: 'The org’s security-alert rules and where alerts are sent',
      permission: 'audit:read',
      params: orgParams,
      status: 200,
      response: settingsView,
      async handler({ params }) {
        return deps.db.withTenant(params.orgId, async (tx) => {
          const org = await getOrganization(tx, params.orgId);
          if (!org) throw notFound();
          return view(parseOrgSettings(org.id, org.settings).securityAlerts, await secretStored(tx, org.id));
        });
      },
    }),
    defineRoute({
      operationId: 'setSecurityAlerts',
      method: 'put',
      path: '/api/orgs/:orgId/security-alerts',
      tag: TAG,
      summary: 'Replace the org’s security-alert rules and destinations (audited)',
      description:
        'The whole configuration: fields left out take their defaults (every rule on; failed sign-ins 5 in 600 s, guardrail ' +
        'blocks 20 in 300 s; no webhook, no emails). A new `webhookUrl` (or `rotateWebhookSecret: true`) generates the ' +
        'webhook signing secret, returned as `webhookSecret` in this response only. At most 10 `emails`.',
      permission: 'members:write',
      params: orgParams,
      body: updateBody,
      status: 200,
      response: updateResponse,
      async handler({ params, body, ctx }) {
        const { rotateWebhookSecret, ...next } = body;
        const result = await deps.db.withTenant(params.orgId, async (tx) => {
          const org = await getOrganization(tx, params.orgId);
          if (!org) throw notFound();
          const settings = parseOrgSettings(org.id, org.settings);
          const previous = settings.securityAlerts;
          const hadSecret = await secretStored(tx, org.id);
          const newSecret =
            next.webhookUrl !== null && (rotateWebhookSecret || !hadSecret || next.webhookUrl !== previous.webhookUrl)
              ? `whsec_${randomTokenBase64Url(32)}`
              : null;
          const changed = JSON.stringify(next) !== JSON.stringify(previous);
          if (changed || newSecret) {
            await tx
              .update(organizations)
              .set({ settings: { ...settings, securityAlerts: next }, updatedAt: new Date() })
              .where(eq(organizations.id, org.id));
            // Stored (and audited as org_secret.updated, without its value) in the same transaction.
            if (newSecret) await setOrgSecret(tx, org.id, 'security_alert_webhook', newSecret, deps.keyring, ctx);
            await recordAudit(tx, {
              orgId: org.id,
              actor: ctx.actor,
              requestId: ctx.requestId,
              action: 'security_alerts.changed',
              target: { type: 'org', id: org.id },
              diff: { from: previous, to: next, webhookSecretRenewed: newSecret !== null },
            });
          }
          return {
            changed: changed || newSecret !== null,
            body: { ...view(next, hadSecret || newSecret !== null), webhookSecret: newSecret },
          };
        });
        if (result.changed) await announce(deps.bus, { type: 'org.changed', orgId: params.orgId }, deps.logger);
        return result.body;
      },
    }),
  ];
}
