/**
 * "Test connection" for a provider key. The api never calls the provider and never decrypts the
 * key: it mints a short-lived API key of the project (see short-lived-key.ts), sends one minimal
 * request through the gateway with it, exactly as an application would (routing, policy, limits
 * and the SSRF guard all apply), and revokes the key whatever happened. The browser gets the
 * outcome only: it never holds a provider key or a long-lived API key.
 */
import type { ActionContext } from '../audit/context.js';
import type { Tx } from '../db/types.js';
import { HttpError } from '../http/errors.js';
import { gatewayUnavailable, probeGateway } from './gateway-probe.js';
import type { ProviderKeyDeps } from './provider-key-service.js';
import type { TestProviderKeyInput } from './provider-key-input.js';
import { mintShortLivedKey, revokeShortLivedKey, type ShortLivedKeySpec } from './short-lived-key.js';
import { planTest, type TestPlan } from './test-connection-plan.js';

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

/** The test key: named test-connection-…, pinned to one model, audited with the provider key under test. */
function testKeySpec(plan: TestPlan): TestPlan & ShortLivedKeySpec {
  return {
    ...plan,
    allowedModels: [plan.pinnedModel],
    namePrefix: 'test-connection',
    reason: `test connection of provider key ${plan.label} (${plan.providerKeyId})`,
    details: { providerKeyId: plan.providerKeyId },
  };
}

export async function testProviderKeyConnection(
  deps: TestConnectionDeps,
  orgId: string,
  providerKeyId: string,
  input: TestProviderKeyInput,
  ctx: ActionContext,
): Promise<TestConnectionResult> {
  const describe = async (tx: Tx) => testKeySpec(await planTest(tx, providerKeyId, input.projectId, input.model));
  // Not-found and refusals first: nothing is minted for a test that cannot run.
  await deps.db.withTenant(orgId, describe);
  const gatewayUrl = deps.gatewayUrl;
  if (gatewayUrl === undefined) throw gatewayUnavailable();
  const key = await mintShortLivedKey(deps, orgId, describe, ctx);
  const plan = key.spec;
  const logger = deps.logger.child({ providerKeyId, projectId: plan.projectId });
  try {
    const probe = await probeGateway(gatewayUrl, key.token, plan.pinnedModel, ctx.requestId).catch((error: unknown) => {
      // The client hears "unavailable"; the operator needs the reason (refused, TLS, DNS).
      if (error instanceof HttpError) logger.warn({ err: error.cause, gatewayUrl }, 'gateway unreachable for a connection test');
      throw error;
    });
    logger.info({ ok: probe.ok, status: probe.status, latencyMs: probe.latencyMs }, 'provider key connection tested');
    return { ...probe, provider: plan.provider, model: plan.pinnedModel };
  } finally {
    await revokeShortLivedKey(deps, orgId, key, ctx);
  }
}
