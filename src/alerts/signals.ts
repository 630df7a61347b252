/**
 * What the rest of Portcullis tells the alerts module: one signal per thing that happened, after
 * it committed. Signals carry ids and addresses only — never a password, prompt or secret — since
 * whatever an alert says ends up in a webhook, a mail and the audit trail.
 */
export type SecuritySignal =
  /** A failed sign-in of a user who belongs to this org (each of the user's orgs gets one). */
  | { kind: 'login_failed'; orgId: string; userId: string; ip: string | null }
  /** The gateway refused a request or an answer because a guardrail blocked it. */
  | { kind: 'guardrail_blocked'; orgId: string; projectId: string; apiKeyId: string; ip: string | null }
  /** An API key authenticated at the gateway from this client address. */
  | { kind: 'api_key_used'; orgId: string; projectId: string; apiKeyId: string; ip: string }
  /** Someone became admin or owner of the org, or an instance administrator. */
  | {
      kind: 'admin_granted';
      orgId: string;
      userId: string;
      role: 'owner' | 'admin' | 'instance_admin';
      /** How: a role change, an accepted invitation, an instance grant. */
      via: 'role_changed' | 'invitation_accepted' | 'instance_admin_granted';
      actor: { type: string; id: string | null };
    };

/** What an alert reports: the rule that fired and the figures behind it. Ids, counts and addresses only. */
export type SecurityAlert = {
  orgId: string;
  rule: 'failedLogins' | 'guardrailBlockBurst' | 'newApiKeyNetwork' | 'adminGranted';
  occurredAt: Date;
  /** Rule-specific facts, snake_case as they appear in the webhook payload. */
  details: Record<string, string | number | null>;
};
