/**
 * The one shape every inbound API format has (`src/gateway/formats/<format>/index.ts` exports an
 * InboundFormat): how the gateway reads a client's request in that format and writes the answer
 * back in it, streamed or not. Formats translate only; they do no I/O.
 */
import type { ChatRequest, ChatResponse, StreamEvent } from '../canonical/types.js';
import type { ApiFormat } from '../../providers/types.js';

export type ParsedInbound = {
  /** Canonical request; `model` is still the client's requested model string (routing resolves it). */
  request: ChatRequest;
  /** The validated client body, forwarded as-is when the chosen provider speaks this format natively. */
  raw: Record<string, unknown>;
  /**
   * Top-level fields the schema does not know. Forwarded untouched on a native passthrough (new
   * provider parameters keep working); a translated request is refused with a 400 naming them,
   * because the gateway cannot promise what they mean to another provider.
   */
  unknownFields: string[];
  /**
   * Known features the canonical request cannot carry (e.g. Anthropic server tools, file_id
   * sources, search_result blocks), as value-free paths such as `tools[1] (web_search_20250305)`.
   * Forwarded untouched on a native passthrough; a translated request must be refused with a 400
   * naming them, because the canonical request silently lacks them. Absent or empty: nothing lost.
   */
  untranslatable?: string[];
};

export type RenderContext = {
  /** What the client asked for (`gpt-4o`, `openai/gpt-4o`, an alias). Responses echo the served model. */
  requestedModel: string;
  /** Gateway-assigned response id prefix material; formats may use their own id shapes. */
  requestId: string;
  /**
   * The client's validated request body (ParsedInbound.raw), for formats whose responses echo
   * request parameters back (the Responses API echoes instructions, tools, tool_choice, sampling
   * settings, text format, reasoning and metadata). Without it those fields get their defaults.
   */
  requestBody?: Record<string, unknown>;
};

/** Stateful: one per streamed response. Produces complete SSE frames (see providers/sse.ts formatSse). */
export type StreamEncoder = {
  encode(event: StreamEvent): string[];
  /**
   * The canonical stream is over. Emits the format's terminal frames (`data: [DONE]`,
   * `message_stop`, `response.completed`) — or, if `error` events were seen or no finish came,
   * the format's error frames so the client does not mistake a cut-off answer for a complete one.
   */
  end(): string[];
};

export type InboundFormat = {
  readonly id: ApiFormat;
  /** Validates with zod; throws an HttpError(400) naming the offending field (never echoing values). */
  parseRequest(body: unknown): ParsedInbound;
  renderResponse(response: ChatResponse, context: RenderContext): unknown;
  createStreamEncoder(context: RenderContext): StreamEncoder;
  /** The error frame for a stream that fails after it started, in this format. */
  streamErrorFrames(message: string, code: string): string[];
};
