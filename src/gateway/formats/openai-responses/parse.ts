/**
 * `POST /v1/responses` body → canonical ChatRequest.
 *
 * Every body OpenAI would accept parses (a native passthrough forwards it as-is). What cannot be
 * translated is listed in `untranslatable`, value-free, so the pipeline refuses the request for a
 * non-OpenAI provider instead of answering a different question than the one asked.
 */
import type { ChatRequest, FunctionTool, ReasoningConfig, ResponseFormat, ToolChoice } from '../../canonical/types.js';
import { badRequest } from '../../../http/errors.js';
import { describeZodError } from '../../../http/zod-message.js';
import type { ParsedInbound } from '../types.js';
import { itemsToMessages, showType } from './messages.js';
import {
  KNOWN_FIELDS,
  requestSchema,
  type ResponsesRequest,
  type TextFormatParam,
  type ToolChoiceParam,
  type ToolParam,
} from './schema.js';

export function parseRequest(body: unknown): ParsedInbound {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Invalid request: body must be a JSON object');
  const raw = body as Record<string, unknown>;
  const result = requestSchema.safeParse(raw);
  if (!result.success) throw badRequest(`Invalid request: ${describeZodError(result.error, raw)}`, 'validation_error');
  const req = result.data;

  const untranslatable = serverStateFeatures(req);
  const report = (what: string) => untranslatable.push(what);

  const messages = itemsToMessages(req.input, report);
  // Instructions are the system prompt; the Responses API keeps them apart from `input`.
  if (req.instructions) messages.unshift({ role: 'system', content: [{ type: 'text', text: req.instructions }] });

  const request: ChatRequest = {
    model: req.model,
    messages,
    stream: req.stream === true,
    ...optional('tools', functionTools(req.tools, report)),
    ...optional('toolChoice', canonicalToolChoice(req.tool_choice, report)),
    ...optional('parallelToolCalls', req.parallel_tool_calls ?? undefined),
    ...optional('maxTokens', req.max_output_tokens ?? undefined),
    ...optional('temperature', req.temperature ?? undefined),
    ...optional('topP', req.top_p ?? undefined),
    ...optional('responseFormat', responseFormat(req.text?.format)),
    ...optional('reasoning', reasoning(req.reasoning?.effort)),
    // A Responses stream always ends with the usage in response.completed.
    ...(req.stream === true ? { includeUsage: true } : {}),
    // safety_identifier replaces the deprecated `user`; both name the end user for abuse monitoring.
    ...optional('user', req.safety_identifier ?? req.user),
    ...optional('metadata', req.metadata ?? undefined),
  };

  return {
    request,
    // The body as the client sent it (not zod's output): a native passthrough must forward nested
    // fields this schema does not list, e.g. newer item properties.
    raw,
    unknownFields: Object.keys(raw).filter((key) => !KNOWN_FIELDS.has(key)),
    ...(untranslatable.length > 0 ? { untranslatable } : {}),
  };
}

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, V>);

/**
 * Fields that only mean something on OpenAI's servers. `store` is deliberately absent: it defaults
 * to true, so nearly every client sends or implies it without relying on it, and a translated
 * answer is simply not stored (a later retrieval by id fails on its own). What cannot work without
 * server state is what the client explicitly builds on it: continuing a stored response or
 * conversation, running in the background, a stored prompt template, server-side compaction.
 *
 * Also deliberately ignored on translation, because they change no answer a client relies on:
 * `truncation: 'auto'` (an over-long context fails upstream instead of being trimmed),
 * `service_tier`, `prompt_cache_key`, `prompt_cache_retention`, `stream_options` (obfuscation
 * padding), `text.verbosity`, `reasoning.summary` (the gateway returns whatever reasoning the
 * provider shows), `max_tool_calls` (counts built-in tool calls, which are refused anyway) and
 * `include` entries that only add detail about built-in tools or encrypted reasoning.
 */
function serverStateFeatures(req: ResponsesRequest): string[] {
  const found: string[] = [];
  if (req.previous_response_id) found.push('previous_response_id');
  if (req.conversation) found.push('conversation');
  if (req.background === true) found.push('background');
  if (req.prompt) found.push('prompt');
  if (req.context_management && req.context_management.length > 0) found.push('context_management');
  // Log probabilities have no place in the canonical response: asking for them cannot be honoured.
  if (req.top_logprobs) found.push('top_logprobs');
  if (req.include?.includes('message.output_text.logprobs')) found.push('include (message.output_text.logprobs)');
  return found;
}

function functionTools(tools: ToolParam[] | null | undefined, report: (what: string) => void): FunctionTool[] | undefined {
  if (!tools || tools.length === 0) return undefined;
  const out: FunctionTool[] = [];
  tools.forEach((tool, i) => {
    if (tool.kind === 'built_in') {
      // web_search, file_search, code_interpreter, mcp, … run on OpenAI's servers; `custom` tools
      // take free-form grammar-constrained input no other provider offers.
      report(`tools[${i}] (${showType(tool.type)})`);
      return;
    }
    if (tool.defer_loading) {
      report(`tools[${i}] (defer_loading)`);
      return;
    }
    out.push({
      type: 'function',
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      // `parameters: null` means a function without arguments.
      parameters: tool.parameters ?? { type: 'object', properties: {} },
      // Only an explicit choice is passed on: the provider's own default applies otherwise.
      ...(typeof tool.strict === 'boolean' ? { strict: tool.strict } : {}),
    });
  });
  return out.length > 0 ? out : undefined;
}

function canonicalToolChoice(choice: ToolChoiceParam | undefined, report: (what: string) => void): ToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === 'string') return { type: choice };
  if (choice.type === 'function' && 'name' in choice && typeof choice.name === 'string') return { type: 'function', name: choice.name };
  // allowed_tools, a built-in tool, an MCP server or a custom tool: nothing canonical matches.
  report(`tool_choice (${showType(choice.type)})`);
  return undefined;
}

function responseFormat(format: TextFormatParam | undefined): ResponseFormat | undefined {
  if (format === undefined) return undefined;
  if (format.type !== 'json_schema') return { type: format.type };
  return {
    type: 'json_schema',
    name: format.name,
    schema: format.schema,
    ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
    ...(format.description !== undefined ? { description: format.description } : {}),
  };
}

type Effort = NonNullable<NonNullable<ResponsesRequest['reasoning']>['effort']>;

function reasoning(effort: Effort | null | undefined): ReasoningConfig | undefined {
  // 'none' asks for no reasoning, which is what an absent config means to every adapter.
  if (effort === undefined || effort === null || effort === 'none') return undefined;
  // 'xhigh' is above the canonical scale; 'high' is the most the canonical request can ask for.
  return { effort: effort === 'xhigh' ? 'high' : effort };
}
