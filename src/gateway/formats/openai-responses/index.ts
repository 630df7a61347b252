/**
 * The OpenAI Responses API (`POST /v1/responses`) as an inbound format: what the gateway uses when
 * the chosen provider does not speak it natively (Anthropic, Gemini, Mistral, …). OpenAI-family
 * providers get the client's body forwarded instead (ParsedInbound.raw).
 */
import type { InboundFormat } from '../types.js';
import { parseRequest } from './parse.js';
import { renderResponse } from './response.js';
import { createStreamEncoder } from './stream-encoder.js';
import { streamErrorFrames } from './stream-errors.js';

export const openaiResponsesFormat: InboundFormat = {
  id: 'openai-responses',
  parseRequest,
  renderResponse,
  createStreamEncoder,
  streamErrorFrames,
};

export { refuseUntranslatable } from './refuse.js';
export { isGatewayReasoningToken, REASONING_TOKEN_PREFIX } from './reasoning-token.js';
export type { WireResponse, WireStreamEvent } from './wire.js';
