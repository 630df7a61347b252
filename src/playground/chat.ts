/**
 * The playground: a chat through the gateway on the user's behalf. Like "test connection", the api
 * never calls a provider itself: it mints a short-lived API key of the project that may request
 * only the chosen model (short-lived-key.ts), streams one chat completion through the gateway with
 * it — so routing, org policy, limits, guardrails, usage and request logs all apply as to any
 * application — relays the text as it arrives, revokes the key as soon as the gateway is done (or
 * the browser went away), then reports what the gateway recorded: provider, tokens, cost and every
 * guardrail action, without the matched text.
 */
import { eq } from 'drizzle-orm';
import type { ActionContext } from '../audit/context.js';
import type { CredentialDeps } from '../credentials/api-key-service.js';
import { gatewayUnavailable } from '../credentials/gateway-probe.js';
import { mintShortLivedKey, revokeShortLivedKey, type ShortLivedKey, type ShortLivedKeySpec } from '../credentials/short-lived-key.js';
import { projects } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { loadProjectContext, ProjectNotFoundError } from '../gateway/context/project-context.js';
import { usableModels } from '../gateway/pipeline/models-handler.js';
import { badRequest, notFound } from '../http/errors.js';
import { generateRequestId } from '../http/request-id.js';
import { computeCostMicroUsd } from '../providers/catalog/cost.js';
import { findModel } from '../providers/catalog/catalog.js';
import { PROVIDER_IDS, type ProviderId } from '../providers/ids.js';
import type { PlaygroundChatInput } from './chat-input.js';
import type { GuardrailFinding, PlaygroundEvent } from './events.js';
import { streamGatewayChat, type GatewayChatItem } from './gateway-chat.js';
import { readRecordedOutcome, type RecordedOutcome } from './request-outcome.js';

/** Below the key's two-minute life: a request the gateway authenticated always finishes with a live key. */
export const PLAYGROUND_TIMEOUT_MS = 100_000;
/** How long to wait for the gateway's log writer (it flushes every 200 ms by default). */
const OUTCOME_WAIT_MS = 3_000;

export type PlaygroundDeps = CredentialDeps & {
  gatewayUrl: string | undefined;
  timeoutMs?: number;
  outcomeWaitMs?: number;
};

const projectNotFound = () => notFound('Project not found', 'project_not_found');

/** Refusals before anything is minted: a project of another org, a model the project may not use, no gateway. */
async function checkRequest(deps: PlaygroundDeps, orgId: string, projectId: string, model: string): Promise<string> {
  let project;
  try {
    project = await loadProjectContext(deps.db, orgId, projectId);
  } catch (error) {
    if (error instanceof ProjectNotFoundError) throw projectNotFound();
    throw error;
  }
  const usable = usableModels(project, null).some((m) => m.mode === 'chat' && `${m.provider}/${m.id}` === model);
  if (!usable)
    throw badRequest(`model: ${model} is not a chat model this project may use (see the model list of the project).`, 'model_not_usable');
  if (deps.gatewayUrl === undefined) throw gatewayUnavailable();
  return deps.gatewayUrl;
}

function keySpec(projectId: string, model: string) {
  return async (tx: Tx): Promise<ShortLivedKeySpec> => {
    const [project] = await tx.select({ name: projects.name, mode: projects.mode }).from(projects).where(eq(projects.id, projectId));
    if (!project) throw projectNotFound();
    return {
      projectId,
      projectMode: project.mode,
      allowedModels: [model],
      namePrefix: 'playground',
      reason: `playground chat with ${model} in project ${project.name}`,
      details: { purpose: 'playground', model },
    };
  };
}

const isProviderId = (value: string): value is ProviderId => (PROVIDER_IDS as readonly string[]).includes(value);

/** The billed cost from the request log; the catalog price of the streamed usage when the log is late. */
function costUsdOf(
  model: string,
  recorded: RecordedOutcome | undefined,
  usage: { inputTokens: number; outputTokens: number } | null,
): number | null {
  if (recorded?.costMicroUsd != null) return recorded.costMicroUsd / 1_000_000;
  const [provider = '', id = ''] = model.split('/', 2);
  const entry = isProviderId(provider) ? findModel(provider, id) : undefined;
  if (!entry || !usage) return null;
  const micro = computeCostMicroUsd(entry.pricing, { ...usage, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0 });
  return micro / 1_000_000;
}

/**
 * Checks, mints the key, and returns the NDJSON stream (see events.ts). Errors before the stream
 * (404, 400, 503) are thrown as HttpErrors; everything after is an event.
 */
