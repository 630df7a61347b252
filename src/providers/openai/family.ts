/**
 * Builds a ProviderAdapter for any provider speaking the OpenAI wire formats. What differs between
 * OpenAI, Azure OpenAI and the OpenAI-compatible providers is only where requests go, how they
 * authenticate, and the dialect; the translation code is shared.
 */
import type { ProviderId } from '../ids.js';
import type { ApiFormat, ProviderAdapter, UpstreamRequest, UpstreamTarget } from '../types.js';
import { buildChatBody } from './chat-request.js';
import { parseChatCompletion } from './chat-response.js';
import { createChatStreamDecoder } from './chat-stream.js';
import type { ChatDialect } from './dialect.js';
import type { EmbeddingsDialect } from './embeddings.js';
import { buildEmbeddingsBody, parseEmbeddingsResponse } from './embeddings.js';
import { openAiErrorInfo } from './errors.js';
import { passthroughBody, passthroughUsage } from './passthrough.js';
import { chatPassthroughObserver, responsesPassthroughObserver } from './passthrough-stream.js';
import { jsonHeaders, trimTrailingSlash } from './wire.js';

export type Endpoints = {
  chat: (target: UpstreamTarget) => string;
  /** Only for providers with 'openai-responses' in `native`. */
  responses?: (target: UpstreamTarget) => string;
  embeddings?: (target: UpstreamTarget) => string;
  /** Authentication headers for the target's key. */
  auth: (target: UpstreamTarget) => Record<string, string>;
};

export type FamilySpec = {
  id: ProviderId;
  defaultBaseUrl: string | undefined;
  dialect: ChatDialect;
  native: readonly ApiFormat[];
  /** Present when the provider has an embeddings endpoint. */
  embeddings?: EmbeddingsDialect;
  endpoints: Endpoints;
};

export function createOpenAiFamilyAdapter(spec: FamilySpec): ProviderAdapter {
  const { id, dialect, endpoints } = spec;
  const post = (url: string, target: UpstreamTarget, body: Record<string, unknown>): UpstreamRequest => ({
    url,
    method: 'POST',
    headers: jsonHeaders(endpoints.auth(target)),
    body: JSON.stringify(body),
  });

  const embeddings = spec.embeddings;
  const embeddingsUrl = endpoints.embeddings;
  const embeddingMethods: Pick<ProviderAdapter, 'embeddingsRequest' | 'embeddingsResponse'> =
    embeddings && embeddingsUrl
      ? {
          embeddingsRequest: (request, target) =>
            post(embeddingsUrl(target), target, buildEmbeddingsBody(request, target.model, embeddings)),
          embeddingsResponse: (body) => parseEmbeddingsResponse(body, id),
        }
      : {};

  return {
    id,
    defaultBaseUrl: spec.defaultBaseUrl,
    capabilities: {
      native: spec.native,
      embeddings: embeddingMethods.embeddingsRequest !== undefined,
      countTokens: false,
      maxChoices: dialect.maxChoices,
    },
    chatRequest: (request, target) => post(endpoints.chat(target), target, buildChatBody(request, target.model, dialect)),
    chatResponse: (body) => parseChatCompletion(body, dialect),
    chatStreamDecoder: () => createChatStreamDecoder(dialect),
    passthroughRequest(input) {
      if (!spec.native.includes(input.format)) throw new Error(`${id} does not speak ${input.format} natively`);
      if (input.operation !== undefined && input.operation !== 'chat') throw new Error(`${id} has no native ${input.operation} endpoint`);
      const url =
        input.format === 'openai-responses' && endpoints.responses ? endpoints.responses(input.target) : endpoints.chat(input.target);
      return post(url, input.target, passthroughBody(input, dialect));
    },
    passthroughResponseUsage: (format, body) => passthroughUsage(id, format, body),
    passthroughStreamObserver: (format, options) =>
      format === 'openai-responses' ? responsesPassthroughObserver() : chatPassthroughObserver(options),
    ...embeddingMethods,
    errorInfo: openAiErrorInfo,
  };
}

export const bearerAuth = (target: UpstreamTarget): Record<string, string> => ({ authorization: `Bearer ${target.apiKey}` });

/** `{baseUrl}{path}`, tolerating a base URL stored with a trailing slash. */
export const endpoint = (target: UpstreamTarget, path: string): string => `${trimTrailingSlash(target.baseUrl)}${path}`;
