/**
 * Every audit action Portcullis records, in one list: dashboards, exports and SIEM rules can rely
 * on these names. Dotted: `<target>.<verb>`. Add new actions here, never inline.
 */
export const AUDIT_ACTIONS = [
  // instance
  'instance.setup_link_issued',
  'instance.setup_completed',
  'instance.setup_failed',
  'instance.migrations_applied',
  'instance.backup_restored',
  'instance.bootstrap_applied',
  'instance.master_key_rotated',
  // `keys rotate-auth-secret`: two-factor secrets re-encrypted under the current AUTH_SECRET (counts only)
  'instance.auth_secret_rotated',
  'instance.signup_mode_changed',
  'instance.admin_granted',
  'instance.admin_revoked',
  // identity
  'user.created',
  'auth.signed_up',
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'session.revoked',
  'auth.password_reset_requested',
  'auth.password_reset',
  'auth.password_changed',
  'auth.password_change_failed',
  'auth.email_verification_sent',
  'auth.email_verified',
  'passkey.added',
  'passkey.renamed',
  'passkey.removed',
  'two_factor.enabled',
  'two_factor.disabled',
  'auth.two_factor_failed',
  'recovery_code.used',
  'recovery_codes.generated',
  // GDPR: a user downloaded their personal-data archive (GET /api/me/export)
  'user.data_exported',
  // GDPR: an account was erased (DELETE /api/me): counts only; the user's data key is destroyed with it
  'user.deleted',
  // organizations and people
  'org.created',
  'org.updated',
  'org.plan_changed',
  'org.deleted',
  // org deletion with a grace period: scheduled by an owner (or the operator), cancelled before it takes effect
  'org.deletion_scheduled',
  'org.deletion_cancelled',
  // the whole org's data downloaded (GET /api/orgs/:orgId/export), recorded before it streams
  'org.exported',
  // retention: a setting changed; the job removed expired events and logs (counts, never contents)
  'retention.changed',
  'retention.applied',
  'member.added',
  'member.role_changed',
  'member.updated',
  'member.removed',
  'invitation.created',
  'invitation.revoked',
  'invitation.accepted',
  'project.created',
  'project.updated',
  'project.deleted',
  'guardrail_policy.changed',
  // credentials
  'tenant_key.created',
  'tenant_key.rewrapped',
  'tenant_key.rotated',
  'tenant_key.deleted',
  'provider_key.created',
  'provider_key.updated',
  'provider_key.deleted',
  'api_key.created',
  'api_key.updated',
  'api_key.rotated',
  'api_key.revoked',
  'api_key.deleted',
  'admin_token.created',
  'admin_token.revoked',
  'admin_token.deleted',
  'org_secret.updated',
  // limits
  'budget.alert',
  // security alerts: an org's rules or destinations changed; an alert went out (rule, counts, ids, never contents)
  'security_alerts.changed',
  'security_alert.sent',
  // the audit trail itself: an export (its format and filters), recorded before it streams
  'audit.exported',
  // an access review (who can reach the org, and who has gone inactive) was generated: its counts, never its contents
  'access_review.generated',
  // a stored request/response body was read through the api (the request log's id and project, never the body)
  'request_log.body_read',
  // request logs were exported as CSV (the format and filters), recorded before the export streams
  'request_log.exported',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
