/**
 * A validated Chat Completions body → canonical ChatRequest. Fields the canonical request cannot
 * carry (audio output, custom tools, logit_bias…) are listed in `untranslatable`: a native
 * passthrough forwards them untouched, a translated request is refused naming them. Fields that
 * cannot change the answer (prompt-cache hints, service tier, store, prediction) are not listed.
 */
import type {
  AssistantMessage,
  ChatRequest,
  ContentPart,
  FunctionTool,
  Message,
  ReasoningConfig,
  ResponseFormat,
  TextPart,
  ToolCall,
  ToolChoice,
} from '../../canonical/types.js';
import type { ChatMessageBody, ChatRequestBody } from './schema.js';

/** Value-free paths of what the canonical request lacks, e.g. `tools[2] (custom)`. */
type Untranslatable = Set<string>;

const DATA_URL = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+)(?:;[a-z0-9=.+-]+)*;base64,([A-Za-z0-9+/=\s]*)$/i;

function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = DATA_URL.exec(url);
  return match ? { mediaType: match[1]!.toLowerCase(), data: match[2]!.replace(/\s+/g, '') } : undefined;
}

function textParts(content: string | readonly { text: string }[]): TextPart[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content.map((p) => ({ type: 'text', text: p.text }));
}

type UserContent = Extract<ChatMessageBody, { role: 'user' }>['content'];

function userContent(content: UserContent): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part): ContentPart => {
    switch (part.type) {
      case 'text':
        return { type: 'text', text: part.text };
      case 'image_url': {
        const inline = parseDataUrl(part.image_url.url);
        const detail = part.image_url.detail ?? undefined;
        return {
          type: 'image',
          source: inline ? { kind: 'base64', ...inline } : { kind: 'url', url: part.image_url.url },
          ...(detail !== undefined ? { detail } : {}),
        };
      }
      case 'input_audio':
        return { type: 'audio', format: part.input_audio.format, data: part.input_audio.data };
      case 'file': {
        const filename = part.file.filename ?? undefined;
        const withName = filename !== undefined ? { filename } : {};
        if (part.file.file_id != null) return { type: 'file', source: { kind: 'file_id', fileId: part.file.file_id }, ...withName };
        const data = part.file.file_data ?? '';
        // OpenAI documents file_data as a data URL; bare base64 is what it accepts for PDFs, its only file type here.
        const inline = parseDataUrl(data) ?? { mediaType: 'application/pdf', data };
        return { type: 'file', source: { kind: 'base64', ...inline }, ...withName };
      }
    }
  });
}

/**
 * Messages. Legacy function calling (assistant `function_call` + `function` role) becomes tool
 * calls with generated ids, paired in order, so old clients still translate.
 */
function messages(body: ChatRequestBody, untranslatable: Untranslatable): Message[] {
  const pendingLegacy: { id: string; name: string }[] = [];
  let legacyCount = 0;
  return body.messages.map((message, messageIndex): Message => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: message.role, content: textParts(message.content) };
      case 'user':
        return { role: 'user', content: userContent(message.content), ...(message.name != null ? { name: message.name } : {}) };
      case 'tool':
        return { role: 'tool', toolCallId: message.tool_call_id, content: textParts(message.content) };
      case 'function': {
        const index = pendingLegacy.findIndex((p) => p.name === message.name);
        const match = index === -1 ? undefined : pendingLegacy.splice(index, 1)[0];
        return {
          role: 'tool',
          toolCallId: match?.id ?? `call_legacy_${legacyCount++}`,
          content: [{ type: 'text', text: message.content ?? '' }],
        };
      }
      case 'assistant': {
        const out: AssistantMessage = { role: 'assistant', content: [] };
        let refusal = message.refusal ?? undefined;
        if (typeof message.content === 'string') out.content = [{ type: 'text', text: message.content }];
        else if (message.content) {
          for (const part of message.content) {
            if (part.type === 'text') out.content.push({ type: 'text', text: part.text });
            else refusal = (refusal ?? '') + part.refusal;
          }
        }
        const calls: ToolCall[] = [];
        (message.tool_calls ?? []).forEach((call, callIndex) => {
          if (call.type === 'function') calls.push({ id: call.id, name: call.function.name, arguments: call.function.arguments });
          else untranslatable.add(`messages[${messageIndex}].tool_calls[${callIndex}] (custom)`);
        });
        if (message.function_call) {
          const id = `call_legacy_${legacyCount++}`;
          pendingLegacy.push({ id, name: message.function_call.name });
          calls.push({ id, name: message.function_call.name, arguments: message.function_call.arguments });
        }
        if (calls.length > 0) out.toolCalls = calls;
        // A previous audio answer is referenced by id; only OpenAI can resolve it.
        if (message.audio) untranslatable.add(`messages[${messageIndex}].audio`);
        if (refusal !== undefined) out.refusal = refusal;
        if (message.name != null) out.name = message.name;
        // Replayed thinking blocks carry Anthropic's signatures, which it requires back in a
        // tool-calling turn; plain `reasoning_content` is the fallback.
        if (message.thinking_blocks && message.thinking_blocks.length > 0) {
          out.reasoning = message.thinking_blocks.map((block) =>
            block.type === 'redacted_thinking'
              ? { type: 'redacted_thinking' as const, data: block.data }
              : { type: 'thinking' as const, text: block.thinking, ...(block.signature ? { signature: block.signature } : {}) },
          );
        } else if (message.reasoning_content) out.reasoning = [{ type: 'thinking', text: message.reasoning_content }];
        return out;
      }
    }
  });
}

