import type { AdminTokenAuthenticator } from '../auth/admin-token-authenticator.js';
import type { CredentialDeps } from '../credentials/api-key-service.js';
import type { LiveUsageCounters } from './usage/live-counters.js';
import type { MasterKeyring } from '../crypto/master-keyring.js';

/** What the management routes need from the running process. */
export type ApiDeps = CredentialDeps & {
  authenticator: AdminTokenAuthenticator;
  /** Seals per-org secrets (webhook signing secrets) under the org's data key. */
  keyring: MasterKeyring;
  /** Current-period counters of the limits service, when it is wired in; request logs otherwise. */
  liveUsage: LiveUsageCounters | undefined;
};