export async function startPlaygroundChat(
  deps: PlaygroundDeps,
  orgId: string,
  projectId: string,
  input: PlaygroundChatInput,
  ctx: ActionContext,
  clientGone: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const gatewayUrl = await checkRequest(deps, orgId, projectId, input.model);
  const key = await mintShortLivedKey(deps, orgId, keySpec(projectId, input.model), ctx);
  const cancelled = new AbortController();
  const gone = AbortSignal.any([clientGone, cancelled.signal]);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: PlaygroundEvent) => {
        try {
          controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        } catch {
          // The reader is gone (cancelled): nothing to deliver to.
        }
      };
      // Not awaited: the Response must go out while the chat is still running.
      void relay(deps, { orgId, gatewayUrl, input, ctx, key, gone }, send).finally(() => {
        try {
          controller.close();
        } catch {
          // Already cancelled by the reader.
        }
      });
    },
    cancel() {
      cancelled.abort(new Error('playground stream cancelled'));
    },
  });
}

type RelayContext = {
  orgId: string;
  gatewayUrl: string;
  input: PlaygroundChatInput;
  ctx: ActionContext;
  key: ShortLivedKey<ShortLivedKeySpec>;
  gone: AbortSignal;
};

async function relay(deps: PlaygroundDeps, run: RelayContext, send: (event: PlaygroundEvent) => void): Promise<void> {
  const started = performance.now();
  const requestId = generateRequestId();
  const logger = deps.logger.child({ orgId: run.orgId, projectId: run.key.spec.projectId, gatewayRequestId: requestId });
  let accepted: Extract<GatewayChatItem, { kind: 'accepted' }> | undefined;
  let finished: Extract<GatewayChatItem, { kind: 'finished' }> | undefined;
  let failed: Extract<GatewayChatItem, { kind: 'failed' }> | undefined;
  let abandoned = false;
  try {
    const items = streamGatewayChat({
      gatewayUrl: run.gatewayUrl,
      token: run.key.token,
      requestId,
      input: run.input,
      clientGone: run.gone,
      timeoutMs: deps.timeoutMs ?? PLAYGROUND_TIMEOUT_MS,
    });
    for await (const item of items) {
      if (item.kind === 'accepted') {
        accepted = item;
        send({ type: 'start', requestId, provider: item.provider });
      } else if (item.kind === 'text') send({ type: 'delta', text: item.text });
      else if (item.kind === 'finished') finished = item;
      else if (item.kind === 'failed') failed = item;
      else abandoned = true;
    }
  } catch (error) {
    logger.error({ err: error }, 'playground chat failed');
    failed = { kind: 'failed', status: null, code: 'internal_error', message: `The playground failed (request id ${requestId}).` };
  } finally {
    // Whatever happened: the key is of no further use.
    await revokeShortLivedKey(deps, run.orgId, run.key, run.ctx).catch((error: unknown) =>
      logger.error({ err: error, apiKeyId: run.key.keyId }, 'could not revoke a playground key; it expires on its own'),
    );
  }
  const latencyMs = Math.round(performance.now() - started);
  logger.info({ model: run.input.model, outcome: abandoned ? 'abandoned' : (failed?.code ?? 'complete'), latencyMs }, 'playground chat');
  if (abandoned) return;

  const recorded = await readRecordedOutcome(
    deps.db,
    run.orgId,
    { apiKeyId: run.key.keyId, requestId },
    { waitMs: deps.outcomeWaitMs ?? OUTCOME_WAIT_MS, signal: run.gone },
  ).catch((error: unknown) => {
    logger.warn({ err: error }, 'could not read the playground request’s log');
    return undefined;
  });
  const findings: GuardrailFinding[] = recorded?.guardrails ?? (failed?.guardrail ? [failed.guardrail] : []);
  for (const finding of findings) send({ type: 'guardrail', ...finding });
  if (failed) {
    send({ type: 'error', code: failed.code, message: failed.message, status: failed.status });
    return;
  }
  const usage = finished?.usage ?? null;
  send({
    type: 'done',
    requestId,
    provider: recorded?.provider ?? accepted?.provider ?? null,
    model: run.input.model,
    servedModel: recorded?.servedModel ?? finished?.servedModel ?? null,
    attempts: recorded?.attempts ?? accepted?.attempts ?? null,
    inputTokens: recorded?.inputTokens ?? usage?.inputTokens ?? null,
    outputTokens: recorded?.outputTokens ?? usage?.outputTokens ?? null,
    costUsd: costUsdOf(run.input.model, recorded, usage),
    latencyMs,
    finishReason: finished?.reason ?? null,
  });
}
