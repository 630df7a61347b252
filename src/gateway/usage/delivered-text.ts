/**
 * The text a streamed answer actually delivered to the client — content, refusals, reasoning,
 * tool-call names and arguments — read back from the frames the gateway sent, in the client's own
 * format (so translated, passed-through and guardrail-rewritten streams are all read the same way).
 *
 * Frames are kept by reference and read only when a count is needed: a stream that completes with
 * the provider's usage costs no parsing. Past a size bound they are read early and dropped, so a
 * long stream holds its text, not its frames. The text is for counting only and never logged.
 */
import type { ApiFormat } from '../../providers/types.js';
import { createSseParser, type SseEvent } from '../../providers/sse.js';

export type DeliveredText = {
  /** Everything the model produced that the client received, reasoning included. */
  output: string;
  /** The reasoning (thinking) part of it. */
  reasoning: string;
};

type Sink = { output: string[]; reasoning: string[] };

const READ_EARLY_AT_CHARS = 256 * 1024;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

function parse(data: string): Record<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(data);
    return isRecord(json) ? json : undefined;
  } catch {
    return undefined; // [DONE], keep-alives: no text
  }
}

function readOpenAiChat(event: SseEvent, sink: Sink): void {
  const chunk = parse(event.data);
  if (!chunk || !Array.isArray(chunk.choices)) return;
  for (const choice of chunk.choices as unknown[]) {
    const delta = isRecord(choice) && isRecord(choice.delta) ? choice.delta : undefined;
    if (!delta) continue;
    sink.output.push(str(delta.content), str(delta.refusal));
    sink.reasoning.push(str(delta.reasoning_content), str(delta.reasoning));
    if (!Array.isArray(delta.tool_calls)) continue;
    for (const call of delta.tool_calls as unknown[]) {
      const fn = isRecord(call) && isRecord(call.function) ? call.function : undefined;
      if (fn) sink.output.push(str(fn.name), str(fn.arguments));
    }
  }
}

const RESPONSES_OUTPUT_DELTAS = new Set(['response.output_text.delta', 'response.refusal.delta', 'response.function_call_arguments.delta']);
const RESPONSES_REASONING_DELTAS = new Set(['response.reasoning_summary_text.delta', 'response.reasoning_text.delta']);

function readOpenAiResponses(event: SseEvent, sink: Sink): void {
  const payload = parse(event.data);
  if (!payload) return;
  const type = str(payload.type) || event.event || '';
  // Only deltas (and a function call's name): the `.done` events repeat text already delivered.
  if (RESPONSES_OUTPUT_DELTAS.has(type)) sink.output.push(str(payload.delta));
  else if (RESPONSES_REASONING_DELTAS.has(type)) sink.reasoning.push(str(payload.delta));
  else if (type === 'response.output_item.added' && isRecord(payload.item) && payload.item.type === 'function_call')
    sink.output.push(str(payload.item.name));
}

function readAnthropicMessages(event: SseEvent, sink: Sink): void {
  const payload = parse(event.data);
  if (!payload) return;
  const type = str(payload.type) || event.event || '';
  if (type === 'content_block_start' && isRecord(payload.content_block)) {
    const block = payload.content_block;
    if (block.type === 'tool_use') sink.output.push(str(block.name));
    else if (block.type === 'text') sink.output.push(str(block.text));
    else if (block.type === 'thinking') sink.reasoning.push(str(block.thinking));
  } else if (type === 'content_block_delta' && isRecord(payload.delta)) {
    const delta = payload.delta;
    if (delta.type === 'text_delta') sink.output.push(str(delta.text));
    else if (delta.type === 'input_json_delta') sink.output.push(str(delta.partial_json));
    else if (delta.type === 'thinking_delta') sink.reasoning.push(str(delta.thinking));
  }
}

const READERS: Record<ApiFormat, (event: SseEvent, sink: Sink) => void> = {
  'openai-chat': readOpenAiChat,
  'openai-responses': readOpenAiResponses,
  'anthropic-messages': readAnthropicMessages,
};

export type DeliveredTextRecorder = {
  /** Frames handed to the client, in order. */
  add(frames: readonly string[]): void;
  /** What they carried. */
  text(): DeliveredText;
};

export function deliveredTextRecorder(format: ApiFormat): DeliveredTextRecorder {
  const read = READERS[format];
  const parser = createSseParser();
  const sink: Sink = { output: [], reasoning: [] };
  let pending: string[] = [];
  let pendingChars = 0;
  const readPending = () => {
    for (const frame of pending) for (const event of parser.push(frame)) read(event, sink);
    pending = [];
    pendingChars = 0;
  };
  return {
    add(frames) {
      for (const frame of frames) {
        pending.push(frame);
        pendingChars += frame.length;
      }
      if (pendingChars > READ_EARLY_AT_CHARS) readPending();
    },
    text() {
      readPending();
      for (const event of parser.end()) read(event, sink);
      const reasoning = sink.reasoning.join('');
      // Reasoning tokens are output tokens (canonical Usage counts them inside outputTokens).
      return { output: reasoning + sink.output.join(''), reasoning };
    },
  };
}
