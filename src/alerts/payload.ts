/**
 * The one shape an alert leaves in, whatever the destination: the webhook body, the facts of the
 * mail and the audit diff are all this object, so a receiver can match one against the other by `id`.
 */
import type { SecurityAlert } from './signals.js';

export const RULE_NAMES = {
  failedLogins: 'failed_logins',
  guardrailBlockBurst: 'guardrail_block_burst',
  newApiKeyNetwork: 'new_api_key_network',
  adminGranted: 'admin_granted',
} as const satisfies Record<SecurityAlert['rule'], string>;

export type SecurityAlertPayload = {
  type: 'security.alert';
  id: string;
  org_id: string;
  rule: (typeof RULE_NAMES)[SecurityAlert['rule']];
  occurred_at: string;
  details: SecurityAlert['details'];
};

export function alertPayload(alert: SecurityAlert, id: string): SecurityAlertPayload {
  return {
    type: 'security.alert',
    id,
    org_id: alert.orgId,
    rule: RULE_NAMES[alert.rule],
    occurred_at: alert.occurredAt.toISOString(),
    details: alert.details,
  };
}
