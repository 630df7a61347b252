import type { Hono } from 'hono';
import { apiCors } from '../http/cors.js';
import { apiSecurityHeaders, isSecureRequest } from '../http/security-headers.js';
import { createServiceApp } from '../http/service-app.js';
import type { AppEnv } from '../http/types.js';
import type { Runtime } from '../server/runtime.js';
import { setupRoutes } from './routes/setup.js';
import { signInPageRoutes } from './routes/sign-in-page.js';
import { accountPageRoutes } from './routes/account-pages.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { instanceHasAdmin } from '../setup/setup-link.js';
import { managementApp, type ManagementOptions } from './management.js';

/** The api service (`/api/*` and the dashboard, port 4001). */
export function createApiApp(runtime: Runtime, options: ManagementOptions = {}): Hono<AppEnv> {
  const { config } = runtime;
  const app = createServiceApp({
    logger: runtime.logger,
    trustProxy: config.trustProxy,
    maxBodyBytes: config.apiMaxBodyBytes,
    // HSTS when every response is TLS (served here), or when an https PUBLIC_URL sits behind a
    // trusted TLS proxy and that proxy says this request came over HTTPS.
    securityHeaders: apiSecurityHeaders({
      hsts:
        config.tls !== undefined ||
        (config.publicUrl.startsWith('https://') && config.trustProxy.kind !== 'none'
          ? (c) => isSecureRequest(c, config.trustProxy)
          : false),
    }),
    ready: () => runtime.ping(),
    traceAs: 'api',
    metrics: { service: 'api', exposure: config.metrics },
  });
  // One instance-wide allow-list: CORS_ORIGINS plus the dashboard's own origin (PUBLIC_URL).
  // '*' is refused in production; elsewhere it means any origin, never with credentials.
  app.use('/api/*', apiCors(config));
  app.route('/', setupRoutes(runtime));
  app.route('/', signInPageRoutes());
  app.route('/', accountPageRoutes());
  // After setup: its routes answer first and are exempt from admin-token authentication.
  app.route('/', managementApp(runtime, options));
  // Last: the dashboard (web/dist) answers browser navigations no route above took; a new
  // instance is sent to its setup page (no more than the status already public at /api/setup).
  app.route('/', dashboardRoutes({ needsSetup: async () => !(await instanceHasAdmin(runtime.apiDb)) }));
  return app;
}
