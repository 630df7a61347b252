/**
 * A fake Anthropic Messages API on top of fake-upstream.ts. It checks requests the way the real
 * API does (credential, anthropic-version, required fields; temperature/top_p/top_k refused under
 * 2026-10-21) and answers with the scripted reply as a Message or as the full SSE event sequence.
 *
 * ScriptedReply.usage.input is the WHOLE input (like canonical usage): the fake reports
 * input_tokens = input - cached - cacheWrite, as Anthropic counts input without cache reads/writes.
 */
import { formatSse } from '../../src/providers/sse.js';
import type { FakeUpstream, RecordedRequest, RouteResult, ScriptedReply } from './fake-upstream.js';
import { chunkText, defaultEchoReply, startFakeUpstream } from './fake-upstream.js';

export const FAKE_ANTHROPIC_API_KEY = 'sk-ant-api03-fake-portcullis-test-key';

const KNOWN_VERSIONS = new Set(['2023-01-01', '2023-06-01', '2026-10-21']);

export type FakeAnthropicOptions = { apiKey?: string };

export function anthropicErrorBody(type: string, message: string): { type: 'error'; error: { type: string; message: string } } {
  return { type: 'error', error: { type, message } };
}

const error = (status: number, type: string, message: string): RouteResult => ({
  kind: 'error',
  status,
  body: anthropicErrorBody(type, message),
  headers: { 'request-id': 'req_fake_error' },
});

const invalid = (message: string): RouteResult => error(400, 'invalid_request_error', message);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function header(request: RecordedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Credential and version checks shared by both endpoints; undefined when the request may proceed. */
function checkHeaders(request: RecordedRequest, apiKey: string): RouteResult | undefined {
  const key = header(request, 'x-api-key');
  const bearer = /^Bearer\s+(\S+)$/i.exec(header(request, 'authorization') ?? '')?.[1];
  if (key !== apiKey && bearer !== apiKey) return error(401, 'authentication_error', 'invalid x-api-key');
  const version = header(request, 'anthropic-version');
  if (version === undefined) return invalid('anthropic-version: header is required');
  if (!KNOWN_VERSIONS.has(version)) return invalid(`anthropic-version: ${version} is not a valid version`);
  return undefined;
}

type Checked = { ok: true; body: Record<string, unknown> } | { ok: false; result: RouteResult };

/** Header checks, then the body fields both endpoints require. */
function checkRequest(request: RecordedRequest, apiKey: string): Checked {
  const fail = (result: RouteResult): Checked => ({ ok: false, result });
  const failure = checkHeaders(request, apiKey);
  if (failure) return fail(failure);
  const body = request.body;
  if (!isObject(body)) return fail(invalid('body: must be a JSON object'));
  if (typeof body.model !== 'string' || body.model === '') return fail(invalid('model: Field required'));
  if (!Array.isArray(body.messages) || body.messages.length === 0) return fail(invalid('messages: at least one message is required'));
  for (const [i, m] of body.messages.entries()) {
    if (!isObject(m) || !['user', 'assistant', 'system'].includes(String(m.role))) {
      return fail(invalid(`messages.${i}.role: Input should be 'user' or 'assistant'`));
    }
    if (typeof m.content !== 'string' && !Array.isArray(m.content)) return fail(invalid(`messages.${i}.content: Field required`));
    // the real API's rules for empty text (the final assistant turn, a prefill, may be empty)
    const last = i === body.messages.length - 1 && m.role === 'assistant';
    if (m.content === '' && !last)
      return fail(invalid(`messages.${i}: all messages must have non-empty content except for the optional final assistant message`));
    const texts = Array.isArray(m.content)
      ? m.content.filter((b) => blockType(b) === 'text').map((b) => (b as { text?: unknown }).text)
      : [];
    if (texts.some((text) => text === '')) return fail(invalid('messages: text content blocks must be non-empty'));
    if (texts.some((text) => typeof text === 'string' && text.trim() === ''))
      return fail(invalid('messages: text content blocks must contain non-whitespace text'));
  }
  return { ok: true, body };
}

const blockType = (block: unknown): string | undefined => (isObject(block) && typeof block.type === 'string' ? block.type : undefined);

/**
 * The real API's rule for extended thinking with tools: while `thinking` is on, the assistant turn
 * that called the tools being answered must start with its (signed) thinking block, as received.
 */
function checkThinkingReplay(body: Record<string, unknown>): RouteResult | undefined {
  const thinking = body.thinking;
  if (!isObject(thinking) || thinking.type === 'disabled') return undefined;
  const messages = body.messages as Record<string, unknown>[];
  const last = messages[messages.length - 1];
  const answersTools = last?.role === 'user' && Array.isArray(last.content) && last.content.some((b) => blockType(b) === 'tool_result');
  if (!answersTools) return undefined;
  const index = messages.length - 2;
  const assistant = messages[index];
  if (assistant?.role !== 'assistant' || !Array.isArray(assistant.content)) return undefined;
  const first: unknown = assistant.content[0];
  const type = blockType(first);
  const signed =
    type === 'redacted_thinking' ||
    (type === 'thinking' && isObject(first) && typeof first.signature === 'string' && first.signature !== '');
  if (signed) return undefined;
  return invalid(
    `messages.${index}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${type ?? 'text'}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block.`,
  );
}

const STOP_REASONS: Record<NonNullable<ScriptedReply['finishReason']>, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};

