import type { Hono } from 'hono';
import { cors } from 'hono/cors';
import { corsMiddleware } from '../http/cors.js';
import { apiSecurityHeaders } from '../http/security-headers.js';
import { createServiceApp } from '../http/service-app.js';
import type { AppEnv } from '../http/types.js';
import type { Runtime } from '../server/runtime.js';
import { setupRoutes } from './routes/setup.js';

/** The api service (`/api/*` and the dashboard, port 4001). */
export function createApiApp(runtime: Runtime): Hono<AppEnv> {
  const { config } = runtime;
  const app = createServiceApp({
    logger: runtime.logger,
    trustProxy: config.trustProxy,
    maxBodyBytes: config.apiMaxBodyBytes,
    securityHeaders: apiSecurityHeaders({ hsts: config.tls !== undefined || config.publicUrl.startsWith('https://') }),
    ready: () => runtime.ping(),
  });
  // '*' is refused in production; elsewhere it means any origin, never with credentials.
  app.use('/api/*', config.corsOrigins === '*' ? cors({ origin: '*', credentials: false }) : corsMiddleware(config.corsOrigins));
  app.route('/', setupRoutes(runtime));
  app.get('/', (c) => c.redirect('/setup', 302));
  return app;
}
