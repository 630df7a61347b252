/**
 * Token counting (`POST /v1/messages/count_tokens`) for a canonical request: the Messages body
 * minus the fields the endpoint does not accept (generation settings: max_tokens, sampling,
 * stop sequences, metadata, stream).
 */
import { z } from 'zod';
import type { ChatRequest } from '../../gateway/canonical/types.js';
import type { UpstreamRequest, UpstreamTarget } from '../types.js';
import { endpointUrl, upstreamHeaders } from './http.js';
import { parseUpstream } from './read.js';
import { buildMessagesBody } from './request.js';

const COUNTED_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'output_config'] as const;

export function anthropicCountTokensRequest(request: ChatRequest, target: UpstreamTarget): UpstreamRequest {
  // Generation settings do not change the count; dropped before translation so that none of them
  // (a seed, a max_tokens below the thinking budget) can make counting fail.
  const { model, messages, tools, toolChoice, parallelToolCalls, reasoning, responseFormat } = request;
  const countable: ChatRequest = { model, messages, tools, toolChoice, parallelToolCalls, reasoning, responseFormat, stream: false };
  const full = buildMessagesBody(countable, target.model);
  const body: Record<string, unknown> = {};
  for (const field of COUNTED_FIELDS) if (full[field] !== undefined) body[field] = full[field];
  return { url: endpointUrl(target, 'count_tokens'), method: 'POST', headers: upstreamHeaders(target), body: JSON.stringify(body) };
}

const countSchema = z.looseObject({ input_tokens: z.number().int().nonnegative() });

export function anthropicCountTokensResponse(body: unknown): { inputTokens: number } {
  return { inputTokens: parseUpstream(countSchema, body, 'token count').input_tokens };
}
