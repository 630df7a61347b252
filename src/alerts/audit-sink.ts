/**
 * Where a sent alert is recorded: `security_alert.sent` in the org's audit chain, with the payload
 * (rule, counts, ids) and which destinations took it. The addresses in it (`ip`, `last_ip`,
 * `network`) are stored as keyed hashes (`h1:…`, src/audit/personal-data.ts): the chain is
 * immutable and outlives the org, so an address in clear could never be erased; the hash still
 * lets an auditor holding the master key check "was it this address?". The alert itself (webhook,
 * e-mail) carries the address: its recipients need it.
 *
 * The api role appends audit events itself under row-level security. The gateway role may write
 * an org's audit event only through a SECURITY DEFINER function (as budget alerts do with
 * `portcullis_record_budget_alert`): `portcullis_record_security_alert`, migration 0025.
 */
import { hashUnlinkedPersonal } from '../audit/personal-data.js';
import { recordAudit } from '../audit/record.js';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import { recordSecurityAlert } from '../db/definer.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Logger } from '../logging/logger.js';
import type { DeliveryOutcome } from './delivery.js';
import type { SecurityAlertPayload } from './payload.js';

export type AlertAuditSink = (payload: SecurityAlertPayload, outcome: DeliveryOutcome) => Promise<void>;

/** The detail fields that hold an address or a network (evaluator.ts). */
const ADDRESS_FIELDS = new Set(['ip', 'last_ip', 'network']);

export const auditDiff = (keyring: MasterKeyring, payload: SecurityAlertPayload, outcome: DeliveryOutcome) => ({
  alertId: payload.id,
  rule: payload.rule,
  details: Object.fromEntries(
    Object.entries(payload.details).map(([field, value]) => [
      field,
      ADDRESS_FIELDS.has(field) && typeof value === 'string' ? hashUnlinkedPersonal(keyring, value) : value,
    ]),
  ),
  webhook: outcome.webhook,
  emails: outcome.emails,
});

export function apiAlertAuditSink(db: ScopedDatabase, keyring: MasterKeyring): AlertAuditSink {
  return (payload, outcome) =>
    db.withTenant(payload.org_id, (tx) =>
      recordAudit(tx, {
        orgId: payload.org_id,
        actor: { type: 'system', id: 'security-alerts' },
        action: 'security_alert.sent',
        target: { type: 'security_alert_rule', id: payload.rule },
        diff: auditDiff(keyring, payload, outcome),
      }),
    );
}

/**
 * The gateway's sink: `security_alert.sent` through the SECURITY DEFINER function of migration
 * 0025, the only audit event the gateway role may append for these rules.
 */
export function gatewayAlertAuditSink(db: ScopedDatabase, keyring: MasterKeyring, logger: Logger): AlertAuditSink {
  return async (payload, outcome) => {
    await db.withRole((tx) => recordSecurityAlert(tx, payload.org_id, payload.rule, auditDiff(keyring, payload, outcome)));
    logger.info({ orgId: payload.org_id, alertId: payload.id, rule: payload.rule, webhook: outcome.webhook }, 'security alert sent');
  };
}
