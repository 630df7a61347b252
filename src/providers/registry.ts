/**
 * The adapter for each provider id. A Record (not a switch) so adding an id to PROVIDER_IDS without
 * an adapter fails the type check.
 */
import { anthropicAdapter } from './anthropic/index.js';
import { azureOpenaiAdapter } from './azure-openai/index.js';
import { deepseekAdapter } from './deepseek/index.js';
import { geminiAdapter } from './gemini/index.js';
import { groqAdapter } from './groq/index.js';
import type { ProviderId } from './ids.js';
import { mistralAdapter } from './mistral/index.js';
import { openaiAdapter } from './openai/index.js';
import { openaiCompatibleAdapter } from './openai-compatible/index.js';
import { togetherAdapter } from './together/index.js';
import type { ProviderAdapter } from './types.js';
import { xaiAdapter } from './xai/index.js';

const ADAPTERS: Readonly<Record<ProviderId, ProviderAdapter>> = {
  openai: openaiAdapter,
  'azure-openai': azureOpenaiAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
  mistral: mistralAdapter,
  groq: groqAdapter,
  deepseek: deepseekAdapter,
  xai: xaiAdapter,
  together: togetherAdapter,
  'openai-compatible': openaiCompatibleAdapter,
};

export function providerAdapter(id: ProviderId): ProviderAdapter {
  // Own-property lookup: an id arriving from configuration must not resolve through the prototype.
  if (!Object.hasOwn(ADAPTERS, id)) throw new Error(`unknown provider id: ${String(id)}`);
  return ADAPTERS[id];
}
