/** Loopback admin route behind `portcullis audit verify` while a server holds the embedded data dir. */
import { Hono } from 'hono';
import { badRequest } from '../http/errors.js';
import { readJson } from '../http/json-body.js';
import type { AppEnv } from '../http/types.js';
import type { Runtime } from '../server/runtime.js';
import { auditVerifySchema, operatorVerifyAudit, UnknownOrgError } from './audit-operations.js';

export function auditAdminRoutes(runtime: Runtime): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/admin/audit/verify', async (c) => {
    const input = await readJson(c, auditVerifySchema);
    try {
      return c.json(
        await operatorVerifyAudit(
          {
            owner: runtime.database.db,
            apiDb: runtime.apiDb,
            authSecret: runtime.secrets.authSecret,
            previousAuthSecrets: runtime.secrets.previousAuthSecrets,
          },
          input,
        ),
      );
    } catch (error) {
      if (error instanceof UnknownOrgError) throw badRequest(error.message, 'unknown_org');
      throw error;
    }
  });
  return app;
}
