/**
 * The Responses API objects the gateway writes for a translated answer: a subset of the OpenAI
 * SDK's `Response` and `ResponseStreamEvent` types (the tests check assignability to them), kept
 * here so production code does not depend on a dev-only package.
 *
 * `output_text` is absent on purpose: it is a convenience the SDK computes from `output`; the API
 * does not send it.
 */

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export type WireOutputText = { type: 'output_text'; text: string; annotations: never[]; logprobs: never[] };
export type WireRefusal = { type: 'refusal'; refusal: string };
export type WireContentPart = WireOutputText | WireRefusal;

export type WireMessageItem = { id: string; type: 'message'; role: 'assistant'; status: ItemStatus; content: WireContentPart[] };
export type WireFunctionCallItem = {
  id: string;
  type: 'function_call';
  status: ItemStatus;
  call_id: string;
  name: string;
  arguments: string;
};
export type WireSummaryText = { type: 'summary_text'; text: string };
export type WireReasoningItem = { id: string; type: 'reasoning'; summary: WireSummaryText[]; encrypted_content?: string };
export type WireOutputItem = WireMessageItem | WireFunctionCallItem | WireReasoningItem;

export type WireUsage = {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
};

export type WireFunctionTool = {
  type: 'function';
  name: string;
  description?: string | null;
  parameters: Record<string, unknown> | null;
  strict: boolean | null;
};
export type WireToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; name: string };
export type WireTextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean | null; description?: string };
export type WireTextConfig = { format: WireTextFormat; verbosity?: 'low' | 'medium' | 'high' | null };
type Summary = 'auto' | 'concise' | 'detailed' | null;
export type WireReasoningConfig = {
  effort: 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | null;
  summary: Summary;
  generate_summary?: Summary;
};

/** ResponseError.code: a closed list in the SDK. */
export type WireErrorCode = 'server_error' | 'rate_limit_exceeded';

export type WireStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export type WireResponse = {
  id: string;
  object: 'response';
  created_at: number;
  status: WireStatus;
  error: { code: WireErrorCode; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  model: string;
  output: WireOutputItem[];
  usage?: WireUsage;
  // Echoed request parameters.
  instructions: string | null;
  tools: WireFunctionTool[];
  tool_choice: WireToolChoice;
  parallel_tool_calls: boolean;
  temperature: number | null;
  top_p: number | null;
  max_output_tokens: number | null;
  text: WireTextConfig;
  reasoning: WireReasoningConfig;
  metadata: Record<string, string>;
  truncation: 'auto' | 'disabled';
  background: boolean;
  previous_response_id: string | null;
  user?: string;
  safety_identifier?: string;
  prompt_cache_key?: string;
};

// ---- stream events (sequence_number is added when a frame is written) ------------------------

type ItemRef = { item_id: string; output_index: number };
type Lifecycle<T extends string> = { type: T; response: WireResponse };
type ItemEvent<T extends string> = { type: T; output_index: number; item: WireOutputItem };
type PartEvent<T extends string> = { type: T; content_index: number; part: WireContentPart } & ItemRef;
type SummaryPartEvent<T extends string> = { type: T; summary_index: number; part: WireSummaryText } & ItemRef;

// One member per event type, so each is checked against its SDK counterpart.
export type WireStreamEventBody =
  | Lifecycle<'response.created'>
  | Lifecycle<'response.in_progress'>
  | Lifecycle<'response.completed'>
  | Lifecycle<'response.incomplete'>
  | Lifecycle<'response.failed'>
  | ItemEvent<'response.output_item.added'>
  | ItemEvent<'response.output_item.done'>
  | PartEvent<'response.content_part.added'>
  | PartEvent<'response.content_part.done'>
  | ({ type: 'response.output_text.delta'; content_index: number; delta: string; logprobs: never[] } & ItemRef)
  | ({ type: 'response.output_text.done'; content_index: number; text: string; logprobs: never[] } & ItemRef)
  | ({ type: 'response.refusal.delta'; content_index: number; delta: string } & ItemRef)
  | ({ type: 'response.refusal.done'; content_index: number; refusal: string } & ItemRef)
  | ({ type: 'response.function_call_arguments.delta'; delta: string } & ItemRef)
  | ({ type: 'response.function_call_arguments.done'; name: string; arguments: string } & ItemRef)
  | SummaryPartEvent<'response.reasoning_summary_part.added'>
  | SummaryPartEvent<'response.reasoning_summary_part.done'>
  | ({ type: 'response.reasoning_summary_text.delta'; summary_index: number; delta: string } & ItemRef)
  | ({ type: 'response.reasoning_summary_text.done'; summary_index: number; text: string } & ItemRef)
  | {
      type: 'error';
      code: string | null;
      message: string;
      param: string | null;
      /**
       * Not in the SDK's ResponseErrorEvent type, but what OpenAI actually sends, and what makes the
       * SDK's stream throw an APIError: it raises on any event whose data has an `error` member.
       */
      error: { type: string; code: string | null; message: string; param: string | null };
    };

/** Distributes over the union, so each member keeps its own literal `type`. */
type Sequenced<T> = T extends unknown ? T & { sequence_number: number } : never;
export type WireStreamEvent = Sequenced<WireStreamEventBody>;
