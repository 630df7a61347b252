/**
 * The Anthropic Messages inbound format (POST /v1/messages and /v1/messages/count_tokens), for
 * clients using the official SDKs (0.x sends anthropic-version 2023-06-01, 1.x 2026-10-21), Claude
 * Code and agent SDKs. Parsing validates with zod and never echoes values in errors.
 */
import type { z } from 'zod';
import { badRequest } from '../../../http/errors.js';
import { describeZodError } from '../../../http/zod-message.js';
import type { InboundFormat, ParsedInbound } from '../types.js';
import { anthropicStreamErrorFrames } from './errors.js';
import { toCanonical } from './parse.js';
import { renderMessage } from './render.js';
import { COUNT_TOKENS_KNOWN_FIELDS, countTokensRequestSchema, MESSAGES_KNOWN_FIELDS, messagesRequestSchema } from './schema.js';
import { createAnthropicStreamEncoder } from './stream-encoder.js';

function validate<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw badRequest(`Invalid request body: ${describeZodError(result.error, body)}`, 'validation_error');
  return result.data;
}

function unknownFields(body: Record<string, unknown>, known: ReadonlySet<string>): string[] {
  return Object.keys(body).filter((key) => !known.has(key));
}

function parsed(body: unknown, translation: ReturnType<typeof toCanonical>, known: ReadonlySet<string>): ParsedInbound {
  // Validation succeeded, so the body is a plain object; it is forwarded as sent, not as zod rebuilt it.
  const raw = body as Record<string, unknown>;
  return { request: translation.request, raw, unknownFields: unknownFields(raw, known), untranslatable: translation.untranslatable };
}

export const anthropicMessagesFormat: InboundFormat = {
  id: 'anthropic-messages',
  parseRequest(body: unknown): ParsedInbound {
    return parsed(body, toCanonical(validate(messagesRequestSchema, body)), MESSAGES_KNOWN_FIELDS);
  },
  renderResponse: renderMessage,
  createStreamEncoder: createAnthropicStreamEncoder,
  streamErrorFrames: anthropicStreamErrorFrames,
};

/**
 * POST /v1/messages/count_tokens: the Messages body without max_tokens, stream and the other
 * generation settings (sent anyway, they are reported as unknown fields). The canonical request
 * has stream false and no maxTokens.
 */
export function parseCountTokensRequest(body: unknown): ParsedInbound {
  const validated = validate(countTokensRequestSchema, body);
  // Only validated fields reach the translation: an unvalidated `stream` or `temperature` sent to
  // this endpoint must not leak into the canonical request.
  const known = Object.fromEntries(Object.entries(validated).filter(([key]) => COUNT_TOKENS_KNOWN_FIELDS.has(key))) as typeof validated;
  return parsed(body, toCanonical(known), COUNT_TOKENS_KNOWN_FIELDS);
}

/** The count_tokens answer in Anthropic's shape. */
export function renderCountTokens(inputTokens: number): { input_tokens: number } {
  return { input_tokens: inputTokens };
}
