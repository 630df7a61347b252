/** Loopback admin route behind `portcullis doctor` while a server holds the embedded data dir: the database checks, run in the server. */
import { Hono } from 'hono';
import { z } from 'zod';
import { databaseChecks } from '../config/doctor-database-checks.js';
import { badRequest } from '../http/errors.js';
import type { AppEnv } from '../http/types.js';
import type { Runtime } from '../server/runtime.js';

// The severity follows the NODE_ENV doctor was run with, which may differ from the server's.
const querySchema = z.object({ production: z.enum(['true', 'false']) });

export function doctorAdminRoutes(runtime: Runtime): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/admin/doctor', async (c) => {
    const query = querySchema.safeParse(c.req.query());
    if (!query.success) throw badRequest('expected ?production=true|false', 'invalid_query');
    const production = query.data.production === 'true';
    const secrets = { current: runtime.secrets.authSecret, previous: runtime.secrets.previousAuthSecrets };
    return c.json({ checks: await databaseChecks(runtime.database, { databaseUrl: runtime.config.databaseUrl, production }, secrets) });
  });
  return app;
}
