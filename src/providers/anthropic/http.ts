/** Where and how requests reach Anthropic: endpoint URLs and the headers every call carries. */
import type { UpstreamTarget } from '../types.js';
import { ANTHROPIC_VERSION } from './constants.js';

export type Endpoint = 'messages' | 'count_tokens';

/** `target.baseUrl` is the SDK-style base without `/v1` (see constants.ts). */
export function endpointUrl(target: UpstreamTarget, endpoint: Endpoint): string {
  const base = target.baseUrl.replace(/\/+$/, '');
  return endpoint === 'messages' ? `${base}/v1/messages` : `${base}/v1/messages/count_tokens`;
}

export type HeaderOverrides = { version?: string; beta?: string };

/** `x-api-key` is the API's native credential header; the 1.x SDKs' Bearer form is equivalent. */
export function upstreamHeaders(target: UpstreamTarget, overrides: HeaderOverrides = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-api-key': target.apiKey,
    'anthropic-version': overrides.version ?? ANTHROPIC_VERSION,
    ...(overrides.beta !== undefined ? { 'anthropic-beta': overrides.beta } : {}),
  };
}
