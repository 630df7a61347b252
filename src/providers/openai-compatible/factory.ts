/**
 * Adapters for providers that speak Chat Completions "compatibly": the OpenAI translation with
 * each provider's quirks declared as dialect overrides. The base dialect is deliberately
 * conservative (only what practically every compatible server accepts); each provider folder
 * turns on what its documentation says it supports.
 */
import type { ProviderId } from '../ids.js';
import type { ChatDialect } from '../openai/dialect.js';
import type { EmbeddingsDialect } from '../openai/embeddings.js';
import { bearerAuth, createOpenAiFamilyAdapter, endpoint } from '../openai/family.js';
import type { ProviderAdapter } from '../types.js';

export type CompatibleSpec = {
  id: ProviderId;
  /** Undefined for self-hosted servers: the provider key must carry the base URL. */
  defaultBaseUrl: string | undefined;
  dialect?: Partial<Omit<ChatDialect, 'provider'>>;
  /** Present when the provider has a `/embeddings` endpoint. */
  embeddings?: Partial<Omit<EmbeddingsDialect, 'provider'>>;
};

export const compatibleDialectBase: Omit<ChatDialect, 'provider'> = {
  maxTokensField: 'max_tokens',
  seedField: 'seed',
  streamUsageOption: true,
  maxChoices: 1,
  jsonSchema: true,
  logprobs: false,
  topK: false,
  developerRole: false,
  messageName: true,
  user: false,
  audioInput: false,
  fileInput: false,
  reasoningEffort: 'send',
  minimalEffort: 'low',
  replayReasoning: false,
  assistantRefusal: false,
  reasoningFields: ['reasoning_content', 'reasoning'],
  toolCallIds: 'any',
};

export const compatibleEmbeddingsBase: Omit<EmbeddingsDialect, 'provider'> = {
  dimensionsField: undefined,
  encodingFormat: false,
  tokenInput: false,
  user: false,
};

export function createOpenAiCompatibleAdapter(spec: CompatibleSpec): ProviderAdapter {
  return createOpenAiFamilyAdapter({
    id: spec.id,
    defaultBaseUrl: spec.defaultBaseUrl,
    dialect: { ...compatibleDialectBase, ...spec.dialect, provider: spec.id },
    // They all speak Chat Completions, so an OpenAI-format client's body is forwarded as-is.
    native: ['openai-chat'],
    ...(spec.embeddings ? { embeddings: { ...compatibleEmbeddingsBase, ...spec.embeddings, provider: spec.id } } : {}),
    endpoints: {
      chat: (target) => endpoint(target, '/chat/completions'),
      embeddings: (target) => endpoint(target, '/embeddings'),
      auth: bearerAuth,
    },
  });
}
