/**
 * A validated Messages request → canonical ChatRequest, plus the list of features the canonical
 * request cannot carry (`untranslatable`): those are fine on a native passthrough (the raw body is
 * forwarded) but make a translation to another provider refuse with a 400.
 */
import type {
  AssistantMessage,
  CacheControl,
  ChatRequest,
  ContentPart,
  FunctionTool,
  Message,
  ReasoningConfig,
  ResponseFormat,
  TextPart,
  ToolChoice,
} from '../../canonical/types.js';
import type { ContentBlock, ResultContentBlock } from './blocks.js';
import type { CountTokensRequest, MessagesRequest } from './schema.js';

export type Translation = { request: ChatRequest; untranslatable: string[] };

/** The count_tokens body is the common part; the generation fields exist on /v1/messages only. */
type GenerationField =
  | 'max_tokens'
  | 'stream'
  | 'temperature'
  | 'top_p'
  | 'top_k'
  | 'stop_sequences'
  | 'metadata'
  | 'container'
  | 'inference_geo'
  | 'diagnostics'
  | 'compaction'
  | 'fallbacks'
  | 'fallback_credit_token'
  | 'billing_policy'
  | 'thread';
type Body = CountTokensRequest & Partial<Pick<MessagesRequest, GenerationField>>;

/** Fields whose meaning no other provider shares; dropping them would change the answer or its guarantees. */
const ANTHROPIC_ONLY_FIELDS = [
  'container',
  'mcp_servers',
  'context_management',
  'compaction',
  'diagnostics',
  'fallbacks',
  'fallback_credit_token',
  'billing_policy',
  'thread',
  // A data-residency requirement: silently answering from elsewhere is not acceptable.
  'inference_geo',
] as const;

const EFFORTS = { low: 'low', medium: 'medium', high: 'high', xhigh: 'high', max: 'high' } as const;

// Block type names come from the client; only plain identifiers are echoed in messages.
const showType = (type: string): string => (/^[A-Za-z0-9_-]{1,64}$/.test(type) ? type : '?');

