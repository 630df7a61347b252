/**
 * Any OpenAI-compatible server without a public default: Ollama, vLLM, LM Studio, llama.cpp,
 * LiteLLM or another proxy. The provider key carries the base URL (ending in /v1). Everything
 * the Chat Completions format can express is forwarded and the server is the judge of what it
 * supports, except the OpenAI-only `developer` role and `refusal` field, which local servers do
 * not know (sent as `system` / text instead).
 */
import type { ProviderAdapter } from '../types.js';
import { createOpenAiCompatibleAdapter } from './factory.js';

export { createOpenAiCompatibleAdapter } from './factory.js';
export type { CompatibleSpec } from './factory.js';

export const openaiCompatibleAdapter: ProviderAdapter = createOpenAiCompatibleAdapter({
  id: 'openai-compatible',
  defaultBaseUrl: undefined,
  dialect: {
    maxChoices: 128,
    logprobs: true,
    topK: true,
    user: true,
    audioInput: true,
    fileInput: true,
  },
  embeddings: { dimensionsField: 'dimensions', encodingFormat: true, tokenInput: true, user: true },
});
