import type { AdminTokenAuthenticator } from '../auth/admin-token-authenticator.js';
import type { CredentialDeps } from '../credentials/api-key-service.js';
import type { LiveUsageCounters } from './usage/live-counters.js';

/** What the management routes need from the running process. */
export type ApiDeps = CredentialDeps & {
  authenticator: AdminTokenAuthenticator;
  /** Current-period counters of the limits service, when it is wired in; request logs otherwise. */
  liveUsage: LiveUsageCounters | undefined;
};