export function toCanonical(body: Body): Translation {
  const untranslatable: string[] = [];
  const lost = (path: string, type?: string) => untranslatable.push(type === undefined ? path : `${path} (${showType(type)})`);

  const messages: Message[] = [];
  if (typeof body.system === 'string') messages.push({ role: 'system', content: [{ type: 'text', text: body.system }] });
  else if (body.system) messages.push({ role: 'system', content: body.system.map((b) => textPart(b.text, b.cache_control)) });

  body.messages.forEach((message, i) => {
    const blocks: ContentBlock[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    const at = (j: number) => `messages[${i}].content[${j}]`;
    if (message.role === 'assistant') {
      const assistant = assistantMessage(blocks, at, lost);
      if (assistant) messages.push(assistant);
      return;
    }
    if (message.role === 'system') {
      const content: TextPart[] = [];
      blocks.forEach((b, j) => (b.type === 'text' ? content.push(textPart(b.text, b.cache_control)) : lost(at(j), blockType(b))));
      messages.push({ role: 'system', content });
      return;
    }
    // A user turn may interleave tool results and content; canonical keeps them as separate
    // messages in the same order.
    let parts: ContentPart[] = [];
    const flush = () => {
      if (parts.length > 0) messages.push({ role: 'user', content: parts });
      parts = [];
    };
    blocks.forEach((b, j) => {
      if (b.type === 'tool_result') {
        flush();
        const content: ContentPart[] = [];
        if (typeof b.content === 'string') content.push({ type: 'text', text: b.content });
        else b.content?.forEach((c, k) => pushMedia(c, content, `${at(j)}.content[${k}]`, lost));
        messages.push({
          role: 'tool',
          toolCallId: b.tool_use_id,
          content,
          ...(b.is_error ? { isError: true } : {}),
          ...cacheOf(b.cache_control),
        });
      } else if (b.type === 'text' || b.type === 'image' || b.type === 'document' || b.type === 'opaque') {
        pushMedia(b, parts, at(j), lost);
      } else {
        lost(at(j), b.type); // thinking / tool_use in a user turn
      }
    });
    flush();
  });

  const tools: FunctionTool[] = [];
  body.tools?.forEach((tool, i) => {
    if (tool.kind === 'server') return lost(`tools[${i}]`, tool.type);
    for (const extra of tool.extras) lost(`tools[${i}].${extra}`);
    tools.push({
      type: 'function',
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: tool.input_schema,
      ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
      ...cacheOf(tool.cache_control),
    });
  });

  for (const field of ANTHROPIC_ONLY_FIELDS) if (body[field] !== undefined && body[field] !== null) lost(field);
  if (body.thinking?.type === 'between_tools') lost('thinking', 'between_tools');

  const choice = toolChoice(body.tool_choice);
  const reasoning = reasoningOf(body);
  const responseFormat = responseFormatOf(body);
  const request: ChatRequest = {
    model: body.model,
    messages,
    stream: body.stream ?? false,
    ...(tools.length > 0 ? { tools } : {}),
    ...(choice.toolChoice ? { toolChoice: choice.toolChoice } : {}),
    ...(choice.parallelToolCalls === false ? { parallelToolCalls: false } : {}),
    ...(body.max_tokens !== undefined ? { maxTokens: body.max_tokens } : {}),
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
    ...(body.top_p !== undefined ? { topP: body.top_p } : {}),
    ...(body.top_k !== undefined ? { topK: body.top_k } : {}),
    ...(body.stop_sequences && body.stop_sequences.length > 0 ? { stop: body.stop_sequences } : {}),
    ...(reasoning ? { reasoning } : {}),
    ...(responseFormat ? { responseFormat } : {}),
    ...(body.metadata?.user_id ? { user: body.metadata.user_id } : {}),
  };
  return { request, untranslatable };
}

function blockType(block: ContentBlock | ResultContentBlock): string {
  return block.type === 'opaque' ? block.original : block.type;
}

function cacheOf(cache: { type: 'ephemeral'; ttl?: '5m' | '1h' } | null | undefined): { cacheControl?: CacheControl } {
  if (!cache) return {};
  return { cacheControl: { type: 'ephemeral', ...(cache.ttl ? { ttl: cache.ttl } : {}) } };
}

function textPart(text: string, cache: Parameters<typeof cacheOf>[0]): TextPart {
  // Citations on input text are references to earlier documents; they do not change the text.
  return { type: 'text', text, ...cacheOf(cache) };
}

/** Text, image and document blocks of a user turn or tool result → canonical parts. */
function pushMedia(block: ResultContentBlock, parts: ContentPart[], path: string, lost: (path: string, type?: string) => void): void {
  switch (block.type) {
    case 'text':
      parts.push(textPart(block.text, block.cache_control));
      return;
    case 'image': {
      const s = block.source;
      if (s.type === 'base64')
        parts.push({ type: 'image', source: { kind: 'base64', mediaType: s.media_type, data: s.data }, ...cacheOf(block.cache_control) });
      else if (s.type === 'url') parts.push({ type: 'image', source: { kind: 'url', url: s.url }, ...cacheOf(block.cache_control) });
      // A file id names a file in the gateway's Anthropic org; no other provider can resolve it.
      else lost(`${path}.source`, 'file');
      return;
    }
    case 'document': {
      const s = block.source;
      const meta = { ...(block.title ? { filename: block.title } : {}), ...cacheOf(block.cache_control) };
      if (s.type === 'base64' && s.media_type === 'application/pdf') {
        parts.push({ type: 'file', source: { kind: 'base64', mediaType: 'application/pdf', data: s.data }, ...meta });
      } else if (s.type === 'url') {
        parts.push({ type: 'file', source: { kind: 'url', url: s.url }, ...meta });
      } else if (s.type === 'text') {
        // Plain text is portable as text; the block's title does not change what the model reads.
        parts.push(textPart(s.data, block.cache_control));
      } else {
        lost(`${path}.source`, s.type);
      }
      return;
    }
    case 'opaque':
      lost(path, block.original);
      return;
  }
}

function assistantMessage(
  blocks: ContentBlock[],
  at: (j: number) => string,
  lost: (path: string, type?: string) => void,
): AssistantMessage | undefined {
  const message: AssistantMessage = { role: 'assistant', content: [] };
  blocks.forEach((b, j) => {
    switch (b.type) {
      case 'text':
        message.content.push(textPart(b.text, b.cache_control));
        break;
      case 'thinking':
        (message.reasoning ??= []).push({ type: 'thinking', text: b.thinking, ...(b.signature ? { signature: b.signature } : {}) });
        break;
      case 'redacted_thinking':
        (message.reasoning ??= []).push({ type: 'redacted_thinking', data: b.data });
        break;
      case 'tool_use':
        (message.toolCalls ??= []).push({ id: b.id, name: b.name, arguments: JSON.stringify(b.input) });
        break;
      default:
        lost(at(j), blockType(b));
    }
  });
  return message.content.length > 0 || message.reasoning || message.toolCalls ? message : undefined;
}

function toolChoice(choice: Body['tool_choice']): { toolChoice?: ToolChoice; parallelToolCalls?: boolean } {
  if (!choice) return {};
  const parallel = 'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true ? { parallelToolCalls: false } : {};
  switch (choice.type) {
    case 'auto':
      return { toolChoice: { type: 'auto' }, ...parallel };
    case 'any':
      return { toolChoice: { type: 'required' }, ...parallel };
    case 'tool':
      return { toolChoice: { type: 'function', name: choice.name }, ...parallel };
    case 'none':
      return { toolChoice: { type: 'none' } };
  }
}

/**
 * `thinking.enabled` carries an explicit budget; `adaptive` lets the model decide, which maps to an
 * effort (output_config.effort when given, else medium). output_config.effort alone also becomes an
 * effort, unless thinking is explicitly disabled. xhigh and max have no canonical level above high.
 */
function reasoningOf(body: Body): ReasoningConfig | undefined {
  const effort = body.output_config?.effort ? EFFORTS[body.output_config.effort] : undefined;
  switch (body.thinking?.type) {
    case 'enabled':
      return { budgetTokens: body.thinking.budget_tokens };
    case 'adaptive':
      return { effort: effort ?? 'medium' };
    case 'disabled':
    case 'between_tools':
      return undefined;
    case undefined:
      return effort ? { effort } : undefined;
  }
}

function responseFormatOf(body: Body): ResponseFormat | undefined {
  const format = body.output_config?.format ?? body.output_format;
  // Anthropic's structured output is always enforced, hence strict.
  return format ? { type: 'json_schema', name: 'response', schema: format.schema, strict: true } : undefined;
}
