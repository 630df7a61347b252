/**
 * A fake OpenAI (and Azure OpenAI) on top of fake-upstream.ts. It validates requests the way the real
 * API does where a translation bug would show, and answers in OpenAI's shapes:
 * - auth: `Authorization: Bearer <key>` (OpenAI) or `api-key: <key>` (Azure); missing or wrong → 401 with
 *   OpenAI's error body. Like OpenAI, a wrong key is quoted back partly masked (`sk-wro***…1234`), so tests
 *   can check that adapters scrub it.
 * - required fields (400 `missing_required_parameter`), message roles, tool messages answering an earlier
 *   tool call, `stream_options` only with `stream: true`, `metadata` only with `store: true` (all as OpenAI).
 * - Azure: the deployment paths need an `api-version` query (404 "Resource not found" without it, as
 *   Azure answers); `/openai/v1/*` does not. Azure streams open with a `choices: []` prompt-filter chunk.
 *
 * The OpenAI flavour is mounted under `/v1`, so `baseUrl` also serves the OpenAI-compatible providers
 * (whose base URLs end in /v1 too).
 */
import { formatSse, SSE_DONE } from '../../src/providers/sse.js';
import {
  chunkText,
  startFakeUpstream,
  type FakeUpstream,
  type RecordedRequest,
  type Route,
  type RouteContext,
  type RouteResult,
  type ScriptedReply,
} from './fake-upstream.js';

export const DEFAULT_FAKE_OPENAI_KEY = 'sk-fake-openai-key-0123456789';

export type FakeOpenAIOptions = { flavour?: 'openai' | 'azure'; apiKey?: string };

