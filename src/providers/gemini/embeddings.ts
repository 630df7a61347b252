/**
 * Embeddings via `:batchEmbedContents` (one request per input, at most 100 per call upstream). Gemini embeds
 * text only, so token-array inputs are refused. Usage: newer embedding models report
 * `usageMetadata.promptTokenCount`; older ones (text-embedding-004, gemini-embedding-001) report nothing,
 * and usage is then 0. It is not estimated here: the response alone does not carry the input to estimate from.
 */
import type { EmbeddingsRequest, EmbeddingsResponse } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError, type UpstreamRequest, type UpstreamTarget } from '../types.js';
import { methodUrl, modelResource, requestHeaders } from './urls.js';
import { batchEmbedResponseSchema, parseWire } from './wire-response.js';

export const MAX_EMBEDDING_INPUTS = 100;

export function embeddingsRequest(request: EmbeddingsRequest, target: UpstreamTarget): UpstreamRequest {
  const input = request.input;
  if (!input.every((item): item is string => typeof item === 'string')) {
    throw new UnsupportedFeatureError('gemini', 'token_input', 'gemini embeds text only, not token arrays');
  }
  if (input.length === 0 || input.length > MAX_EMBEDDING_INPUTS) {
    throw new UnsupportedFeatureError('gemini', 'input', `gemini embeds between 1 and ${MAX_EMBEDDING_INPUTS} inputs per request`);
  }
  const model = modelResource(target.model);
  const requests = input.map((text) => ({
    model,
    content: { parts: [{ text }] },
    ...(request.dimensions !== undefined ? { outputDimensionality: request.dimensions } : {}),
  }));
  return {
    url: methodUrl(target, 'batchEmbedContents'),
    method: 'POST',
    headers: requestHeaders(target),
    body: JSON.stringify({ requests }),
  };
}

export function embeddingsResponse(body: unknown): EmbeddingsResponse {
  const response = parseWire(batchEmbedResponseSchema, body, 'batchEmbedContents response');
  return {
    // The batch response does not name the model; the gateway knows which one it asked for.
    model: '',
    data: response.embeddings.map((embedding) => embedding.values),
    usage: { inputTokens: response.usageMetadata?.promptTokenCount ?? 0 },
  };
}
