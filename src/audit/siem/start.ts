/** Starts SIEM delivery for an api process from the configuration, or nothing when no sink is configured. */
import { createUpstreamClient } from '../../gateway/upstream/http-client.js';
import type { Runtime } from '../../server/runtime.js';
import type { SiemSink } from './sink.js';
import { createStdoutSink } from './stdout-sink.js';
import { createWebhookSink } from './webhook-sink.js';
import { startSiemSchedule } from './worker.js';

/** Seconds between passes: events reach the SIEM a few seconds after they commit. */
const POLL_INTERVAL_MS = 5_000;

export function startSiem(runtime: Runtime): { stop(): Promise<void> } | undefined {
  const { siem, allowPrivateProviderUrls } = runtime.config;
  const sinks: SiemSink[] = [];
  // Its own client (not the gateway's): a slow SIEM never takes connections from provider calls.
  const upstream = siem.webhook ? createUpstreamClient({ allowPrivate: allowPrivateProviderUrls, maxResponseBytes: 64 * 1024 }) : undefined;
  if (siem.webhook && upstream) sinks.push(createWebhookSink({ url: siem.webhook.url, secret: siem.webhook.secret, upstream }));
  if (siem.stdout) sinks.push(createStdoutSink());
  if (sinks.length === 0) return undefined;
  const schedule = startSiemSchedule(
    { db: runtime.apiDb, sinks, logger: runtime.logger.child({ component: 'siem' }) },
    { pollIntervalMs: POLL_INTERVAL_MS },
  );
  return {
    async stop() {
      await schedule.stop();
      await upstream?.close();
    },
  };
}
