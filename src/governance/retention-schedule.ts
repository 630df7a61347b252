/** Starts the retention job for an api process (governance/retention-job.ts) with the runtime's clock-free defaults. */
import { createCheckpointSigner } from '../audit/checkpoint-signing.js';
import type { Runtime } from '../server/runtime.js';
import { startRetentionSchedule } from './retention-job.js';

export function startRetention(runtime: Runtime): { stop(): Promise<void> } {
  return startRetentionSchedule(
    {
      db: runtime.apiDb,
      signer: createCheckpointSigner(runtime.secrets.authSecret),
      logger: runtime.logger.child({ component: 'retention' }),
      host: runtime.host,
    },
    // The first run waits a minute: a process that starts and stops at once (tests, a crash loop)
    // does no retention work.
    { intervalMs: runtime.config.retentionIntervalMs, initialDelayMs: Math.min(60_000, runtime.config.retentionIntervalMs) },
  );
}
