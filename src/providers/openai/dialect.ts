/**
 * A "dialect" of the Chat Completions wire format: what one OpenAI-shaped provider accepts and
 * returns. OpenAI itself is the reference; OpenAI-compatible providers differ in small, documented
 * ways (field names, missing features). The translation code reads these flags instead of
 * branching on provider ids, so each provider's quirks live in one declaration.
 */
import type { ProviderId } from '../ids.js';

export type ChatDialect = {
  provider: ProviderId;
  /** OpenAI renamed `max_tokens` (rejected by its reasoning models); most compatible servers only know `max_tokens`. */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
  /** Mistral calls it `random_seed`. */
  seedField: 'seed' | 'random_seed';
  /** Whether `stream_options: {include_usage: true}` is accepted (else usage must arrive unasked, or not at all). */
  streamUsageOption: boolean;
  /** Largest `n`; 1 means n > 1 is refused. */
  maxChoices: number;
  /** response_format json_schema (structured output). json_object is assumed everywhere. */
  jsonSchema: boolean;
  logprobs: boolean;
  topK: boolean;
  /** The `developer` role; where unknown it is sent as `system`, which is what it means. */
  developerRole: boolean;
  /** `messages[].name` (Groq answers 400 when present). */
  messageName: boolean;
  /** `user` is an abuse-monitoring hint with no effect on the answer, so it is dropped where unsupported. */
  user: boolean;
  audioInput: boolean;
  fileInput: boolean;
  /** How canonical reasoning effort travels: as `reasoning_effort`, or not at all (the model decides). */
  reasoningEffort: 'send' | 'drop';
  /** OpenAI knows `minimal`; compatible servers generally stop at `low`. */
  minimalEffort: 'minimal' | 'low';
  /**
   * DeepSeek requires an assistant turn's `reasoning_content` to be sent back (400 otherwise when the
   * turn called tools). Others reject or ignore unknown message fields, so they never get it.
   */
  replayReasoning: boolean;
  /** Message / delta fields read as reasoning text, in order of preference. */
  reasoningFields: readonly string[];
  /** An assistant turn's `refusal` field; elsewhere a refusal is replayed as the turn's text. */
  assistantRefusal: boolean;
  /** Mistral accepts only 9-character alphanumeric tool call ids. */
  toolCallIds: 'any' | 'alnum9';
};

export const openAiDialect: ChatDialect = {
  provider: 'openai',
  maxTokensField: 'max_completion_tokens',
  seedField: 'seed',
  streamUsageOption: true,
  maxChoices: 128,
  jsonSchema: true,
  logprobs: true,
  topK: false,
  developerRole: true,
  messageName: true,
  user: true,
  audioInput: true,
  fileInput: true,
  reasoningEffort: 'send',
  minimalEffort: 'minimal',
  replayReasoning: false,
  assistantRefusal: true,
  // OpenAI's Chat Completions never returns reasoning text.
  reasoningFields: [],
  toolCallIds: 'any',
};
