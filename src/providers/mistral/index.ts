/**
 * Mistral (La Plateforme). Quirks, from Mistral's published API schema (client-ts
 * ChatCompletionRequest / EmbeddingRequest):
 * - `max_tokens` and `random_seed`; no `stream_options` (usage arrives in the final chunk unasked),
 *   no `user`, no `logprobs`, no `top_k`; `n` and `json_schema` are supported.
 * - Tool call ids must be 9 alphanumeric characters (mistral-common's validator), so other
 *   providers' ids are mapped deterministically.
 * - Reasoning (Magistral) is chosen by model, not by an effort parameter, so effort is not sent;
 *   thinking arrives as `thinking` chunks inside `content`, which the shared decoder reads.
 * Unsure, so left off: audio input (Voxtral takes it, other models do not) and documents.
 */
import { createOpenAiCompatibleAdapter } from '../openai-compatible/factory.js';
import type { ProviderAdapter } from '../types.js';

export const mistralAdapter: ProviderAdapter = createOpenAiCompatibleAdapter({
  id: 'mistral',
  defaultBaseUrl: 'https://api.mistral.ai/v1',
  dialect: {
    seedField: 'random_seed',
    streamUsageOption: false,
    // Mistral documents `n` without a published maximum; it enforces its own.
    maxChoices: 128,
    messageName: false,
    reasoningEffort: 'drop',
    toolCallIds: 'alnum9',
  },
  // `output_dimension` exists for codestral-embed; encoding_format is left at its float default.
  embeddings: { dimensionsField: 'output_dimension' },
});
