/**
 * OpenAI (api.openai.com): Chat Completions and Responses natively, embeddings.
 */
import type { ProviderAdapter } from '../types.js';
import { openAiDialect } from './dialect.js';
import { openAiEmbeddingsDialect } from './embeddings.js';
import { bearerAuth, createOpenAiFamilyAdapter, endpoint } from './family.js';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export const openaiAdapter: ProviderAdapter = createOpenAiFamilyAdapter({
  id: 'openai',
  defaultBaseUrl: OPENAI_DEFAULT_BASE_URL,
  dialect: openAiDialect,
  native: ['openai-chat', 'openai-responses'],
  embeddings: openAiEmbeddingsDialect,
  endpoints: {
    chat: (target) => endpoint(target, '/chat/completions'),
    responses: (target) => endpoint(target, '/responses'),
    embeddings: (target) => endpoint(target, '/embeddings'),
    auth: bearerAuth,
  },
});
