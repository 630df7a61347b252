/**
 * The gateway's internal, provider-neutral shape of a chat request, response and stream.
 *
 * Every inbound API format (OpenAI Chat Completions, OpenAI Responses, Anthropic Messages) is
 * parsed into these types, and every provider adapter translates them to and from its own wire
 * format. When the inbound format IS the provider's native format (OpenAI → OpenAI, Anthropic →
 * Anthropic), the gateway forwards the original body instead (see providers/types.ts
 * `passthrough`), so nothing is lost; these types carry what must survive a translation.
 */

/** Anthropic-style prompt caching marker; other providers ignore it. */
export type CacheControl = { type: 'ephemeral'; ttl?: '5m' | '1h' };

export type TextPart = { type: 'text'; text: string; cacheControl?: CacheControl };

export type ImagePart = {
  type: 'image';
  /** Either a URL (http(s) or data:) or inline base64 with its media type. */
  source: { kind: 'url'; url: string } | { kind: 'base64'; mediaType: string; data: string };
  /** OpenAI's detail hint. */
  detail?: 'auto' | 'low' | 'high';
  cacheControl?: CacheControl;
};

export type AudioPart = { type: 'audio'; format: string; data: string };

export type FilePart = {
  type: 'file';
  source: { kind: 'base64'; mediaType: string; data: string } | { kind: 'url'; url: string } | { kind: 'file_id'; fileId: string };
  filename?: string;
  cacheControl?: CacheControl;
};

export type ContentPart = TextPart | ImagePart | AudioPart | FilePart;

/** A model's visible reasoning. `signature` (Anthropic) must be sent back unchanged in later turns. */
export type ReasoningBlock =
  | { type: 'thinking'; text: string; signature?: string }
  /** Anthropic's redacted_thinking: opaque, replayed as-is. */
  | { type: 'redacted_thinking'; data: string };

export type ToolCall = {
  id: string;
  name: string;
  /** JSON text exactly as the model produced it (may be invalid JSON mid-stream). */
  arguments: string;
};

export type SystemMessage = { role: 'system' | 'developer'; content: TextPart[] };
export type UserMessage = { role: 'user'; content: ContentPart[]; name?: string };
export type AssistantMessage = {
  role: 'assistant';
  content: TextPart[];
  toolCalls?: ToolCall[];
  reasoning?: ReasoningBlock[];
  refusal?: string;
  name?: string;
};
export type ToolMessage = {
  role: 'tool';
  toolCallId: string;
  /** Tool output: text, or parts (Anthropic allows images in tool results). */
  content: ContentPart[];
  isError?: boolean;
  cacheControl?: CacheControl;
};

export type Message = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

export type FunctionTool = {
  type: 'function';
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
  strict?: boolean;
  cacheControl?: CacheControl;
};

export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'function'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean; description?: string };

export type ReasoningConfig = {
  /** OpenAI-style effort; translated to a token budget for providers that take one. */
  effort?: 'minimal' | 'low' | 'medium' | 'high';
  /** Anthropic-style explicit budget. */
  budgetTokens?: number;
};

export type ChatRequest = {
  /** The model name as the upstream provider knows it (routing has already resolved aliases). */
  model: string;
  messages: Message[];
  tools?: FunctionTool[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  /** Number of choices; providers that cannot do n > 1 reject with a 400. */
  n?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  logprobs?: boolean;
  topLogprobs?: number;
  responseFormat?: ResponseFormat;
  reasoning?: ReasoningConfig;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`; the gateway always asks upstream for usage anyway. */
  includeUsage?: boolean;
  /** End-user identifier for abuse monitoring. */
  user?: string;
  metadata?: Record<string, string>;
};

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'refusal' | 'error';

export type Usage = {
  /** All input tokens, including cached and cache-write tokens. */
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the provider's prompt cache (billed at the cached rate). */
  cachedInputTokens: number;
  /** Input tokens written to the provider's prompt cache (Anthropic cache_creation_input_tokens). */
  cacheWriteInputTokens: number;
  /** Output tokens spent on reasoning (included in outputTokens). */
  reasoningTokens: number;
};

export const emptyUsage = (): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  reasoningTokens: 0,
});

export type Choice = {
  index: number;
  message: AssistantMessage;
  finishReason: FinishReason;
  /** Provider's own stop reason, when the canonical one loses detail (e.g. Anthropic `pause_turn`). */
  providerFinishReason?: string;
  /** The matched stop sequence, when the provider reports it. */
  stopSequence?: string | null;
};

export type ChatResponse = {
  id: string;
  /** The model that actually answered, as the provider reports it. */
  model: string;
  created: number;
  choices: Choice[];
  usage: Usage;
  systemFingerprint?: string;
};

/**
 * One step of a streamed answer. Decoders emit these from a provider's stream, encoders turn them
 * into the client's stream format. Tool-call argument deltas are raw JSON text fragments.
 */
export type StreamEvent =
  | { type: 'start'; id: string; model: string; created: number }
  | { type: 'text_delta'; choice: number; text: string }
  | { type: 'reasoning_delta'; choice: number; text: string }
  | { type: 'reasoning_signature'; choice: number; signature: string }
  | { type: 'redacted_reasoning'; choice: number; data: string }
  | { type: 'tool_call_start'; choice: number; index: number; id: string; name: string }
  | { type: 'tool_call_delta'; choice: number; index: number; argumentsDelta: string }
  | { type: 'refusal_delta'; choice: number; text: string }
  | { type: 'finish'; choice: number; finishReason: FinishReason; providerFinishReason?: string; stopSequence?: string | null }
  /** Cumulative usage so far (the last one wins); may arrive before or after `finish`. */
  | { type: 'usage'; usage: Usage }
  /** The upstream stream failed after it started; the encoder ends the client stream with an error in its format. */
  | { type: 'error'; message: string; code: string };

export type EmbeddingsRequest = {
  model: string;
  input: string[] | number[][];
  dimensions?: number;
  encodingFormat?: 'float' | 'base64';
  user?: string;
};

export type EmbeddingsResponse = {
  model: string;
  /** Float vectors, one per input, in input order. */
  data: number[][];
  usage: { inputTokens: number };
};
