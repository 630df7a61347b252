import { Hono, type MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { accessLogMiddleware } from './access-log.js';
import { bodyLimitMiddleware } from './body-limit.js';
import { createErrorHandler, notFoundHandler } from './errors.js';
import { healthRoutes } from './health.js';
import { requestIdMiddleware } from './request-id.js';
import { clientIpMiddleware, type TrustProxy } from './trust-proxy.js';
import type { AppEnv } from './types.js';

export type ServiceAppOptions = {
  logger: Logger;
  trustProxy: TrustProxy;
  maxBodyBytes: number;
  securityHeaders: MiddlewareHandler;
  /** Readiness: rejects when a dependency (database, Redis) is unreachable. */
  ready: () => Promise<void>;
};

/**
 * The middleware every service shares, in order: request id (+ per-request logger), client IP,
 * security headers, health probes (not access-logged: orchestrators poll them every few seconds),
 * access log, body limit; JSON errors for everything, never a stack trace.
 */
export function createServiceApp(options: ServiceAppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestIdMiddleware(options.logger));
  app.use('*', clientIpMiddleware(options.trustProxy));
  app.use('*', options.securityHeaders);
  app.route('/', healthRoutes(options.ready));
  app.use('*', accessLogMiddleware(options.logger));
  app.use('*', bodyLimitMiddleware(options.maxBodyBytes));
  app.onError(createErrorHandler({ fallbackLogger: options.logger }));
  app.notFound(notFoundHandler);
  return app;
}