function stopReason(reply: ScriptedReply): string {
  if (reply.finishReason) return STOP_REASONS[reply.finishReason];
  return reply.toolCalls && reply.toolCalls.length > 0 ? 'tool_use' : 'end_turn';
}

function inputUsage(reply: ScriptedReply) {
  const u = reply.usage ?? { input: 0, output: 0 };
  const cached = u.cached ?? 0;
  const cacheWrite = u.cacheWrite ?? 0;
  return {
    input_tokens: Math.max(0, u.input - cached - cacheWrite),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cached,
  };
}

function usageOf(reply: ScriptedReply) {
  const u = reply.usage ?? { input: 0, output: 0 };
  return {
    ...inputUsage(reply),
    output_tokens: u.output,
    ...(u.reasoning !== undefined ? { output_tokens_details: { thinking_tokens: u.reasoning } } : {}),
  };
}

function toolInput(args: string): unknown {
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return {};
  }
}

const textLength = (content: unknown): number => {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  return content.reduce((n: number, block: unknown) => n + (isObject(block) && typeof block.text === 'string' ? block.text.length : 0), 0);
};

/**
 * The fake's deterministic tokenizer for count_tokens when no count is scripted: each message is 3
 * framing tokens plus one token per 4 characters of its text (rounded up); the system prompt and
 * the tool definitions (as JSON) one per 4 characters. Tests compute expected counts with it.
 */
export function fakeAnthropicTokenCount(body: unknown): number {
  if (!isObject(body)) return 0;
  const quarter = (chars: number) => Math.ceil(chars / 4);
  let tokens = quarter(textLength(body.system));
  if (Array.isArray(body.tools)) tokens += quarter(JSON.stringify(body.tools).length);
  for (const message of Array.isArray(body.messages) ? body.messages : [])
    tokens += 3 + quarter(isObject(message) ? textLength(message.content) : 0);
  return tokens;
}

let counter = 0;
const nextId = () => `msg_fake${String(++counter).padStart(6, '0')}`;

function messageBody(reply: ScriptedReply, model: string): Record<string, unknown> {
  const content: Record<string, unknown>[] = [];
  if (reply.reasoning)
    content.push({ type: 'thinking', thinking: reply.reasoning.text, signature: reply.reasoning.signature ?? 'fake-signature' });
  if (reply.text !== undefined) content.push({ type: 'text', text: reply.text });
  for (const call of reply.toolCalls ?? [])
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: toolInput(call.arguments) });
  return {
    id: nextId(),
    type: 'message',
    role: 'assistant',
    model: reply.model ?? model,
    content,
    stop_reason: stopReason(reply),
    stop_sequence: null,
    usage: usageOf(reply),
  };
}

