import type { AdminTokenAuthenticator } from '../auth/admin-token-authenticator.js';
import type { CredentialDeps } from '../credentials/api-key-service.js';
import type { LiveUsageCounters } from './usage/live-counters.js';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import type { SsrfPolicy } from '../gateway/upstream/ssrf.js';
import type { Mailer } from '../email/mailer.js';
import type { KeyedLimiter } from '../limits/keyed-limiter.js';
import type { SecurityAlerts } from '../alerts/service.js';

/** What the management routes need from the running process. */
export type ApiDeps = CredentialDeps & {
  authenticator: AdminTokenAuthenticator;
  /** Seals per-org secrets (webhook signing secrets) under the org's data key. */
  keyring: MasterKeyring;
  /** Current-period counters of the limits service, when it is wired in; request logs otherwise. */
  liveUsage: LiveUsageCounters | undefined;
  /** What provider base URLs may point at (ALLOW_PRIVATE_PROVIDER_URLS); absent: private and loopback refused. */
  providerUrlPolicy?: SsrfPolicy;
  /**
   * The gateway this process can call (provider-key "test connection"): set when the gateway runs
   * in the same process; absent, the test answers 503 gateway_unavailable.
   */
  gatewayUrl?: string | undefined;
  /** Invitation mails; absent or disabled, inviting answers 503 email_not_configured. */
  mailer?: Mailer;
  /** PUBLIC_URL, for links in mails. */
  publicUrl?: string;
  /** Security-alert signals (admin role granted); absent in tests that build routes alone. */
  securityAlerts?: SecurityAlerts;
  /** Invitations sent per inviting user or token. */
  inviteThrottle?: KeyedLimiter;
  /** Playground chats per user or token (each mints a key and calls a provider). */
  playgroundThrottle?: KeyedLimiter;
  /** ORG_DELETION_GRACE_DAYS: how long a deletion an owner asks for waits before the purge. */
  orgDeletionGraceDays: number;
  /** The key that verifies audit retention checkpoints (public half only). */
  checkpointKey?: { keyId: string; publicKeyPem: string };
  /** Those of AUTH_SECRET_PREVIOUS: checkpoints stored before a rotation still verify. */
  previousCheckpointKeys?: { keyId: string; publicKeyPem: string }[];
};
