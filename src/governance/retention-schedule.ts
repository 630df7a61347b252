/**
 * Starts the retention job for an api process (governance/retention-job.ts) with the runtime's
 * clock-free defaults, and beside it the purge of orgs whose deletion grace period has passed
 * (governance/org-purge-job.ts), on the same interval. The request-log partitions ahead are
 * ensured at once (the retention runs keep them ensured afterwards), so a process started just
 * before a month boundary does not send that month's logs to the DEFAULT partition.
 */
import { createCheckpointSigner } from '../audit/checkpoint-signing.js';
import type { Runtime } from '../server/runtime.js';
import { startOrgPurgeSchedule } from './org-purge-job.js';
import { ensureRequestLogPartitions } from './request-log-partitions.js';
import { startRetentionSchedule } from './retention-job.js';

export function startRetention(runtime: Runtime): { stop(): Promise<void> } {
  const initialDelayMs = Math.min(60_000, runtime.config.retentionIntervalMs);
  const retentionLogger = runtime.logger.child({ component: 'retention' });
  const partitionsAtStart = ensureRequestLogPartitions(runtime.apiDb)
    .then((created) => {
      if (created.length > 0) retentionLogger.info({ created }, 'request log partitions created');
    })
    .catch((error: unknown) =>
      retentionLogger.error({ err: error }, 'request log partitions not ensured at start; the retention job retries'),
    );
  const purge = startOrgPurgeSchedule(
    { db: runtime.apiDb, bus: runtime.bus, logger: runtime.logger.child({ component: 'org-purge' }), host: runtime.host },
    { intervalMs: runtime.config.retentionIntervalMs, initialDelayMs },
  );
  const retention = startRetentionSchedule(
    {
      db: runtime.apiDb,
      signer: createCheckpointSigner(runtime.secrets.authSecret),
      logger: retentionLogger,
      host: runtime.host,
    },
    // The first run waits a minute: a process that starts and stops at once (tests, a crash loop)
    // does no retention work.
    { intervalMs: runtime.config.retentionIntervalMs, initialDelayMs },
  );
  return {
    stop: async () => {
      await Promise.all([retention.stop(), purge.stop(), partitionsAtStart]);
    },
  };
}