function tools(body: ChatRequestBody, untranslatable: Untranslatable): FunctionTool[] | undefined {
  const out: FunctionTool[] = [];
  for (const [index, tool] of (body.tools ?? []).entries()) {
    if (tool.type === 'custom') {
      untranslatable.add(`tools[${index}] (custom)`);
      continue;
    }
    const fn = tool.function;
    out.push({
      type: 'function',
      name: fn.name,
      ...(fn.description != null ? { description: fn.description } : {}),
      // A function without parameters takes none; other providers require a schema object.
      parameters: fn.parameters ?? { type: 'object', properties: {} },
      ...(fn.strict != null ? { strict: fn.strict } : {}),
    });
  }
  for (const fn of body.functions ?? []) {
    out.push({
      type: 'function',
      name: fn.name,
      ...(fn.description != null ? { description: fn.description } : {}),
      parameters: fn.parameters ?? { type: 'object', properties: {} },
    });
  }
  return out.length > 0 ? out : undefined;
}

function toolChoice(body: ChatRequestBody, untranslatable: Untranslatable): ToolChoice | undefined {
  const choice = body.tool_choice ?? body.function_call;
  if (choice == null) return undefined;
  if (typeof choice === 'string') return { type: choice };
  if ('name' in choice) return { type: 'function', name: choice.name };
  if (choice.type === 'function') return { type: 'function', name: choice.function.name };
  untranslatable.add(`tool_choice (${choice.type})`);
  return undefined;
}

function responseFormat(body: ChatRequestBody): ResponseFormat | undefined {
  const format = body.response_format;
  if (format == null) return undefined;
  if (format.type !== 'json_schema') return { type: format.type };
  const spec = format.json_schema;
  return {
    type: 'json_schema',
    name: spec.name,
    schema: spec.schema ?? {},
    ...(spec.strict != null ? { strict: spec.strict } : {}),
    ...(spec.description != null ? { description: spec.description } : {}),
  };
}

/**
 * OpenAI's effort scale is wider than the canonical one: `none` asks for no reasoning, which is
 * what an absent reasoning config means to every other provider; `xhigh` becomes the canonical
 * maximum. (A native passthrough forwards the client's exact value.)
 */
function reasoning(body: ChatRequestBody): ReasoningConfig | undefined {
  const effort = body.reasoning_effort;
  if (effort == null || effort === 'none') return undefined;
  return { effort: effort === 'xhigh' ? 'high' : effort };
}

export function toCanonical(body: ChatRequestBody): { request: ChatRequest; untranslatable: string[] } {
  const untranslatable: Untranslatable = new Set();
  const request: ChatRequest = {
    model: body.model,
    messages: messages(body, untranslatable),
    stream: body.stream === true,
  };
  const set = <K extends keyof ChatRequest>(key: K, value: ChatRequest[K] | null | undefined) => {
    if (value != null) request[key] = value;
  };
  set('tools', tools(body, untranslatable));
  set('toolChoice', toolChoice(body, untranslatable));
  set('parallelToolCalls', body.parallel_tool_calls);
  set('maxTokens', body.max_completion_tokens ?? body.max_tokens);
  set('temperature', body.temperature);
  set('topP', body.top_p);
  set('stop', typeof body.stop === 'string' ? [body.stop] : body.stop);
  set('n', body.n);
  set('seed', body.seed);
  set('presencePenalty', body.presence_penalty);
  set('frequencyPenalty', body.frequency_penalty);
  set('logprobs', body.logprobs);
  set('topLogprobs', body.top_logprobs);
  set('responseFormat', responseFormat(body));
  set('reasoning', reasoning(body));
  if (request.stream) set('includeUsage', body.stream_options?.include_usage === true);
  // safety_identifier is the newer name for the same abuse-monitoring hint.
  set('user', body.user ?? body.safety_identifier);
  set('metadata', body.metadata);

  // Output-shaping features no canonical field carries.
  if (body.audio != null) untranslatable.add('audio');
  if (body.modalities?.includes('audio')) untranslatable.add('modalities (audio)');
  if (body.logit_bias != null && Object.keys(body.logit_bias).length > 0) untranslatable.add('logit_bias');
  if (body.verbosity != null) untranslatable.add('verbosity');
  if (body.web_search_options != null) untranslatable.add('web_search_options');
  return { request, untranslatable: [...untranslatable] };
}
