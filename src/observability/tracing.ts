/**
 * OpenTelemetry tracing: off unless a collector endpoint is configured (OTEL_EXPORTER_OTLP_*).
 * This module is what request code imports, and it depends on the OTel API only: when tracing is
 * off the SDK and the exporter are never imported, `activeTracer()` is undefined and every span
 * helper falls through to the plain function (no span objects, no context switches). When on,
 * tracing-sdk.ts is imported once at start-up and registers a tracer per service.
 */
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { TracingConfig } from './tracing-config.js';

export type TracedService = 'gateway' | 'api';

/** Instrumentation scope of every Portcullis span. */
export const TRACER_NAME = 'portcullis';

const tracers = new Map<TracedService, Tracer>();

/** The service's tracer while tracing runs; undefined when tracing is off (the fast path). */
export function activeTracer(service: TracedService): Tracer | undefined {
  return tracers.get(service);
}

export type RunningTracing = {
  /** Exports what is still queued, then stops the exporters. Call after the last request drained. */
  shutdown(): Promise<void>;
};

/**
 * Starts tracing for the services of this process, or does nothing (and loads nothing) when
 * `config` is undefined. One tracer provider per service so that each keeps its own
 * `service.name` when `portcullis start` runs both in one process.
 */
export async function startTracing(
  config: TracingConfig | undefined,
  services: readonly TracedService[],
  logger: Logger,
): Promise<RunningTracing | undefined> {
  if (!config || services.length === 0) return undefined;
  const { startTracingSdk } = await import('./tracing-sdk.js');
  const sdk = startTracingSdk(config, services, logger);
  for (const [service, tracer] of sdk.tracers) tracers.set(service, tracer);
  let stopping: Promise<void> | undefined;
  return {
    shutdown() {
      stopping ??= (async () => {
        tracers.clear();
        await sdk.shutdown();
      })();
      return stopping;
    },
  };
}
