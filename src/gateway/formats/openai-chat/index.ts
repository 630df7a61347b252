/**
 * The OpenAI Chat Completions API as the gateway serves it (`POST /v1/chat/completions`).
 */
import { badRequest } from '../../../http/errors.js';
import { describeZodError, formatPath } from '../../../http/zod-message.js';
import type { InboundFormat, ParsedInbound } from '../types.js';
import { renderChatCompletion } from './render.js';
import { chatRequestSchema, KNOWN_FIELDS } from './schema.js';
import { chatStreamErrorFrames, createChatStreamEncoder } from './stream-encoder.js';
import { toCanonical } from './to-canonical.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates and translates a Chat Completions body. Unknown top-level field names are reported
 * only when they are plain identifiers (`[?]` otherwise), so a client cannot smuggle text into a
 * 400 message through a key.
 */
export function parseChatRequest(body: unknown): ParsedInbound {
  if (!isRecord(body)) throw badRequest('Invalid request: (root): expected a JSON object', 'validation_error');
  const result = chatRequestSchema.safeParse(body);
  if (!result.success) throw badRequest(`Invalid request: ${describeZodError(result.error, body)}`, 'validation_error');
  const { request, untranslatable } = toCanonical(result.data);
  const unknown = Object.keys(body).filter((key) => !KNOWN_FIELDS.has(key));
  return {
    request,
    // The client's own object, not zod's output (which drops unknown nested keys): a passthrough
    // must forward exactly what was sent.
    raw: body,
    unknownFields: [...new Set(unknown.map((key) => formatPath([key])))],
    ...(untranslatable.length > 0 ? { untranslatable } : {}),
  };
}

export const openaiChatFormat: InboundFormat = {
  id: 'openai-chat',
  parseRequest: parseChatRequest,
  renderResponse: renderChatCompletion,
  createStreamEncoder: createChatStreamEncoder,
  streamErrorFrames: chatStreamErrorFrames,
};
