/**
 * The OpenTelemetry SDK side of tracing, imported by tracing.ts only when tracing is configured.
 * Exporter: OTLP over HTTP with JSON bodies (this exporter package always sends JSON), one per
 * service, behind a batch span processor (spans leave in the background, never on the request
 * path). Sampling: parent-based with a trace-id ratio for new traces, the OTel default shape.
 */
import { context, diag, DiagLogLevel, propagation, trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import type { TracingConfig } from './tracing-config.js';
import { TRACER_NAME, type TracedService } from './tracing.js';

export type TracingSdk = { tracers: Map<TracedService, Tracer>; shutdown(): Promise<void> };

const DEFAULT_SERVICE_NAMES: Readonly<Record<TracedService, string>> = {
  gateway: 'portcullis-gateway',
  api: 'portcullis-api',
};

/** The SDK reports export failures through `diag`; without a logger they would vanish. */
function forwardDiagnostics(logger: Logger): void {
  const log = logger.child({ component: 'otel' });
  diag.setLogger(
    {
      error: (message) => log.warn(message),
      warn: (message) => log.warn(message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
}

export function startTracingSdk(config: TracingConfig, services: readonly TracedService[], logger: Logger): TracingSdk {
  forwardDiagnostics(logger);
  const providers = services.map((service) => {
    const exporter = new OTLPTraceExporter({ url: config.tracesUrl, headers: { ...config.headers } });
    const provider = new NodeTracerProvider({
      resource: defaultResource().merge(
        resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName ?? DEFAULT_SERVICE_NAMES[service] }),
      ),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.samplerRatio) }),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    return { service, provider };
  });
  // Registers the AsyncLocalStorage context manager (spans nest across awaits) and the
  // propagator. Only W3C trace context (traceparent, tracestate) is extracted and injected: not
  // W3C baggage, the SDK's other default, which would carry whatever a client put there on to the
  // providers.
  providers[0]!.provider.register({ propagator: new W3CTraceContextPropagator() });
  return {
    tracers: new Map(providers.map(({ service, provider }) => [service, provider.getTracer(TRACER_NAME)])),
    async shutdown() {
      // shutdown() flushes each batch processor first.
      await Promise.all(providers.map(({ provider }) => provider.shutdown()));
      // Back to the API's no-ops, so a later start in this process (tests) can register again.
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
    },
  };
}
