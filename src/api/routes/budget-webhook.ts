import { z } from 'zod';
import { announce } from '../../credentials/announce.js';
import { setOrgSecret } from '../../credentials/org-secrets.js';
import { randomTokenBase64Url } from '../../crypto/random.js';
import { notFound } from '../../http/errors.js';
import { getOrganization, updateOrganizationSettings } from '../../tenancy/organizations.js';
import { parseOrgSettings } from '../../tenancy/settings.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type ApiRoute } from '../registry.js';
import { orgParams } from '../schemas.js';

const webhookBody = z.object({ url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000) }).strict();
const webhookResponse = z.object({
  url: z.string(),
  /** HMAC-SHA256 signing secret: shown in this response only; stored encrypted. */
  secret: z.string(),
});

/**
 * The org's budget-alert webhook. Setting it generates a new signing secret, returned once and
 * stored encrypted under the org's data key (the gateway signs each alert with it); URL and secret
 * change together in one audited transaction.
 */
export function budgetWebhookRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'setBudgetWebhook',
      method: 'put',
      path: '/api/orgs/:orgId/budget-webhook',
      tag: 'Usage and limits',
      summary: 'Set the budget-alert webhook URL and generate its signing secret (returned once)',
      permission: 'limits:write',
      params: orgParams,
      body: webhookBody,
      status: 200,
      response: webhookResponse,
      async handler({ params, body, ctx }) {
        const secret = `whsec_${randomTokenBase64Url(32)}`;
        await deps.db.withTenant(params.orgId, async (tx) => {
          const org = await getOrganization(tx, params.orgId);
          if (!org) throw notFound();
          const settings = parseOrgSettings(org.id, org.settings);
          await updateOrganizationSettings(tx, org, { ...settings, budgetWebhookUrl: body.url }, ctx);
          await setOrgSecret(tx, org.id, 'budget_webhook', secret, deps.keyring, ctx);
        });
        await announce(deps.bus, { type: 'org.changed', orgId: params.orgId }, deps.logger);
        return { url: body.url, secret };
      },
    }),
  ];
}
