/**
 * Groq. Quirks, from console.groq.com/docs/openai: `logprobs`, `logit_bias`, `top_logprobs` and
 * `messages[].name` answer 400, and `n` must be 1. Groq documents `max_completion_tokens` (with
 * `max_tokens` deprecated), `stream_options.include_usage`, json_schema on models that support
 * structured output, `reasoning_effort` for its reasoning models, and returns reasoning in
 * `reasoning`. Streamed usage may also arrive under `x_groq.usage`, which the decoder reads.
 * No embeddings endpoint.
 *
 * A passed-through body gets the same treatment as a translated one: `n > 1` and the log-probability
 * parameters are a 400 naming them before any call; `messages[].name` is dropped (a participant
 * label, dropped by translation too); `logprobs: false` and an empty `logit_bias` ask for nothing
 * and are removed rather than tripping Groq's validator.
 */
import { createOpenAiCompatibleAdapter } from '../openai-compatible/factory.js';
import { withPassthroughRules } from '../openai-compatible/passthrough-rules.js';
import type { ProviderAdapter } from '../types.js';

export const groqAdapter: ProviderAdapter = withPassthroughRules(
  createOpenAiCompatibleAdapter({
    id: 'groq',
    defaultBaseUrl: 'https://api.groq.com/openai/v1',
    dialect: {
      maxTokensField: 'max_completion_tokens',
      maxChoices: 1,
      messageName: false,
      user: true,
      reasoningFields: ['reasoning', 'reasoning_content'],
    },
  }),
  { maxChoices: 1, refusedParameters: ['logprobs', 'top_logprobs', 'logit_bias'], dropMessageName: true },
);
