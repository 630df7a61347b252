/**
 * DeepSeek. Quirks, from api-docs.deepseek.com (create chat completion, thinking mode, JSON output):
 * - `max_tokens`; `stream_options.include_usage` is supported; `n` is not a parameter.
 * - Structured output is json_object only, so json_schema is refused rather than weakened.
 * - Reasoning arrives as `reasoning_content` in messages and deltas, and in thinking mode an
 *   assistant turn that called tools must send its `reasoning_content` back (400 otherwise), so it
 *   is replayed.
 * - Cache hits are reported as `prompt_cache_hit_tokens` (read by the shared usage mapping).
 * - `logprobs`/`top_logprobs` are accepted (ignored by reasoning models).
 * No embeddings endpoint.
 *
 * A passed-through body is held to the same limits as a translated one: `n > 1` (DeepSeek would
 * silently answer one choice) and json_schema are a 400 naming them before any call.
 */
import { createOpenAiCompatibleAdapter } from '../openai-compatible/factory.js';
import { withPassthroughRules } from '../openai-compatible/passthrough-rules.js';
import type { ProviderAdapter } from '../types.js';

export const deepseekAdapter: ProviderAdapter = withPassthroughRules(
  createOpenAiCompatibleAdapter({
    id: 'deepseek',
    defaultBaseUrl: 'https://api.deepseek.com/v1',
    dialect: {
      maxChoices: 1,
      jsonSchema: false,
      logprobs: true,
      replayReasoning: true,
      reasoningFields: ['reasoning_content'],
    },
  }),
  { maxChoices: 1, responseFormats: ['text', 'json_object'] },
);
