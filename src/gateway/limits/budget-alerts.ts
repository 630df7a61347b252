/**
 * Budget alerts: when usage crosses a configured threshold of a limit (once per threshold per
 * period), record it in the org's audit trail and POST it to the org's webhook, signed with
 * HMAC-SHA256 under the org's webhook secret (stored encrypted; see docs/gateway.md for checking
 * the signature). Delivery is best effort and never delays or fails the request that crossed it.
 */
import { and, eq } from 'drizzle-orm';
import { decryptSecret } from '../../crypto/envelope.js';
import { hmacSha256 } from '../../crypto/hash.js';
import { recordBudgetAlert } from '../../db/definer.js';
import { orgSecrets } from '../../db/schema/index.js';
import type { ScopedDatabase } from '../../db/tenant.js';
import type { Logger } from '../../logging/logger.js';
import type { ThresholdCrossing } from '../../limits/usage-limiter.js';
import type { DataKeyCache } from '../context/data-keys.js';
import type { UpstreamClient } from '../upstream/http-client.js';

import { ORG_SECRET_PURPOSES } from '../../credentials/org-secrets.js';
import { requestLogger } from '../../logging/request-scope.js';

export const BUDGET_WEBHOOK_SECRET_KIND = 'budget_webhook';
export const BUDGET_WEBHOOK_PURPOSE = ORG_SECRET_PURPOSES.budget_webhook;

export type BudgetAlertDeps = {
  db: ScopedDatabase;
  dataKeys: DataKeyCache;
  upstream: UpstreamClient;
  logger: Logger;
  /** The org's configured webhook URL, if any (from the cached project context). */
  webhookUrl: (orgId: string) => string | null;
  /** `gateway@<host>`: the replica that raised the alert, as the audit event's actor. */
  actorId: string;
  now?: () => Date;
};

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the timestamp stops replays. */
export function signWebhook(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${hmacSha256(secret, `${t}.${body}`).toString('hex')}`;
}

async function webhookSecret(deps: BudgetAlertDeps, orgId: string): Promise<string | undefined> {
  return deps.db.withTenant(orgId, async (tx) => {
    const [row] = await tx
      .select()
      .from(orgSecrets)
      .where(and(eq(orgSecrets.orgId, orgId), eq(orgSecrets.kind, BUDGET_WEBHOOK_SECRET_KIND)));
    if (!row) return undefined;
    const dataKey = await deps.dataKeys.byId(orgId, row.tenantKeyId);
    return dataKey ? decryptSecret(dataKey.key, row.ciphertext, { orgId, rowId: row.id, purpose: BUDGET_WEBHOOK_PURPOSE }) : undefined;
  });
}

export function createBudgetAlerts(deps: BudgetAlertDeps): (crossing: ThresholdCrossing) => Promise<void> {
  const now = deps.now ?? (() => new Date());
  return async (crossing) => {
    // The alert may be delivered after its request's async scope has ended (a streamed response
    // settles its usage when the stream closes): bind the request id explicitly.
    const logger = crossing.requestId ? requestLogger(deps.logger, crossing.requestId) : deps.logger;
    const payload = {
      type: 'budget.alert',
      org_id: crossing.orgId,
      scope: { type: crossing.scope.type, id: crossing.scope.id },
      metric: crossing.metric,
      period: crossing.period,
      period_id: crossing.periodId,
      threshold_percent: crossing.threshold,
      used: crossing.used,
      limit: crossing.limit,
      resets_at: crossing.resetsAt?.toISOString() ?? null,
    };
    await deps.db.withRole((tx) =>
      recordBudgetAlert(tx, crossing.orgId, crossing.scope.type, crossing.scope.id, payload, {
        id: deps.actorId,
        requestId: crossing.requestId,
      }),
    );
    const url = deps.webhookUrl(crossing.orgId);
    if (!url) return;
    const secret = await webhookSecret(deps, crossing.orgId);
    if (!secret) {
      logger.warn({ orgId: crossing.orgId }, 'budget alert webhook configured without a secret: not sent');
      return;
    }
    const body = JSON.stringify(payload);
    try {
      // Through the upstream client: the webhook URL gets the same SSRF checks as provider URLs.
      const response = await deps.upstream.send(
        {
          url,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-portcullis-signature': signWebhook(secret, body, now()) },
          body,
        },
        { timeoutMs: 10_000 },
      );
      await response.body.text().catch(() => '');
      if (response.status >= 300)
        logger.warn({ orgId: crossing.orgId, status: response.status }, 'budget alert webhook answered with an error');
    } catch (error) {
      logger.warn({ orgId: crossing.orgId, err: error }, 'budget alert webhook could not be delivered');
    }
  };
}
