/**
 * Starts the retention job for an api process (governance/retention-job.ts) with the runtime's
 * clock-free defaults, and beside it the purge of orgs whose deletion grace period has passed
 * (governance/org-purge-job.ts), on the same interval.
 */
import { createCheckpointSigner } from '../audit/checkpoint-signing.js';
import type { Runtime } from '../server/runtime.js';
import { startOrgPurgeSchedule } from './org-purge-job.js';
import { startRetentionSchedule } from './retention-job.js';

export function startRetention(runtime: Runtime): { stop(): Promise<void> } {
  const initialDelayMs = Math.min(60_000, runtime.config.retentionIntervalMs);
  const purge = startOrgPurgeSchedule(
    { db: runtime.apiDb, bus: runtime.bus, logger: runtime.logger.child({ component: 'org-purge' }), host: runtime.host },
    { intervalMs: runtime.config.retentionIntervalMs, initialDelayMs },
  );
  const retention = startRetentionSchedule(
    {
      db: runtime.apiDb,
      signer: createCheckpointSigner(runtime.secrets.authSecret),
      logger: runtime.logger.child({ component: 'retention' }),
      host: runtime.host,
    },
    // The first run waits a minute: a process that starts and stops at once (tests, a crash loop)
    // does no retention work.
    { intervalMs: runtime.config.retentionIntervalMs, initialDelayMs },
  );
  return {
    stop: async () => {
      await Promise.all([retention.stop(), purge.stop()]);
    },
  };
}
