/**
 * Loopback-only admin endpoint of a running embedded server. CLI commands (bootstrap, migrate,
 * doctor, keys, tokens, orgs, audit) use it when the server holds the data dir, so their effects happen inside the running
 * process — caches and the gateway see a change at once — instead of fighting over the lock.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { announceBootstrapChanges, applyBootstrap } from '../bootstrap/apply.js';
import { checkBootstrapBaseUrls, validateBootstrapDocument, BootstrapDocumentError } from '../bootstrap/document.js';
import { systemActor } from '../audit/context.js';
import { constantTimeEqual } from '../crypto/hash.js';
import { pendingMigrationCount } from '../db/migrate.js';
import { applyPendingMigrations } from '../server/migrations.js';
import { badRequest, unauthorized } from '../http/errors.js';
import { readJson } from '../http/json-body.js';
import { createServiceApp } from '../http/service-app.js';
import { gatewaySecurityHeaders } from '../http/security-headers.js';
import type { AppEnv } from '../http/types.js';
import type { Runtime } from '../server/runtime.js';
import { credentialAdminRoutes } from './credential-routes.js';
import { keyAdminRoutes } from './key-routes.js';
import { auditAdminRoutes } from './audit-routes.js';
import { doctorAdminRoutes } from './doctor-routes.js';

export function createAdminApp(runtime: Runtime, token: string, info: { services: string[] }): Hono<AppEnv> {
  const app = createServiceApp({
    logger: runtime.logger,
    trustProxy: { kind: 'none' },
    maxBodyBytes: 10 * 1024 * 1024,
    securityHeaders: gatewaySecurityHeaders(),
    ready: () => runtime.ping(),
  });
  app.use('/admin/*', async (c, next) => {
    const match = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '');
    if (!match || !constantTimeEqual(match[1]!, token)) throw unauthorized('Admin token required');
    await next();
  });

  app.get('/admin/status', async (c) =>
    c.json({
      pid: process.pid,
      services: info.services,
      database: runtime.database.kind,
      store: runtime.store.kind,
      pendingMigrations: await pendingMigrationCount(runtime.database),
    }),
  );

  app.post('/admin/migrate', async (c) => {
    return c.json({ applied: await applyPendingMigrations(runtime.database, systemActor('cli', runtime.host)) });
  });

  app.post('/admin/bootstrap', async (c) => {
    const body = await readJson(c, z.object({ document: z.unknown() }));
    let document;
    try {
      document = validateBootstrapDocument(body.document);
      checkBootstrapBaseUrls(document, { allowPrivate: runtime.config.allowPrivateProviderUrls });
    } catch (error) {
      if (error instanceof BootstrapDocumentError) throw badRequest(error.message, 'invalid_bootstrap_file');
      throw error;
    }
    const result = await applyBootstrap(document, {
      db: runtime.apiDb,
      keyring: runtime.keyring,
      ctx: { actor: systemActor('cli', runtime.host), requestId: c.get('requestId') },
    });
    await announceBootstrapChanges(runtime.bus, result);
    return c.json(result);
  });
  app.route('/', credentialAdminRoutes(runtime));
  app.route('/', keyAdminRoutes(runtime, info));
  app.route('/', auditAdminRoutes(runtime));
  app.route('/', doctorAdminRoutes(runtime));
  return app;
}
