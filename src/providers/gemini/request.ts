/**
 * ChatRequest → POST …/v1beta/models/{model}:generateContent (or :streamGenerateContent?alt=sse).
 *
 * Not sent, on purpose: `user` and `metadata` (no Gemini field; they are the gateway's bookkeeping),
 * `parallelToolCalls` (see tools.ts), cache-control markers (Gemini caches implicitly), image `detail`.
 * Safety settings are left at Google's defaults: a gateway should not quietly weaken the provider's filters.
 */
import type { ChatRequest } from '../../gateway/canonical/types.js';
import type { UpstreamRequest, UpstreamTarget } from '../types.js';
import { toConversation } from './contents.js';
import { generationConfig } from './generation-config.js';
import { toTools } from './tools.js';
import { methodUrl, requestHeaders } from './urls.js';
import type { WireGenerateContentRequest } from './wire-request.js';

/** The request body without sampling settings: what countTokens needs too. */
export function promptBody(request: ChatRequest, model: string): WireGenerateContentRequest {
  const conversation = toConversation(request.messages, model);
  return { ...conversation, ...toTools(request.tools, request.toolChoice) };
}

export function generateContentBody(request: ChatRequest, model: string): WireGenerateContentRequest {
  const body = promptBody(request, model);
  const config = generationConfig(request, model);
  return config !== undefined ? { ...body, generationConfig: config } : body;
}

export function chatRequest(request: ChatRequest, target: UpstreamTarget): UpstreamRequest {
  const method = request.stream ? 'streamGenerateContent' : 'generateContent';
  return {
    url: methodUrl(target, method),
    method: 'POST',
    headers: requestHeaders(target, request.stream),
    body: JSON.stringify(generateContentBody(request, target.model)),
  };
}