const event = (type: string, payload: Record<string, unknown>) => formatSse(JSON.stringify({ type, ...payload }), type);

/** The full event sequence the real API sends, deltas split into several fragments. */
function messageFrames(reply: ScriptedReply, model: string): string[] {
  const usage = usageOf(reply);
  const frames = [
    event('message_start', {
      message: {
        id: nextId(),
        type: 'message',
        role: 'assistant',
        model: reply.model ?? model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...inputUsage(reply), output_tokens: 1 },
      },
    }),
    event('ping', {}),
  ];
  let index = 0;
  const block = (start: Record<string, unknown>, deltas: Record<string, unknown>[]) => {
    frames.push(event('content_block_start', { index, content_block: start }));
    for (const delta of deltas) frames.push(event('content_block_delta', { index, delta }));
    frames.push(event('content_block_stop', { index }));
    index++;
  };
  if (reply.reasoning) {
    block({ type: 'thinking', thinking: '', signature: '' }, [
      ...chunkText(reply.reasoning.text).map((thinking) => ({ type: 'thinking_delta', thinking })),
      { type: 'signature_delta', signature: reply.reasoning.signature ?? 'fake-signature' },
    ]);
  }
  if (reply.text !== undefined)
    block(
      { type: 'text', text: '' },
      chunkText(reply.text).map((text) => ({ type: 'text_delta', text })),
    );
  for (const call of reply.toolCalls ?? []) {
    block(
      { type: 'tool_use', id: call.id, name: call.name, input: {} },
      chunkText(call.arguments, 4).map((partial_json) => ({ type: 'input_json_delta', partial_json })),
    );
  }
  // Current API versions restate the input and cache counters in message_delta.
  frames.push(event('message_delta', { delta: { stop_reason: stopReason(reply), stop_sequence: null }, usage }));
  frames.push(event('message_stop', {}));
  return frames;
}

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeUpstream> {
  const apiKey = options.apiKey ?? FAKE_ANTHROPIC_API_KEY;
  return startFakeUpstream({
    name: 'anthropic',
    defaultReply: (request) =>
      request.path === '/v1/messages/count_tokens'
        ? { usage: { input: fakeAnthropicTokenCount(request.body), output: 0 } }
        : defaultEchoReply(request),
    routes: [
      {
        method: 'POST',
        pattern: '/v1/messages',
        handle({ request, reply }) {
          const checked = checkRequest(request, apiKey);
          if (!checked.ok) return checked.result;
          const b = checked.body;
          if (typeof b.max_tokens !== 'number' || !Number.isInteger(b.max_tokens) || b.max_tokens < 0)
            return invalid('max_tokens: Field required');
          if (header(request, 'anthropic-version') === '2026-10-21') {
            for (const field of ['temperature', 'top_p', 'top_k'])
              if (field in b) return invalid(`${field}: Extra inputs are not permitted`);
          }
          const thinkingFailure = checkThinkingReplay(b);
          if (thinkingFailure) return thinkingFailure;
          const model = b.model as string;
          const headers = { 'request-id': `req_fake${String(counter)}` };
          if (b.stream === true) return { kind: 'sse', frames: messageFrames(reply, model), headers };
          return { kind: 'json', body: messageBody(reply, model), headers };
        },
      },
      {
        method: 'POST',
        pattern: '/v1/messages/count_tokens',
        handle({ request, reply }) {
          const checked = checkRequest(request, apiKey);
          if (!checked.ok) return checked.result;
          const b = checked.body;
          for (const field of ['max_tokens', 'stream', 'temperature'])
            if (field in b) return invalid(`${field}: Extra inputs are not permitted`);
          // The scripted input count when given, else the fake's own count of the body (fakeAnthropicTokenCount).
          return { kind: 'json', body: { input_tokens: reply.usage?.input ?? fakeAnthropicTokenCount(b) } };
        },
      },
    ],
  });
}
