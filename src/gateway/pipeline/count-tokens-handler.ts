/**
 * POST /v1/messages/count_tokens (Anthropic's format). Providers with a token-counting endpoint
 * answer exactly; for the others the gateway estimates (about 4 characters per token) and says so
 * in `x-portcullis-token-count: estimated`, because agents use this to plan context, not to bill.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { readJson } from '../../http/json-body.js';
import { countGuardrailEvents } from '../../observability/metrics.js';
import { guardRequest } from '../guardrails/guard-exchange.js';
import { RequestGuard } from '../guardrails/request-guard.js';
import { clientGoneSignal } from '../../http/client-gone.js';
import { parseCountTokensRequest, renderCountTokens } from '../formats/anthropic-messages/index.js';
import type { ChatRequest } from '../canonical/types.js';
import type { GatewayServices } from '../services.js';
import { UnsupportedFeatureError, UpstreamProtocolError } from '../../providers/types.js';
import { redirectFailure, runAttempts, upstreamTimeouts } from './attempts.js';
import type { GatewayEnv } from './gateway-env.js';
import { portcullisHeaders } from './response-headers.js';
import { routeOrThrow } from './route-request.js';

export function estimateInputTokens(request: ChatRequest): number {
  let chars = 0;
  for (const message of request.messages) {
    for (const part of message.content) if (part.type === 'text') chars += part.text.length;
    if (message.role === 'assistant') for (const call of message.toolCalls ?? []) chars += call.name.length + call.arguments.length;
    chars += 4; // role and framing
  }
  for (const tool of request.tools ?? [])
    chars += tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.parameters).length;
  return Math.max(1, Math.ceil(chars / 4));
}

export async function handleCountTokens(
  c: Context<GatewayEnv>,
  services: GatewayServices,
  options: { upstreamTimeoutMs: number; requestTimeoutMs: number },
) {
  const project = c.get('project');
  const signal = clientGoneSignal(c);
  const log = c.get('log');
  // Counted as it would be sent: the same input guardrails as /v1/messages (nothing unredacted
  // reaches the provider's counting endpoint either).
  const guard = new RequestGuard(project.guardrails, services.guardrailValueHash(project.orgId), services.guardrailScanPool);
  log.fields.guardrailEvents = guard.events;
  log.onFinish(() => countGuardrailEvents(guard.events));
  const parsed = await guardRequest(
    { id: 'anthropic-messages', parseRequest: parseCountTokensRequest },
    parseCountTokensRequest(await readJson(c, z.unknown())),
    guard,
  );
  log.fields.model = parsed.request.model;
  const candidates = routeOrThrow(parsed.request.model, project, services, {
    mode: 'chat',
    keyAllowedModels: c.get('apiKey').allowedModels,
  });
  const exact = candidates.filter((candidate) => candidate.provider === 'anthropic' || candidate.provider === 'gemini');
  if (exact.length === 0) {
    const first = candidates[0]!;
    Object.assign(log.fields, { provider: first.provider, attempts: 0 });
    return c.json(renderCountTokens(estimateInputTokens(parsed.request)), 200, {
      ...portcullisHeaders({ provider: first.provider, attempts: 0, cache: undefined }),
      'x-portcullis-token-count': 'estimated',
    });
  }
  const result = await runAttempts<number>({
    candidates: exact,
    services,
    orgId: project.orgId,
    maxRetries: project.projectSettings.maxRetries,
    timeouts: upstreamTimeouts(project.projectSettings, options),
    signal,
    execute: async ({ adapter, target, candidate, timeoutMs }) => {
      if (!adapter.countTokensRequest || !adapter.countTokensResponse)
        throw new UnsupportedFeatureError(candidate.provider, 'count_tokens');
      // Anthropic reads its own count_tokens body best: forward it (only the model rewritten).
      const request =
        adapter.capabilities.native.includes('anthropic-messages') && adapter.passthroughRequest
          ? adapter.passthroughRequest({
              format: 'anthropic-messages',
              operation: 'count_tokens',
              body: parsed.raw,
              target,
              stream: false,
              clientHeaders: c.req.header(),
            })
          : adapter.countTokensRequest({ ...parsed.request, model: target.model }, target);
      const response = await services.upstream.send(request, { signal, timeoutMs });
      if (response.status >= 300 && response.status < 400) {
        response.body.cancel();
        return { kind: 'failed', failure: redirectFailure(response.status) };
      }
      const text = await response.body.text();
      if (response.status >= 400 || response.status < 200)
        return { kind: 'failed', failure: adapter.errorInfo(response.status, response.headers, text) };
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new UpstreamProtocolError(candidate.provider, `${candidate.provider} returned a token count that is not JSON`);
      }
      return { kind: 'ok', value: adapter.countTokensResponse(json).inputTokens };
    },
  });
  Object.assign(log.fields, { provider: result.attempt.candidate.provider, attempts: result.attempts });
  return c.json(
    renderCountTokens(result.value),
    200,
    portcullisHeaders({ provider: result.attempt.candidate.provider, attempts: result.attempts, cache: undefined }),
  );
}
