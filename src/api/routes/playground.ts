/**
 * The playground's one route: a streamed chat through the gateway with a short-lived key (see
 * src/playground/chat.ts). Developers may use it — it does nothing a developer could not do by
 * creating an API key and calling the gateway — and a member limited to some projects only in
 * theirs (the registry answers 404 for the others). Throttled per user or token: each chat mints
 * and revokes a key (bcrypt, two audit events) and spends the org's money at a provider.
 */
import type { Context } from 'hono';
import type { Principal } from '../../auth/principal.js';
import { tooManyRequests } from '../../http/errors.js';
import { clientGoneSignal } from '../../http/client-gone.js';
import { playgroundChatInputSchema } from '../../playground/chat-input.js';
import { startPlaygroundChat } from '../../playground/chat.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { defineRoute, streamedBody, type ApiRoute } from '../registry.js';
import { projectParams } from '../schemas.js';

async function throttle(deps: ApiDeps, c: Context<ApiEnv>, principal: Principal): Promise<void> {
  if (deps.playgroundThrottle === undefined) return;
  const key = principal.kind === 'session' ? `user:${principal.userId}` : `token:${principal.tokenId}`;
  const result = await deps.playgroundThrottle.consume(key);
  if (!result.allowed) {
    deps.logger.warn({ clientIp: c.get('clientIp') }, 'playground throttled');
    throw tooManyRequests(
      'Too many playground requests. Wait a moment, then send again.',
      result.retryAfterSeconds,
      'playground_throttled',
    );
  }
}

export function playgroundRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'playgroundChat',
      method: 'post',
      path: '/api/orgs/:orgId/projects/:projectId/playground/chat',
      tag: 'Playground',
      summary: 'Chat with a model of the project through the gateway, streamed (NDJSON events)',
      description:
        'Mints an API key of the project that lives 2 minutes and may request only `model`, sends the conversation through the ' +
        'gateway with `stream: true` (routing, org policy, limits and guardrails apply as to any application), relays the answer ' +
        'as it arrives and revokes the key as soon as the gateway is done or the client disconnects (both audited as ' +
        '`api_key.created` / `api_key.revoked`). One JSON object per line: `start` {requestId, provider}; `delta` {text}; ' +
        '`guardrail` {action, detector, rule, category, direction, location} for each guardrail finding (never the matched ' +
        'text); then `error` {code, message, status} or `done` {requestId, provider, model, servedModel, attempts, inputTokens, ' +
        'outputTokens, costUsd, latencyMs, finishReason}. 400 `model_not_usable` when the project may not use the model; 429 ' +
        'when the caller sends too many; 503 `gateway_unavailable` when this api process has no gateway to call.',
      permission: 'api_keys:write',
      params: projectParams,
      body: playgroundChatInputSchema,
      status: 200,
      errors: [429],
      response: streamedBody,
      produces: { 'application/x-ndjson': 'One playground event per line (start, delta, guardrail, then error or done).' },
      async handler({ params, body, principal, ctx, c }) {
        await throttle(deps, c, principal);
        const stream = await startPlaygroundChat(
          { db: deps.db, bus: deps.bus, logger: deps.logger, gatewayUrl: deps.gatewayUrl },
          params.orgId,
          params.projectId,
          body,
          ctx,
          clientGoneSignal(c),
        );
        return c.body(stream, 200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'x-content-type-options': 'nosniff' });
      },
    }),
  ];
}
