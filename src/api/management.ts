/**
 * The management api (`/api/*` except first-run setup): admin-token authentication, the route
 * registry and the OpenAPI document generated from it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { createAdminTokenAuthenticator } from '../auth/admin-token-authenticator.js';
import { createKeyedLimiter } from '../limits/keyed-limiter.js';
import { deriveKey } from '../crypto/derive-key.js';
import { noStoreMiddleware } from '../http/security-headers.js';
import { packageRoot } from '../paths.js';
import type { Runtime } from '../server/runtime.js';
import { apiAuthentication } from './authenticate.js';
import type { ApiDeps } from './deps.js';
import type { ApiEnv } from './env.js';
import { buildOpenApiDocument } from './openapi.js';
import { mountRoutes } from './registry.js';
import { managementRoutes } from './routes/index.js';
import type { LiveUsageCounters } from './usage/live-counters.js';

export type ManagementOptions = {
  /** The usage limiter's live counters (see live-counters.ts); request logs otherwise. */
  liveUsage?: LiveUsageCounters;
  /** The gateway's URL when it runs in this process (see services.ts), for provider-key connection tests. */
  gatewayUrl?: string;
};

const packageVersion = () =>
  z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'))).version;

export function managementApp(runtime: Runtime, options: ManagementOptions = {}): Hono<ApiEnv> {
  const redis = runtime.config.redisUrl ? { redis: runtime.config.redisUrl } : {};
  const authenticator = createAdminTokenAuthenticator({
    db: runtime.apiDb,
    pepper: deriveKey(runtime.secrets.authSecret, 'admin-token-cache-pepper'),
    logger: runtime.logger.child({ component: 'admin-token-auth' }),
    throttle: {
      byLookupId: createKeyedLimiter({
        points: 10,
        durationSeconds: 60,
        blockDurationSeconds: 60,
        ...redis,
        prefix: `${runtime.config.redisPrefix}admin-auth-lookup:`,
      }),
      byIp: createKeyedLimiter({
        points: 50,
        durationSeconds: 60,
        blockDurationSeconds: 60,
        ...redis,
        prefix: `${runtime.config.redisPrefix}admin-auth-ip:`,
      }),
    },
  });
  // A token revoked or deleted on another replica arrives as org.changed: drop that org's cached
  // tokens; the next request verifies again.
  runtime.bus.subscribe((event) => {
    if (event.type === 'org.changed') authenticator.forgetOrg(event.orgId);
  });
  const deps: ApiDeps = {
    db: runtime.apiDb,
    bus: runtime.bus,
    logger: runtime.logger.child({ component: 'api' }),
    authenticator,
    keyring: runtime.keyring,
    liveUsage: options.liveUsage,
    providerUrlPolicy: { allowPrivate: runtime.config.allowPrivateProviderUrls },
    gatewayUrl: options.gatewayUrl,
  };
  const routes = managementRoutes(deps);
  const document = buildOpenApiDocument(routes, { version: packageVersion() });

  const api = new Hono<ApiEnv>();
  // Management responses carry keys shown once, tokens and spend figures: no browser, proxy or
  // CDN may keep a copy.
  api.use('/api/*', noStoreMiddleware());
  api.get('/api/openapi.json', (c) => c.json(document));
  api.use('/api/*', apiAuthentication(authenticator));
  mountRoutes(api, routes);
  return api;
}
