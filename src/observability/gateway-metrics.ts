/**
 * Gateway request outcomes, counted from the finished request log: the one record that sees every
 * authenticated /v1 request's final status, provider, model, usage, cost, cache status and time to
 * first token, however the request ended (answered, refused, failed upstream, stream cut).
 *
 * Labels are reduced to bounded sets here: the client's model string is user input, so it only
 * becomes a label when the catalog knows it (as its catalog id), and the endpoint is the route
 * pattern, not the path (`/v1/models/<anything>` would be a series per string).
 */
import { PROVIDER_IDS, type ProviderId } from '../providers/ids.js';
import { findModel, providersOffering } from '../providers/catalog/catalog.js';
import type { RequestLogFields } from '../gateway/pipeline/log-recorder.js';
import {
  cacheLookupsTotal,
  costUsdTotal,
  gatewayRequestDurationSeconds,
  gatewayRequestsTotal,
  gatewayTtftSeconds,
  safely,
  tokensTotal,
} from './metrics.js';

const ENDPOINTS = new Set([
  '/v1/chat/completions',
  '/v1/responses',
  '/v1/messages',
  '/v1/messages/count_tokens',
  '/v1/embeddings',
  '/v1/models',
]);

/** The endpoint's route pattern; anything else (an unknown path under /v1) is `other`. */
export function endpointLabel(path: string): string {
  if (ENDPOINTS.has(path)) return path;
  if (path.startsWith('/v1/models/')) return '/v1/models/:id';
  return 'other';
}

/** A known provider id, or `none` when no provider was reached (refused before routing, say). */
export function providerLabel(provider: string | null): ProviderId | 'none' {
  return provider !== null && (PROVIDER_IDS as readonly string[]).includes(provider) ? (provider as ProviderId) : 'none';
}

/**
 * The catalog id of the model, or `other`. The requested name is tried first (it may be an alias
 * or carry a `provider/` prefix), then the model the provider says it served.
 */
export function modelLabel(provider: ProviderId | 'none', requested: string | null, served: string | null): string {
  for (const name of [requested, served]) {
    if (!name) continue;
    const bare = name.includes('/') ? name.slice(name.indexOf('/') + 1) : name;
    if (provider !== 'none') {
      const entry = findModel(provider, name) ?? findModel(provider, bare);
      if (entry) return entry.id;
    } else {
      const entry = providersOffering(name)[0] ?? providersOffering(bare)[0];
      if (entry) return entry.id;
    }
  }
  return 'other';
}

const COUNTED_CACHE_RESULTS = new Set(['hit', 'miss', 'bypass']);

/** Counts one finished gateway request. Synchronous, cheap, and never throws into the request path. */
export function countGatewayRequest(fields: RequestLogFields): void {
  safely(() => {
    const endpoint = endpointLabel(fields.endpoint);
    const provider = providerLabel(fields.provider);
    const model = modelLabel(provider, fields.model, fields.servedModel);
    const stream = String(fields.stream);
    gatewayRequestsTotal.inc({ endpoint, provider, model, status: String(fields.status) });
    gatewayRequestDurationSeconds.observe({ endpoint, provider, stream }, fields.latencyMs / 1000);
    if (fields.ttftMs !== null) gatewayTtftSeconds.observe({ provider, stream }, fields.ttftMs / 1000);
    if (fields.cacheStatus !== null && COUNTED_CACHE_RESULTS.has(fields.cacheStatus)) cacheLookupsTotal.inc({ result: fields.cacheStatus });
    const usage = fields.usage;
    if (usage) {
      const kinds = {
        input: usage.inputTokens,
        output: usage.outputTokens,
        cached_input: usage.cachedInputTokens,
        cache_write_input: usage.cacheWriteInputTokens,
        reasoning: usage.reasoningTokens,
      };
      for (const [kind, tokens] of Object.entries(kinds)) if (tokens > 0) tokensTotal.inc({ provider, model, kind }, tokens);
    }
    if (fields.costMicroUsd !== null && fields.costMicroUsd > 0) costUsdTotal.inc({ provider, model }, fields.costMicroUsd / 1_000_000);
  });
}
