import type { Hono } from 'hono';
import { apiCors } from '../http/cors.js';
import { apiSecurityHeaders, isSecureRequest } from '../http/security-headers.js';
import { createServiceApp } from '../http/service-app.js';
import type { AppEnv } from '../http/types.js';
import type { Runtime } from '../server/runtime.js';
import { setupRoutes } from './routes/setup.js';
import { signInPageRoutes } from './routes/sign-in-page.js';
import { accountPageRoutes } from './routes/account-pages.js';
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
  });
  // One instance-wide allow-list: CORS_ORIGINS plus the dashboard's own origin (PUBLIC_URL).
  // '*' is refused in production; elsewhere it means any origin, never with credentials.
  app.use('/api/*', apiCors(config));
  app.route('/', setupRoutes(runtime));
  app.route('/', signInPageRoutes());
  app.route('/', accountPageRoutes());
  // After setup: its routes answer first and are exempt from admin-token authentication.
  app.route('/', managementApp(runtime, options));
  // Until the dashboard lands, the root sends a new instance to its setup page and otherwise
  // says what is running; it never reveals more than the setup status already public at /api/setup.
  app.get('/', async (c) => {
    if (!(await instanceHasAdmin(runtime.apiDb))) return c.redirect('/setup', 302);
    return c.html(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Portcullis</title></head><body><main><h1>Portcullis is running</h1>' +
        '<p>The gateway serves <code>/v1</code> on its own port. The dashboard arrives with a later release; use the <code>portcullis</code> CLI meanwhile.</p></main></body></html>',
    );
  });
  return app;
}
