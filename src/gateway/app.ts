import { Hono } from 'hono';
import { gatewaySecurityHeaders } from '../http/security-headers.js';
import { createServiceApp } from '../http/service-app.js';
import type { AppEnv } from '../http/types.js';
import type { Runtime } from '../server/runtime.js';
import { presentedApiKey, verifyApiKey, type AuthenticatedKey } from './authenticate.js';

export type GatewayEnv = AppEnv & { Variables: AppEnv['Variables'] & { apiKey: AuthenticatedKey } };

/**
 * The gateway service (`/v1/*`, port 4000). Today: health, API-key authentication and the model
 * list; the provider endpoints arrive with the gateway issue and reuse this pipeline.
 */
export function createGatewayApp(runtime: Runtime): Hono<AppEnv> {
  const { config } = runtime;
  const app = createServiceApp({
    logger: runtime.logger,
    trustProxy: config.trustProxy,
    maxBodyBytes: config.gatewayMaxBodyBytes,
    securityHeaders: gatewaySecurityHeaders({ hsts: config.tls !== undefined }),
    ready: () => runtime.ping(),
  });
  const v1 = new Hono<GatewayEnv>();
  v1.use('*', async (c, next) => {
    c.set('apiKey', await verifyApiKey(runtime.gatewayDb, presentedApiKey(c)));
    await next();
  });
  v1.get('/models', (c) => c.json({ object: 'list', data: [] }));
  app.route('/v1', v1);
  return app;
}
