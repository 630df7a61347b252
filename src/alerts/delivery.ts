/**
 * Sends one alert to the org's destinations: the webhook (signed exactly like budget alerts, through
 * the upstream client so the URL meets the provider-URL SSRF policy again at connect time) and one
 * mail per listed address. Each destination fails on its own; failures are logged with a status or
 * an error name only — never the secret, the URL's query or a receiver's answer.
 */
import { eq } from 'drizzle-orm';
import { organizations } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import type { Mailer } from '../email/mailer.js';
import { securityAlertMail } from '../email/templates.js';
import { signWebhook } from '../gateway/limits/budget-alerts.js';
import { createUpstreamClient } from '../gateway/upstream/http-client.js';
import type { Logger } from '../logging/logger.js';
import type { SecurityAlertPayload } from './payload.js';
import type { SecurityAlertSettings } from './settings.js';
import { readAlertWebhookSecret } from './webhook-secret.js';

export type DeliveryDeps = {
  db: ScopedDatabase;
  keyring: MasterKeyring;
  mailer: Mailer | undefined;
  /** ALLOW_PRIVATE_PROVIDER_URLS: the same address policy as provider and budget-webhook URLs. */
  allowPrivate: boolean;
  logger: Logger;
  now?: () => Date;
};

/** Which destinations took the alert: recorded with it in the audit trail. */
export type DeliveryOutcome = { webhook: 'sent' | 'failed' | 'not_configured'; emails: { sent: number; failed: number } };

const errorName = (error: unknown) => (error instanceof Error ? error.name : 'unknown error');

async function postWebhook(deps: DeliveryDeps, url: string, payload: SecurityAlertPayload): Promise<'sent' | 'failed'> {
  const secret = await readAlertWebhookSecret(deps.db, deps.keyring, payload.org_id);
  if (!secret) {
    deps.logger.warn({ orgId: payload.org_id }, 'security alert webhook configured without a secret: not sent');
    return 'failed';
  }
  const body = JSON.stringify(payload);
  // A client per delivery: alerts are rare, and nothing then outlives the process's shutdown.
  const client = createUpstreamClient({ allowPrivate: deps.allowPrivate, maxResponseBytes: 64 * 1024 });
  try {
    const response = await client.send(
      {
        url,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-portcullis-signature': signWebhook(secret, body, (deps.now ?? (() => new Date()))()),
        },
        body,
      },
      { timeoutMs: 10_000 },
    );
    await response.body.text().catch(() => '');
    if (response.status >= 200 && response.status < 300) return 'sent';
    deps.logger.warn({ orgId: payload.org_id, status: response.status }, 'security alert webhook answered with an error');
    return 'failed';
  } catch (error) {
    deps.logger.warn({ orgId: payload.org_id, error: errorName(error) }, 'security alert webhook could not be delivered');
    return 'failed';
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function sendMails(deps: DeliveryDeps, emails: readonly string[], payload: SecurityAlertPayload): Promise<DeliveryOutcome['emails']> {
  const outcome = { sent: 0, failed: 0 };
  if (emails.length === 0) return outcome;
  if (!deps.mailer) {
    deps.logger.warn({ orgId: payload.org_id }, 'security alert emails configured but this process has no mailer: not sent');
    return { sent: 0, failed: emails.length };
  }
  const mailer = deps.mailer;
  const [org] = await deps.db.withTenant(payload.org_id, (tx) =>
    tx.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, payload.org_id)),
  );
  const mail = securityAlertMail({
    orgName: org?.name ?? payload.org_id,
    rule: payload.rule,
    alertId: payload.id,
    when: new Date(payload.occurred_at),
    details: payload.details,
  });
  await Promise.all(
    emails.map(async (to) => {
      try {
        await mailer.send({ to, ...mail });
        outcome.sent++;
      } catch (error) {
        outcome.failed++;
        deps.logger.warn({ orgId: payload.org_id, error: errorName(error) }, 'security alert email could not be sent');
      }
    }),
  );
  return outcome;
}

export async function deliverAlert(
  deps: DeliveryDeps,
  settings: SecurityAlertSettings,
  payload: SecurityAlertPayload,
): Promise<DeliveryOutcome> {
  const [webhook, emails] = await Promise.all([
    settings.webhookUrl ? postWebhook(deps, settings.webhookUrl, payload) : Promise.resolve('not_configured' as const),
    sendMails(deps, settings.emails, payload),
  ]);
  return { webhook, emails };
}