export type FakeOpenAI = FakeUpstream & {
  /** What a provider key's base URL would be: `<url>/v1` for OpenAI, the resource URL for Azure. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly flavour: 'openai' | 'azure';
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const CREATED = 1_700_000_000;

export function openAiError(status: number, message: string, type: string, code: string | null, param: string | null = null): RouteResult {
  return { kind: 'error', status, body: { error: { message, type, param, code } } };
}

const missing = (param: string) =>
  openAiError(400, `Missing required parameter: '${param}'.`, 'invalid_request_error', 'missing_required_parameter', param);
const invalid = (param: string, message: string) => openAiError(400, message, 'invalid_request_error', 'invalid_value', param);

/** OpenAI quotes a wrong key with its middle masked. */
function maskKey(key: string): string {
  return key.length <= 12 ? `${key.slice(0, 3)}***` : `${key.slice(0, 6)}${'*'.repeat(key.length - 10)}${key.slice(-4)}`;
}

function checkAuth(request: RecordedRequest, flavour: 'openai' | 'azure', apiKey: string): RouteResult | undefined {
  if (flavour === 'azure') {
    const key = request.headers['api-key'];
    if (key === apiKey) return undefined;
    return {
      kind: 'error',
      status: 401,
      body: {
        error: {
          code: '401',
          message:
            'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
        },
      },
    };
  }
  const header = request.headers.authorization;
  if (header === undefined) {
    return openAiError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      'invalid_request_error',
      null,
    );
  }
  const key = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : header;
  if (key === apiKey) return undefined;
  return openAiError(
    401,
    `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    'invalid_request_error',
    'invalid_api_key',
  );
}

const unparsable = (): RouteResult =>
  openAiError(
    400,
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
    'invalid_request_error',
    null,
  );

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/** OpenAI's own request checks, shared with the OpenAI-compatible family fakes (openai-family.ts). */
export function validateChat(body: Json, requireModel: boolean): RouteResult | undefined {
  if (requireModel && (typeof body.model !== 'string' || body.model === '')) return missing('model');
  if (!Array.isArray(body.messages)) return missing('messages');
  if (body.messages.length === 0)
    return invalid('messages', "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.");
  const toolCallIds = new Set<string>();
  for (const [i, message] of body.messages.entries()) {
    if (!isObject(message)) return invalid(`messages[${i}]`, `Invalid type for 'messages[${i}]': expected an object.`);
    if (typeof message.role !== 'string' || !ROLES.has(message.role))
      return invalid(`messages[${i}].role`, `Invalid value for 'messages[${i}].role'.`);
    if (message.role !== 'assistant' && message.content === undefined) return missing(`messages[${i}].content`);
    if (message.role === 'assistant' && Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls) if (isObject(call) && typeof call.id === 'string') toolCallIds.add(call.id);
    }
    if (message.role === 'tool') {
      if (typeof message.tool_call_id !== 'string') return missing(`messages[${i}].tool_call_id`);
      if (!toolCallIds.has(message.tool_call_id)) {
        return invalid(
          `messages[${i}].role`,
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
        );
      }
    }
  }
  if (body.stream_options != null && body.stream !== true) {
    return invalid('stream_options', "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
  }
  if (body.metadata != null && body.store !== true)
    return invalid('metadata', "The 'metadata' parameter is only allowed when 'store' is enabled.");
  return undefined;
}

export function finishReason(reply: ScriptedReply): string {
  return reply.finishReason ?? (reply.toolCalls && reply.toolCalls.length > 0 ? 'tool_calls' : 'stop');
}

function chatUsage(reply: ScriptedReply) {
  const usage = reply.usage ?? { input: 11, output: 7 };
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cached ?? 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoning ?? 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function choiceCount(body: Json): number {
  return typeof body.n === 'number' && Number.isInteger(body.n) && body.n > 1 ? body.n : 1;
}

function chatJson(body: Json, reply: ScriptedReply, model: string, azure: boolean): RouteResult {
  const calls = reply.toolCalls ?? [];
  const choices = Array.from({ length: choiceCount(body) }, (_, index) => ({
    index,
    message: {
      role: 'assistant',
      content: reply.text ?? null,
      refusal: null,
      annotations: [],
      ...(calls.length > 0
        ? {
            tool_calls: calls.map((c) =>
              c.custom
                ? { id: c.id, type: 'custom', custom: { name: c.name, input: c.arguments } }
                : { id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } },
            ),
          }
        : {}),
    },
    logprobs: null,
    finish_reason: finishReason(reply),
  }));
  return {
    kind: 'json',
    body: {
      id: 'chatcmpl-fake0001',
      object: 'chat.completion',
      created: CREATED,
      model,
      choices,
      usage: chatUsage(reply),
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
      ...(azure ? { prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] } : {}),
    },
  };
}

function chatSse(body: Json, reply: ScriptedReply, model: string, azure: boolean): RouteResult {
  const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
  const chunk = (choices: unknown[], extra: Json = {}) =>
    formatSse(
      JSON.stringify({
        id: 'chatcmpl-fake0001',
        object: 'chat.completion.chunk',
        created: CREATED,
        model,
        system_fingerprint: 'fp_fake',
        choices,
        ...(includeUsage ? { usage: null } : {}),
        ...extra,
      }),
    );
  const delta = (index: number, d: Json, finish: string | null = null) =>
    chunk([{ index, delta: d, logprobs: null, finish_reason: finish }]);
  const frames: string[] = [];
  // Azure opens every stream with a prompt-filter chunk that has no choices and an empty model.
  if (azure) frames.push(formatSse(JSON.stringify({ id: '', object: '', created: 0, model: '', choices: [], prompt_filter_results: [] })));
  for (let index = 0; index < choiceCount(body); index++) {
    frames.push(delta(index, { role: 'assistant', content: '', refusal: null }));
    if (reply.text) for (const piece of chunkText(reply.text, reply.chunks)) frames.push(delta(index, { content: piece }));
    for (const [i, call] of (reply.toolCalls ?? []).entries()) {
      // A custom call streams its input as `custom.input` pieces (the shape reported in
      // openai/openai-openapi#576; the published chunk schema lists function calls only).
      const [type, field] = call.custom ? (['custom', 'input'] as const) : (['function', 'arguments'] as const);
      frames.push(delta(index, { tool_calls: [{ index: i, id: call.id, type, [type]: { name: call.name, [field]: '' } }] }));
      for (const piece of chunkText(call.arguments)) frames.push(delta(index, { tool_calls: [{ index: i, [type]: { [field]: piece } }] }));
    }
    frames.push(delta(index, {}, finishReason(reply)));
  }
  if (includeUsage) frames.push(chunk([], { usage: chatUsage(reply) }));
  frames.push(SSE_DONE);
  return { kind: 'sse', frames };
}

function chatCompletions(context: RouteContext, options: { azure: boolean; requireModel: boolean }): RouteResult {
  const body = context.request.body;
  if (!isObject(body)) return unparsable();
  const problem = validateChat(body, options.requireModel);
  if (problem) return problem;
  const requested = typeof body.model === 'string' ? body.model : (context.params.deployment ?? 'gpt-4o');
  const model = context.reply.model ?? requested;
  return body.stream === true ? chatSse(body, context.reply, model, options.azure) : chatJson(body, context.reply, model, options.azure);
}

// ---- Responses API ----

function responseStatus(reply: ScriptedReply): { status: string; incomplete: Json | null } {
  if (reply.finishReason === 'length') return { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } };
  if (reply.finishReason === 'content_filter') return { status: 'incomplete', incomplete: { reason: 'content_filter' } };
  return { status: 'completed', incomplete: null };
}

function responsesUsage(reply: ScriptedReply) {
  const usage = reply.usage ?? { input: 11, output: 7 };
  return {
    input_tokens: usage.input,
    input_tokens_details: { cached_tokens: usage.cached ?? 0 },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: usage.reasoning ?? 0 },
    total_tokens: usage.input + usage.output,
  };
}

type OutputItem = Json & { id: string; type: string };

function outputItems(reply: ScriptedReply): OutputItem[] {
  const items: OutputItem[] = [];
  if (reply.reasoning)
    items.push({ id: 'rs_fake0001', type: 'reasoning', summary: [{ type: 'summary_text', text: reply.reasoning.text }] });
  if (reply.text !== undefined) {
    items.push({
      id: 'msg_fake0001',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: reply.text, annotations: [], logprobs: [] }],
    });
  }
  for (const [i, call] of (reply.toolCalls ?? []).entries()) {
    const common = { status: 'completed', call_id: call.id, name: call.name };
    if (call.custom) items.push({ id: `ctc_fake000${i}`, type: 'custom_tool_call', ...common, input: call.arguments });
    else items.push({ id: `fc_fake000${i}`, type: 'function_call', ...common, arguments: call.arguments });
  }
  return items;
}

function responseObject(body: Json, reply: ScriptedReply, model: string, phase: 'in_progress' | 'final'): Json {
  const { status, incomplete } = responseStatus(reply);
  const final = phase === 'final';
  const text = reply.text ?? '';
  return {
    id: 'resp_fake0001',
    object: 'response',
    created_at: CREATED,
    status: final ? status : 'in_progress',
    background: false,
    error: null,
    incomplete_details: final ? incomplete : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model,
    output: final ? outputItems(reply) : [],
    output_text: final ? text : '',
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: final ? responsesUsage(reply) : null,
    user: null,
    metadata: body.metadata ?? {},
  };
}

function responsesSse(body: Json, reply: ScriptedReply, model: string): RouteResult {
  const frames: string[] = [];
  let sequence = 0;
  const emit = (type: string, payload: Json) =>
    frames.push(formatSse(JSON.stringify({ type, sequence_number: sequence++, ...payload }), type));
  emit('response.created', { response: responseObject(body, reply, model, 'in_progress') });
  emit('response.in_progress', { response: responseObject(body, reply, model, 'in_progress') });
  for (const [outputIndex, item] of outputItems(reply).entries()) {
    const itemId = item.id;
    if (item.type === 'reasoning' && reply.reasoning) {
      emit('response.output_item.added', { output_index: outputIndex, item: { ...item, summary: [] } });
      emit('response.reasoning_summary_part.added', {
        item_id: itemId,
        output_index: outputIndex,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      });
      for (const piece of chunkText(reply.reasoning.text)) {
        emit('response.reasoning_summary_text.delta', { item_id: itemId, output_index: outputIndex, summary_index: 0, delta: piece });
      }
      emit('response.reasoning_summary_text.done', {
        item_id: itemId,
        output_index: outputIndex,
        summary_index: 0,
        text: reply.reasoning.text,
      });
      emit('response.reasoning_summary_part.done', {
        item_id: itemId,
        output_index: outputIndex,
        summary_index: 0,
        part: { type: 'summary_text', text: reply.reasoning.text },
      });
    } else if (item.type === 'message') {
      const text = reply.text ?? '';
      emit('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress', content: [] } });
      const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
      emit('response.content_part.added', { item_id: itemId, output_index: outputIndex, content_index: 0, part });
      for (const piece of chunkText(text)) {
        emit('response.output_text.delta', { item_id: itemId, output_index: outputIndex, content_index: 0, delta: piece, logprobs: [] });
      }
      emit('response.output_text.done', { item_id: itemId, output_index: outputIndex, content_index: 0, text, logprobs: [] });
      emit('response.content_part.done', { item_id: itemId, output_index: outputIndex, content_index: 0, part: { ...part, text } });
    } else if (item.type === 'function_call') {
      const args = typeof item.arguments === 'string' ? item.arguments : '';
      emit('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress', arguments: '' } });
      for (const piece of chunkText(args))
        emit('response.function_call_arguments.delta', { item_id: itemId, output_index: outputIndex, delta: piece });
      emit('response.function_call_arguments.done', { item_id: itemId, output_index: outputIndex, name: item.name, arguments: args });
    } else if (item.type === 'custom_tool_call') {
      const input = typeof item.input === 'string' ? item.input : '';
      emit('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress', input: '' } });
      for (const piece of chunkText(input))
        emit('response.custom_tool_call_input.delta', { item_id: itemId, output_index: outputIndex, delta: piece });
      emit('response.custom_tool_call_input.done', { item_id: itemId, output_index: outputIndex, input });
    }
    emit('response.output_item.done', { output_index: outputIndex, item });
  }
  const final = responseObject(body, reply, model, 'final');
  emit(final.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: final });
  return { kind: 'sse', frames };
}

function responses(context: RouteContext): RouteResult {
  const body = context.request.body;
  if (!isObject(body)) return unparsable();
  if (typeof body.model !== 'string' || body.model === '') return missing('model');
  if (body.input === undefined && body.previous_response_id === undefined) return missing('input');
  const model = context.reply.model ?? body.model;
  return body.stream === true
    ? responsesSse(body, context.reply, model)
    : { kind: 'json', body: responseObject(body, context.reply, model, 'final') };
}

// ---- Embeddings and models ----

/** Values are multiples of 1/16, exact in float32, so base64 round trips compare equal. */
export function fakeEmbedding(inputIndex: number, dimensions: number): number[] {
  return Array.from({ length: dimensions }, (_, j) => (((inputIndex + 1) * (j + 3)) % 17) / 16 - 0.5);
}

function embeddings(context: RouteContext, requireModel: boolean): RouteResult {
  const body = context.request.body;
  if (!isObject(body)) return unparsable();
  if (requireModel && (typeof body.model !== 'string' || body.model === '')) return missing('model');
  if (body.input === undefined) return missing('input');
  const inputs: unknown[] =
    typeof body.input === 'string' || (Array.isArray(body.input) && body.input.every((x) => typeof x === 'number'))
      ? [body.input]
      : (body.input as unknown[]);
  if (!Array.isArray(inputs) || inputs.length === 0) return invalid('input', "'input' : input must be a non-empty string or array");
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : 8;
  const base64 = body.encoding_format === 'base64';
  return {
    kind: 'json',
    body: {
      object: 'list',
      data: inputs.map((_, index) => {
        const vector = fakeEmbedding(index, dimensions);
        return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
      }),
      model: typeof body.model === 'string' ? body.model : (context.params.deployment ?? 'text-embedding-3-small'),
      usage: { prompt_tokens: inputs.length * 3, total_tokens: inputs.length * 3 },
    },
  };
}

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-5-mini', 'text-embedding-3-small'];

function models(): RouteResult {
  return {
    kind: 'json',
    body: { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'system' })) },
  };
}

// ---- Mounting ----

type Handler = (context: RouteContext) => RouteResult;

function guarded(flavour: 'openai' | 'azure', apiKey: string, handler: Handler, options: { apiVersion?: boolean } = {}): Route['handle'] {
  return (context) => {
    // Azure checks the path (including api-version) before the key.
    if (options.apiVersion && !context.request.query.get('api-version')) {
      return { kind: 'error', status: 404, body: { error: { code: '404', message: 'Resource not found' } } };
    }
    return checkAuth(context.request, flavour, apiKey) ?? handler(context);
  };
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const flavour = options.flavour ?? 'openai';
  const apiKey = options.apiKey ?? DEFAULT_FAKE_OPENAI_KEY;
  const g = (handler: Handler, o?: { apiVersion?: boolean }) => guarded(flavour, apiKey, handler, o);
  const routes: Route[] =
    flavour === 'openai'
      ? [
          { method: 'POST', pattern: '/v1/chat/completions', handle: g((c) => chatCompletions(c, { azure: false, requireModel: true })) },
          { method: 'POST', pattern: '/v1/responses', handle: g(responses) },
          { method: 'POST', pattern: '/v1/embeddings', handle: g((c) => embeddings(c, true)) },
          { method: 'GET', pattern: '/v1/models', handle: g(models) },
        ]
      : [
          {
            method: 'POST',
            pattern: '/openai/deployments/:deployment/chat/completions',
            handle: g((c) => chatCompletions(c, { azure: true, requireModel: false }), { apiVersion: true }),
          },
          {
            method: 'POST',
            pattern: '/openai/deployments/:deployment/embeddings',
            handle: g((c) => embeddings(c, false), { apiVersion: true }),
          },
          {
            method: 'POST',
            pattern: '/openai/v1/chat/completions',
            handle: g((c) => chatCompletions(c, { azure: true, requireModel: true })),
          },
          { method: 'POST', pattern: '/openai/v1/embeddings', handle: g((c) => embeddings(c, true)) },
          { method: 'POST', pattern: '/openai/v1/responses', handle: g(responses) },
          { method: 'GET', pattern: '/openai/v1/models', handle: g(models) },
        ];
  const fake = await startFakeUpstream({ name: flavour === 'openai' ? 'openai' : 'azure-openai', routes });
  return Object.assign(fake, { baseUrl: flavour === 'openai' ? `${fake.url}/v1` : fake.url, apiKey, flavour });
}
