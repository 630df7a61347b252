/**
 * Together AI. `max_tokens`, `top_k`, `n` (up to 128) and json_schema structured output are
 * documented. Its `logprobs` is an integer (a count), not OpenAI's boolean, so logprobs are
 * refused rather than mistranslated. Unsure whether `stream_options` is accepted, so it is not
 * sent: Together puts usage on the final chunk unasked. Reasoning models return `reasoning`.
 * Embeddings: `{model, input}` only, floats.
 */
import { createOpenAiCompatibleAdapter } from '../openai-compatible/factory.js';
import type { ProviderAdapter } from '../types.js';

export const togetherAdapter: ProviderAdapter = createOpenAiCompatibleAdapter({
  id: 'together',
  defaultBaseUrl: 'https://api.together.xyz/v1',
  dialect: {
    streamUsageOption: false,
    maxChoices: 128,
    topK: true,
    reasoningFields: ['reasoning', 'reasoning_content'],
  },
  embeddings: {},
});
