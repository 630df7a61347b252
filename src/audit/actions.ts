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
  'instance.bootstrap_applied',
  'instance.master_key_rotated',
  // identity
  'user.created',
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'session.revoked',
  'auth.password_reset_requested',
  'auth.password_reset',
  'passkey.added',
  'passkey.renamed',
  'passkey.removed',
  'two_factor.enabled',
  'two_factor.disabled',
  'auth.two_factor_failed',
  'recovery_code.used',
  'recovery_codes.generated',
  // organizations and people
  'org.created',
  'org.updated',
  'org.plan_changed',
  'org.deleted',
  'member.added',
  'member.role_changed',
  'member.removed',
  'invitation.created',
  'invitation.revoked',
  'invitation.accepted',
  'project.created',
  'project.updated',
  'project.deleted',
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
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
