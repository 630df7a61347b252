/**
 * The pipeline step for the org concurrency limit: runs the rest of the /v1 chain holding a place
 * in the org's semaphore (org-concurrency.ts), or refuses the request — logged like a rate-limit
 * refusal, with its status and error code — when the org already has its maximum in progress.
 */
import type { Context, Input, Next } from 'hono';
import { untilResponseDone } from '../../http/response-done.js';
import type { Store } from '../../store/store.js';
import type { GatewayEnv } from '../pipeline/gateway-env.js';
import { acquireOrgConcurrency } from './org-concurrency.js';

export async function withOrgConcurrencySlot<P extends string, I extends Input>(
  c: Context<GatewayEnv, P, I>,
  store: Store,
  next: Next,
): Promise<void> {
  const project = c.get('project');
  const logger = c.get('logger');
  const slot = await acquireOrgConcurrency(
    store,
    {
      orgId: project.orgId,
      maxConcurrentRequests: project.orgSettings.limits.maxConcurrentRequests,
      failOpen: project.orgSettings.limitsFailOpen,
    },
    (error) => logger.warn({ err: error }, 'concurrency lease could not be renewed or released; it expires on its own'),
  );
  if (slot.kind === 'refused') {
    if (slot.error.status === 503)
      logger.error({ err: slot.error.cause }, 'store unavailable: request refused (concurrency limit fails closed)');
    c.get('log').finish(slot.error.status, slot.error.code);
    throw slot.error;
  }
  if (slot.kind === 'failed_open') logger.warn({ err: slot.error }, 'store unavailable: concurrency limit not enforced (org fails open)');
  if (slot.kind !== 'held') return next();
  await untilResponseDone(c, next, slot.release);
}
