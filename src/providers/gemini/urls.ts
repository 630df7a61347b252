/**
 * Where requests go and how they authenticate. The key travels in `x-goog-api-key`, never in the
 * `?key=` query parameter Google also accepts: query strings end up in access logs and proxies.
 */
import { UnsupportedFeatureError, type UpstreamTarget } from '../types.js';

export type GeminiMethod = 'generateContent' | 'streamGenerateContent' | 'countTokens' | 'batchEmbedContents';

/** A model id, or a `models/…` / `tunedModels/…` resource name. Nothing else may reach the URL path. */
const MODEL_RESOURCE = /^(?:(?:models|tunedModels)\/)?[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** `models/gemini-2.5-flash` for a bare id; resource names are kept. Refuses anything that could alter the path. */
export function modelResource(model: string): string {
  if (!MODEL_RESOURCE.test(model) || model.includes('..')) {
    throw new UnsupportedFeatureError('gemini', 'model', 'the model name is not a valid Gemini model id');
  }
  return model.includes('/') ? model : `models/${model}`;
}

export function methodUrl(target: UpstreamTarget, method: GeminiMethod): string {
  const base = target.baseUrl.replace(/\/+$/, '');
  // Without alt=sse Gemini streams one JSON array instead of server-sent events.
  const query = method === 'streamGenerateContent' ? '?alt=sse' : '';
  return `${base}/v1beta/${modelResource(target.model)}:${method}${query}`;
}

export function requestHeaders(target: UpstreamTarget, stream = false): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    'x-goog-api-key': target.apiKey,
  };
}
