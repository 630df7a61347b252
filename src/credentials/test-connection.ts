/**
 * "Test connection" for a provider key. The api never calls the provider and never decrypts the
 * key: it mints a short-lived API key of the project (see test-connection-key.ts), sends one
 * minimal request through the gateway with it, exactly as an application would (routing, policy,
 * limits and the SSRF guard all apply), and revokes the key whatever happened. The browser gets
 * the outcome only: it never holds a provider key or a long-lived API key.
 */
import type { ActionContext } from '../audit/context.js';
import { HttpError } from '../http/errors.js';
import { announce } from './announce.js';
import { prepareApiKey } from './api-keys.js';
import { gatewayUnavailable, probeGateway } from './gateway-probe.js';
import type { ProviderKeyDeps } from './provider-key-service.js';
import type { TestProviderKeyInput } from './provider-key-input.js';
import { insertTestKey, revokeTestKey } from './test-connection-key.js';
import { planTest } from './test-connection-plan.js';

export type TestConnectionDeps = ProviderKeyDeps & {
  /** Where this process reaches the gateway; undefined when the api runs without one. */
  gatewayUrl: string | undefined;
};

export type TestConnectionResult = {
  ok: boolean;
  /** The gateway's HTTP status (504 when it did not answer in time). */
  status: number;
  provider: string;
  model: string;
  latencyMs: number;
  error?: { code: string | null; message: string };
};

export async function testProviderKeyConnection(
  deps: TestConnectionDeps,
  orgId: string,
  providerKeyId: string,
  input: TestProviderKeyInput,
  ctx: ActionContext,
): Promise<TestConnectionResult> {
  // Not-found and refusals first: nothing is minted for a test that cannot run.
  const draft = await deps.db.withTenant(orgId, (tx) => planTest(tx, providerKeyId, input.projectId, input.model));
  const gatewayUrl = deps.gatewayUrl;
  if (gatewayUrl === undefined) throw gatewayUnavailable();
  // bcrypt outside any transaction; the plan is checked again inside the one that inserts.
  const prepared = await prepareApiKey(draft.projectMode);
  const { plan, keyId } = await deps.db.withTenant(orgId, async (tx) => {
    const plan = await planTest(tx, providerKeyId, input.projectId, input.model);
    if (plan.projectMode !== prepared.kind) throw new Error('project mode changed during a connection test');
    const keyId = await insertTestKey(tx, prepared, { orgId, ...plan }, ctx);
    return { plan, keyId };
  });
  // No api_key.changed after the insert: no cache can hold a key that did not exist.
  const logger = deps.logger.child({ providerKeyId, projectId: plan.projectId });
  try {
    const probe = await probeGateway(gatewayUrl, prepared.token, plan.pinnedModel, ctx.requestId).catch((error: unknown) => {
      // The client hears "unavailable"; the operator needs the reason (refused, TLS, DNS).
      if (error instanceof HttpError) logger.warn({ err: error.cause, gatewayUrl }, 'gateway unreachable for a connection test');
      throw error;
    });
    logger.info({ ok: probe.ok, status: probe.status, latencyMs: probe.latencyMs }, 'provider key connection tested');
    return { ...probe, provider: plan.provider, model: plan.pinnedModel };
  } finally {
    const revoked = await deps.db.withTenant(orgId, (tx) => revokeTestKey(tx, keyId, { orgId, ...plan }, ctx));
    // The gateway cached the key when it verified it: every replica drops it now.
    if (revoked) await announce(deps.bus, { type: 'api_key.changed', orgId, apiKeyId: keyId }, deps.logger);
  }
}
