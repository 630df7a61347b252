/**
 * Fixed facts about Anthropic's Messages API that the adapter's translation depends on. Each
 * default is a choice the gateway makes for the client, so each is written down here.
 */

/**
 * Like the official SDK's `baseURL` (and ANTHROPIC_BASE_URL), the base URL does NOT include `/v1`:
 * the adapter appends `/v1/messages`. A provider key pointing at a proxy uses the same value it
 * would give the SDK.
 */
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/**
 * The API version translated requests are written for. 2023-06-01 still accepts temperature,
 * top_p and top_k, which OpenAI-format clients send routinely; 2026-10-21 rejects them with a 400.
 * A native passthrough forwards the client's own version instead (see passthrough.ts).
 */
export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * Anthropic requires `max_tokens`; OpenAI-format clients usually omit it. 4096 fits every current
 * Claude model's output limit and is enough for a typical chat answer; clients wanting longer
 * answers set max_tokens themselves.
 */
export const DEFAULT_MAX_TOKENS = 4096;

/** Anthropic rejects a thinking budget below this. */
export const MIN_THINKING_BUDGET = 1024;

/**
 * OpenAI-style reasoning effort → Anthropic thinking budget. `minimal` is the smallest budget
 * Anthropic accepts; the others roughly double, `high` staying below the 32k point past which
 * Anthropic recommends batch processing.
 */
export const EFFORT_BUDGETS = { minimal: 1024, low: 2048, medium: 8192, high: 24576 } as const;

/** Image media types the Messages API accepts in a base64 source. */
export const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

/** Every stop_reason the API documents; a newer one still decodes (as `stop`, keeping the raw value). */
export const STOP_REASONS = [
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'pause_turn',
  'refusal',
  'model_context_window_exceeded',
] as const;
export type AnthropicStopReason = (typeof STOP_REASONS)[number];
