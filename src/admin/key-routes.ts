/**
 * Loopback admin routes behind `portcullis keys rotate-master|rotate-tenant|rotate-auth-secret` and
 * `portcullis orgs delete|cancel-deletion|set-plan` while a server holds the embedded data dir. Authenticated by the
 * data-dir admin token (see app.ts).
 *
 * The rotations can run for minutes (many stored bodies; the retired key's grace period), so they
 * answer NDJSON: `{"progress": "…"}` lines as they go, then one `{"result": …}` or `{"error": …}`.
 * A client that goes away does not stop the run; running the command again continues it anyway.
 */
import { Hono, type Context } from 'hono';
import { stream } from 'hono/streaming';
import { systemActor, type ActionContext } from '../audit/context.js';
import { MasterKeyNotConfiguredError } from '../credentials/master-key-rotation.js';
import { RETIRED_KEY_GRACE_MS } from '../credentials/tenant-key-rotation.js';
import { UnknownMasterKeyError } from '../crypto/master-keyring.js';
import { HttpError } from '../http/errors.js';
import { reencryptUnderCurrentAuthSecret } from '../identity/auth-secret-rotation.js';
import { readJson } from '../http/json-body.js';
import type { AppEnv } from '../http/types.js';
import type { Runtime } from '../server/runtime.js';
import {
  keyOperatorSchemas,
  operatorCancelOrgDeletion,
  operatorDeleteOrg,
  operatorRotateMaster,
  operatorRotateTenant,
  operatorSetPlan,
  type KeyOperatorDeps,
  type Progress,
} from './key-operations.js';

/** Errors whose message is written for the operator; anything else is logged and reported by request id. */
export function operatorMessage(error: unknown): string | undefined {
  if (error instanceof HttpError || error instanceof MasterKeyNotConfiguredError || error instanceof UnknownMasterKeyError)
    return error.message;
  return undefined;
}

export function keyAdminRoutes(runtime: Runtime, info: { services: readonly string[] }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const logger = runtime.logger.child({ service: 'admin' });
  const deps: KeyOperatorDeps = { db: runtime.apiDb, bus: runtime.bus, logger, keyring: runtime.keyring };
  const ctx = (c: Context<AppEnv>): ActionContext => ({ actor: systemActor('cli', runtime.host), requestId: c.get('requestId') });
  // Only this process can hold the embedded data dir: without its own gateway, none is sealing
  // bodies under a retired key, and the key can go as soon as nothing refers to it.
  const defaultGraceMs = info.services.includes('gateway') ? RETIRED_KEY_GRACE_MS : 0;

  const ndjson = <T>(c: Context<AppEnv>, run: (progress: Progress) => Promise<T>): Response => {
    c.header('content-type', 'application/x-ndjson; charset=utf-8');
    return stream(c, async (out) => {
      let pending = Promise.resolve();
      const emit = (value: unknown) => {
        // In order, and never failing the run: a closed connection only loses the lines.
        pending = pending
          .then(() => out.write(`${JSON.stringify(value)}\n`))
          .then(
            () => undefined,
            () => undefined,
          );
      };
      try {
        emit({ result: await run((line) => emit({ progress: line })) });
      } catch (error) {
        const message = operatorMessage(error);
        if (message === undefined) logger.error({ err: error, path: c.req.path }, 'admin operation failed');
        emit({ error: { message: message ?? `Internal error (request id ${c.get('requestId')}); see the server log.` } });
      }
      await pending;
    });
  };

  app.post('/admin/keys/rotate-master', async (c) => {
    const input = await readJson(c, keyOperatorSchemas.rotateMaster);
    return ndjson(c, (progress) => operatorRotateMaster(deps, ctx(c), progress, input));
  });
  app.post('/admin/keys/rotate-auth-secret', async (c) => {
    await readJson(c, keyOperatorSchemas.rotateAuthSecret);
    const secrets = { current: runtime.secrets.authSecret, previous: runtime.secrets.previousAuthSecrets };
    return c.json(await reencryptUnderCurrentAuthSecret(runtime.apiDb, secrets, ctx(c)));
  });
  app.post('/admin/keys/rotate-tenant', async (c) => {
    const input = await readJson(c, keyOperatorSchemas.rotateTenant);
    return ndjson(c, (progress) => operatorRotateTenant(deps, input, ctx(c), progress, defaultGraceMs));
  });
  app.post('/admin/orgs/delete', async (c) =>
    c.json(await operatorDeleteOrg(deps, await readJson(c, keyOperatorSchemas.orgsDelete), ctx(c), runtime.config.orgDeletionGraceDays)),
  );
  app.post('/admin/orgs/cancel-deletion', async (c) =>
    c.json(await operatorCancelOrgDeletion(deps, await readJson(c, keyOperatorSchemas.orgsCancelDeletion), ctx(c))),
  );
  app.post('/admin/orgs/set-plan', async (c) =>
    c.json(await operatorSetPlan(deps, await readJson(c, keyOperatorSchemas.orgsSetPlan), ctx(c))),
  );
  return app;
}
