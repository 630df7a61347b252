import { Hono, type MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { accessLogMiddleware } from './access-log.js';
import { bodyLimitMiddleware } from './body-limit.js';
import { createErrorHandler, notFoundHandler } from './errors.js';
import { healthRoutes } from './health.js';
import { requestIdMiddleware } from './request-id.js';
import { clientIpMiddleware, type TrustProxy } from './trust-proxy.js';
import type { AppEnv } from './types.js';
import { httpServerSpan } from '../observability/http-server-span.js';
import type { TracedService } from '../observability/tracing.js';
import { httpMetricsMiddleware, markingUnmatched, type ServiceLabel } from '../observability/http-metrics.js';
import { serviceMetricsRoutes, type MetricsExposureConfig } from '../observability/metrics-endpoint.js';

export type ServiceAppOptions = {
  logger: Logger;
  trustProxy: TrustProxy;
  maxBodyBytes: number;
  securityHeaders: MiddlewareHandler;
  /** Readiness: rejects when a dependency (database, Redis) is unreachable. */
  ready: () => Promise<void>;
  /** A server span per request for this service while tracing is on (observability/http-server-span.ts). */
  traceAs?: TracedService;
  /**
   * Admission control for `path` (the gateway's in-flight cap), after the access log and before
   * the body limit, so a refusal is logged but reads nothing of the request.
   */
  admission?: { path: string; middleware: MiddlewareHandler<AppEnv> };
  /** Request metrics labelled with this service, and GET /metrics when it is served on the service port. */
  metrics?: { service: ServiceLabel; exposure: MetricsExposureConfig };
};

/**
 * The middleware every service shares, in order: request id (+ per-request logger), client IP,
 * security headers, health probes (not access-logged: orchestrators poll them every few seconds),
 * /metrics (when served on the service port), request metrics, access log, body limit; JSON errors
 * for everything, never a stack trace.
 */
export function createServiceApp(options: ServiceAppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestIdMiddleware(options.logger));
  app.use('*', clientIpMiddleware(options.trustProxy));
  app.use('*', options.securityHeaders);
  app.route('/', healthRoutes(options.ready));
  // Scrapes, like probes, are neither counted nor access-logged: they come every few seconds.
  const metricsRoutes = options.metrics && serviceMetricsRoutes(options.metrics.exposure);
  if (metricsRoutes) app.route('/', metricsRoutes);
  if (options.metrics) app.use('*', httpMetricsMiddleware(options.metrics.service));
  // Probes and scrapes above are not traced either.
  if (options.traceAs) app.use('*', httpServerSpan(options.traceAs));
  app.use('*', accessLogMiddleware(options.logger));
  if (options.admission) app.use(options.admission.path, options.admission.middleware);
  app.use('*', bodyLimitMiddleware(options.maxBodyBytes));
  app.onError(createErrorHandler({ fallbackLogger: options.logger }));
  app.notFound(markingUnmatched(notFoundHandler));
  return app;
}
