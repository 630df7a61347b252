/**
 * Token counting via `:countTokens`. System instructions and tools count too, and the endpoint only takes
 * them inside a `generateContentRequest` (exclusive with the top-level `contents`). Sampling settings are not
 * sent: they do not change the count and some (candidateCount) are validated against the model.
 */
import type { ChatRequest } from '../../gateway/canonical/types.js';
import type { UpstreamRequest, UpstreamTarget } from '../types.js';
import { promptBody } from './request.js';
import { methodUrl, modelResource, requestHeaders } from './urls.js';
import { countTokensResponseSchema, parseWire } from './wire-response.js';

export function countTokensRequest(request: ChatRequest, target: UpstreamTarget): UpstreamRequest {
  const { toolConfig: _notCounted, ...prompt } = promptBody(request, target.model);
  return {
    url: methodUrl(target, 'countTokens'),
    method: 'POST',
    headers: requestHeaders(target),
    body: JSON.stringify({ generateContentRequest: { model: modelResource(target.model), ...prompt } }),
  };
}

export function countTokensResponse(body: unknown): { inputTokens: number } {
  const response = parseWire(countTokensResponseSchema, body, 'countTokens response');
  return { inputTokens: response.totalTokens ?? 0 };
}
