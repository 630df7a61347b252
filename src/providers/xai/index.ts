/**
 * xAI (Grok). Its Chat Completions endpoint documents `n`, `max_tokens`, `stream_options`,
 * structured output (json_schema), `logprobs`, `user` and `reasoning_effort`; reasoning text, when
 * a model returns it, is `reasoning_content`. xAI counts reasoning tokens beside
 * `completion_tokens` rather than inside them; the shared usage mapping detects that from
 * `total_tokens`. Its reasoning models reject penalties and `stop`; that is left to xAI's own 400,
 * since it depends on the model. No embeddings.
 */
import { createOpenAiCompatibleAdapter } from '../openai-compatible/factory.js';
import type { ProviderAdapter } from '../types.js';

export const xaiAdapter: ProviderAdapter = createOpenAiCompatibleAdapter({
  id: 'xai',
  defaultBaseUrl: 'https://api.x.ai/v1',
  dialect: {
    // xAI documents `n` without a published maximum; it enforces its own.
    maxChoices: 128,
    logprobs: true,
    user: true,
    reasoningFields: ['reasoning_content'],
  },
});
