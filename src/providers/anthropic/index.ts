/**
 * The Anthropic Messages API adapter. Base URL convention: like the official SDK, WITHOUT `/v1`
 * (default https://api.anthropic.com); the adapter appends /v1/messages and
 * /v1/messages/count_tokens. Translated requests are written for anthropic-version 2023-06-01;
 * passthrough forwards the client's anthropic-version and anthropic-beta (see passthrough.ts).
 */
import type { ChatRequest, ChatResponse } from '../../gateway/canonical/types.js';
import type { ProviderAdapter, UpstreamRequest, UpstreamTarget } from '../types.js';
import { ANTHROPIC_DEFAULT_BASE_URL } from './constants.js';
import { anthropicCountTokensRequest, anthropicCountTokensResponse } from './count-tokens.js';
import { anthropicErrorInfo } from './errors.js';
import { endpointUrl, upstreamHeaders } from './http.js';
import { anthropicPassthroughRequest, anthropicPassthroughResponseUsage, anthropicPassthroughStreamObserver } from './passthrough.js';
import { buildMessagesBody } from './request.js';
import { decodeMessage } from './response.js';
import { createAnthropicStreamDecoder } from './stream-decoder.js';

export const anthropicAdapter: ProviderAdapter = {
  id: 'anthropic',
  defaultBaseUrl: ANTHROPIC_DEFAULT_BASE_URL,
  capabilities: { native: ['anthropic-messages'], embeddings: false, countTokens: true, maxChoices: 1 },

  chatRequest(request: ChatRequest, target: UpstreamTarget): UpstreamRequest {
    const body = buildMessagesBody(request, target.model);
    return { url: endpointUrl(target, 'messages'), method: 'POST', headers: upstreamHeaders(target), body: JSON.stringify(body) };
  },
  chatResponse: (body: unknown): ChatResponse => decodeMessage(body),
  chatStreamDecoder: createAnthropicStreamDecoder,

  passthroughRequest: anthropicPassthroughRequest,
  passthroughResponseUsage: anthropicPassthroughResponseUsage,
  passthroughStreamObserver: (format) => anthropicPassthroughStreamObserver(format),

  countTokensRequest: anthropicCountTokensRequest,
  countTokensResponse: anthropicCountTokensResponse,

  errorInfo: anthropicErrorInfo,
};
