/**
 * Where a sent alert is recorded: `security_alert.sent` in the org's audit chain, with the payload
 * (rule, counts, ids, addresses) and which destinations took it.
 *
 * The api role appends audit events itself under row-level security. The gateway role may write
 * an org's audit event only through a SECURITY DEFINER function (as budget alerts do with
 * `portcullis_record_budget_alert`): `portcullis_record_security_alert`, migration 0025.
 */
import { recordAudit } from '../audit/record.js';
import { recordSecurityAlert } from '../db/definer.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Logger } from '../logging/logger.js';
import type { DeliveryOutcome } from './delivery.js';
import type { SecurityAlertPayload } from './payload.js';

export type AlertAuditSink = (payload: SecurityAlertPayload, outcome: DeliveryOutcome) => Promise<void>;

export const auditDiff = (payload: SecurityAlertPayload, outcome: DeliveryOutcome) => ({
  alertId: payload.id,
  rule: payload.rule,
  details: payload.details,
  webhook: outcome.webhook,
  emails: outcome.emails,
});

export function apiAlertAuditSink(db: ScopedDatabase): AlertAuditSink {
  return (payload, outcome) =>
    db.withTenant(payload.org_id, (tx) =>
      recordAudit(tx, {
        orgId: payload.org_id,
        actor: { type: 'system', id: 'security-alerts' },
        action: 'security_alert.sent',
        target: { type: 'security_alert_rule', id: payload.rule },
        diff: auditDiff(payload, outcome),
      }),
    );
}

/**
 * The gateway's sink: `security_alert.sent` through the SECURITY DEFINER function of migration
 * 0025, the only audit event the gateway role may append for these rules.
 */
export function gatewayAlertAuditSink(db: ScopedDatabase, logger: Logger): AlertAuditSink {
  return async (payload, outcome) => {
    await db.withRole((tx) => recordSecurityAlert(tx, payload.org_id, payload.rule, auditDiff(payload, outcome)));
    logger.info({ orgId: payload.org_id, alertId: payload.id, rule: payload.rule, webhook: outcome.webhook }, 'security alert sent');
  };
}
