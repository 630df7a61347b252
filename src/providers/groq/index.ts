/**
 * Groq. Quirks, from console.groq.com/docs/openai: `logprobs`, `logit_bias`, `top_logprobs` and
 * `messages[].name` answer 400, and `n` must be 1. Groq documents `max_completion_tokens` (with
 * `max_tokens` deprecated), `stream_options.include_usage`, json_schema on models that support
 * structured output, `reasoning_effort` for its reasoning models, and returns reasoning in
 * `reasoning`. Streamed usage may also arrive under `x_groq.usage`, which the decoder reads.
 * No embeddings endpoint.
 */
import { createOpenAiCompatibleAdapter } from '../openai-compatible/factory.js';
import type { ProviderAdapter } from '../types.js';

export const groqAdapter: ProviderAdapter = createOpenAiCompatibleAdapter({
  id: 'groq',
  defaultBaseUrl: 'https://api.groq.com/openai/v1',
  dialect: {
    maxTokensField: 'max_completion_tokens',
    maxChoices: 1,
    messageName: false,
    user: true,
    reasoningFields: ['reasoning', 'reasoning_content'],
  },
});
