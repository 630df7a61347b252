/** POST /v1/embeddings in OpenAI's format, for every provider with embeddings. */
import type { Context } from 'hono';
import { z } from 'zod';
import { readJson } from '../../http/json-body.js';
import { countGuardrailEvents } from '../../observability/metrics.js';
import { guardEmbeddingsInput } from '../guardrails/guard-exchange.js';
import { RequestGuard } from '../guardrails/request-guard.js';
import { clientGoneSignal } from '../../http/client-gone.js';
import { providerAdapter } from '../../providers/registry.js';
import { UnsupportedFeatureError, UpstreamProtocolError } from '../../providers/types.js';
import { computeCostMicroUsd } from '../../providers/catalog/cost.js';
import type { EmbeddingsResponse } from '../canonical/types.js';
import type { GatewayServices } from '../services.js';
import { redirectFailure, runAttempts, upstreamTimeouts } from './attempts.js';
import type { GatewayEnv } from './gateway-env.js';
import { portcullisHeaders } from './response-headers.js';
import { routeOrThrow } from './route-request.js';
import { enforceLimits } from '../limits/enforce-limits.js';

const MAX_INPUTS = 2048;

const embeddingsRequestSchema = z
  .object({
    model: z.string().min(1).max(200),
    input: z.union([
      z.string(),
      z.array(z.string()).min(1).max(MAX_INPUTS),
      // Token arrays: forwarded to providers that accept them.
      z.array(z.number().int()).min(1),
      z.array(z.array(z.number().int()).min(1)).min(1).max(MAX_INPUTS),
    ]),
    dimensions: z.number().int().min(1).max(65_536).optional(),
    encoding_format: z.enum(['float', 'base64']).optional(),
    user: z.string().max(256).optional(),
  })
  .strict();

/** Float32 little-endian, base64: what OpenAI returns for encoding_format=base64 (the openai SDK's default). */
function toBase64(vector: number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => buffer.writeFloatLE(value, i * 4));
  return buffer.toString('base64');
}

export async function handleEmbeddings(
  c: Context<GatewayEnv>,
  services: GatewayServices,
  options: { upstreamTimeoutMs: number; requestTimeoutMs: number },
) {
  const project = c.get('project');
  const signal = clientGoneSignal(c);
  const log = c.get('log');
  const body = await readJson(c, embeddingsRequestSchema);
  log.fields.model = body.model;
  const candidates = routeOrThrow(body.model, project, services, {
    keyAllowedModels: c.get('apiKey').allowedModels,
    mode: 'embedding',
    supports: (p) => providerAdapter(p).capabilities.embeddings,
  });

  await enforceLimits(c, services, candidates, {
    // A token covers at least one byte: the input's UTF-8 size bounds its tokens.
    inputTokens: () => Buffer.byteLength(JSON.stringify(body.input)),
    maxOutputTokens: 0,
  });
  // Input guardrails after the limits (which bound a client's share of scanning), before the provider.
  const guard = new RequestGuard(project.guardrails, services.guardrailValueHash(project.orgId), services.guardrailScanPool);
  log.fields.guardrailEvents = guard.events;
  log.onFinish(() => countGuardrailEvents(guard.events));
  await guardEmbeddingsInput(body, guard);
  const input: string[] | number[][] =
    typeof body.input === 'string'
      ? [body.input]
      : body.input.length > 0 && typeof body.input[0] === 'number'
        ? [body.input as number[]]
        : (body.input as string[] | number[][]);
  const result = await runAttempts<EmbeddingsResponse>({
    candidates,
    services,
    orgId: project.orgId,
    maxRetries: project.projectSettings.maxRetries,
    timeouts: upstreamTimeouts(project.projectSettings, options),
    signal,
    execute: async ({ adapter, target, candidate, timeoutMs }) => {
      if (!adapter.embeddingsRequest || !adapter.embeddingsResponse) throw new UnsupportedFeatureError(candidate.provider, 'embeddings');
      const request = adapter.embeddingsRequest(
        {
          model: target.model,
          input,
          ...(body.dimensions ? { dimensions: body.dimensions } : {}),
          encodingFormat: 'float',
          ...(body.user ? { user: body.user } : {}),
        },
        target,
      );
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
        throw new UpstreamProtocolError(candidate.provider, `${candidate.provider} returned embeddings that are not JSON`);
      }
      return { kind: 'ok', value: adapter.embeddingsResponse(json) };
    },
  });
  const { candidate } = result.attempt;
  const usage = {
    inputTokens: result.value.usage.inputTokens,
    outputTokens: 0,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    reasoningTokens: 0,
  };
  Object.assign(log.fields, {
    provider: candidate.provider,
    attempts: result.attempts,
    servedModel: result.value.model || result.attempt.target.model,
    usage,
    costMicroUsd: candidate.catalog ? computeCostMicroUsd(candidate.catalog.pricing, usage) : null,
  });
  const base64 = body.encoding_format === 'base64';
  return c.json(
    {
      object: 'list',
      data: result.value.data.map((vector, index) => ({ object: 'embedding', index, embedding: base64 ? toBase64(vector) : vector })),
      // Some providers (Gemini) do not name the model in embedding responses.
      model: result.value.model || result.attempt.target.model,
      usage: { prompt_tokens: usage.inputTokens, total_tokens: usage.inputTokens },
    },
    200,
    portcullisHeaders({ provider: candidate.provider, attempts: result.attempts, cache: undefined }),
  );
}
