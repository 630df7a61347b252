/**
 * Loopback admin routes behind `portcullis keys …` and `portcullis tokens create` while a server
 * holds the embedded data dir: the change happens inside the server, so its gateway sees a
 * revocation or rotation at once. Authenticated by the data-dir admin token (see app.ts).
 */
import { Hono, type Context } from 'hono';
import { systemActor, type ActionContext } from '../audit/context.js';
import type { CredentialDeps } from '../credentials/api-key-service.js';
import { readJson } from '../http/json-body.js';
import type { AppEnv } from '../http/types.js';
import type { Runtime } from '../server/runtime.js';
import {
  operatorCreateKey,
  operatorCreateToken,
  operatorDeleteKey,
  operatorListKeys,
  operatorRevokeKey,
  operatorRotateKey,
  operatorSchemas,
  operatorUpdateKey,
} from './credential-operations.js';

export function credentialAdminRoutes(runtime: Runtime): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const deps: CredentialDeps = { db: runtime.apiDb, bus: runtime.bus, logger: runtime.logger.child({ service: 'admin' }) };
  const ctx = (c: Context<AppEnv>): ActionContext => ({ actor: systemActor('cli', runtime.host), requestId: c.get('requestId') });

  app.post('/admin/keys/create', async (c) =>
    c.json(await operatorCreateKey(deps, await readJson(c, operatorSchemas.keysCreate), ctx(c)), 201),
  );
  app.post('/admin/keys/list', async (c) => c.json(await operatorListKeys(deps, await readJson(c, operatorSchemas.keysList))));
  app.post('/admin/keys/update', async (c) => c.json(await operatorUpdateKey(deps, await readJson(c, operatorSchemas.keysUpdate), ctx(c))));
  app.post('/admin/keys/delete', async (c) => c.json(await operatorDeleteKey(deps, await readJson(c, operatorSchemas.keysDelete), ctx(c))));
  app.post('/admin/keys/rotate', async (c) => c.json(await operatorRotateKey(deps, await readJson(c, operatorSchemas.keysRotate), ctx(c))));
  app.post('/admin/keys/revoke', async (c) => c.json(await operatorRevokeKey(deps, await readJson(c, operatorSchemas.keysRevoke), ctx(c))));
  app.post('/admin/tokens/create', async (c) =>
    c.json(await operatorCreateToken(deps, await readJson(c, operatorSchemas.tokensCreate), ctx(c)), 201),
  );
  return app;
}
