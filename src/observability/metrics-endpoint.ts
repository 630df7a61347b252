/**
 * GET /metrics: the registry in Prometheus text format. Where it is served is the operator's
 * choice, and by default nowhere (the exposition tells anyone who reads it traffic volumes,
 * providers and models in use, error rates):
 *   - METRICS_PORT set: on a listener of its own serving nothing else (scraped from inside the
 *     cluster; the service ports answer /metrics with 404);
 *   - otherwise METRICS_TOKEN set: on each service's own port, to `Authorization: Bearer <token>`;
 *   - neither: not served (404).
 * With both, the metrics port asks for the token too.
 */
import { Hono, type Handler } from 'hono';
import type { Logger } from 'pino';
import { constantTimeEqual } from '../crypto/hash.js';
import { createErrorHandler, HttpError, notFoundHandler } from '../http/errors.js';
import type { AppEnv } from '../http/types.js';
import { metricsRegistry } from './metrics.js';

export type MetricsExposureConfig = {
  /** METRICS_PORT: a separate listener for /metrics. */
  port: number | undefined;
  /** METRICS_TOKEN: the bearer token /metrics asks for. */
  token: string | undefined;
};

export type MetricsExposure = 'metrics-port' | 'service-port' | 'off';

export function metricsExposure(config: MetricsExposureConfig): MetricsExposure {
  if (config.port !== undefined) return 'metrics-port';
  return config.token !== undefined ? 'service-port' : 'off';
}

function presentedBearer(header: string | undefined): string | undefined {
  return /^Bearer (\S+)$/i.exec(header ?? '')?.[1];
}

/** Serves the registry; with a token, only to a request that presents it (compared in constant time). */
export function metricsHandler(token: string | undefined): Handler<AppEnv> {
  return async (c) => {
    if (token !== undefined) {
      const presented = presentedBearer(c.req.header('authorization'));
      if (presented === undefined || !constantTimeEqual(presented, token))
        throw new HttpError(401, 'authentication_error', 'invalid_metrics_token', 'A valid metrics bearer token is required.', {
          headers: { 'www-authenticate': 'Bearer realm="metrics"' },
        });
    }
    const body = await metricsRegistry.metrics();
    return c.body(body, 200, { 'content-type': metricsRegistry.contentType, 'cache-control': 'no-store' });
  };
}

/** The /metrics route of a service port, or undefined when the service port does not serve it. */
export function serviceMetricsRoutes(config: MetricsExposureConfig): Hono<AppEnv> | undefined {
  if (metricsExposure(config) !== 'service-port') return undefined;
  return new Hono<AppEnv>().get('/metrics', metricsHandler(config.token));
}

/** The app of the METRICS_PORT listener: GET /metrics and nothing else. */
export function createMetricsApp(config: MetricsExposureConfig, logger: Logger): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/metrics', metricsHandler(config.token));
  app.onError(createErrorHandler({ fallbackLogger: logger }));
  app.notFound(notFoundHandler);
  return app;
}
