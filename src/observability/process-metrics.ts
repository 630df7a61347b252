import { collectDefaultMetrics } from 'prom-client';
import { metricsRegistry } from './metrics.js';

let enabled = false;

/**
 * prom-client's process metrics (CPU, memory, heap, file descriptors, GC, event-loop lag as
 * `portcullis_nodejs_eventloop_lag_*`) in our registry. Once per process, when a service starts:
 * a CLI command that only migrates has nothing to expose, and a second call would register them twice.
 */
export function enableProcessMetrics(): void {
  if (enabled) return;
  enabled = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'portcullis_' });
}
