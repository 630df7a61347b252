/**
 * Fakes of the OpenAI-compatible family — Groq, DeepSeek, xAI, Together — on top of
 * fake-upstream.ts. The generic OpenAI fake accepts everything OpenAI accepts; each of these
 * refuses, with a 400 in its own error shape, what the real API documents as refused, and answers
 * with the provider's own fields:
 * - Groq (console.groq.com/docs/openai): base path `/openai/v1`. `logprobs`, `logit_bias`,
 *   `top_logprobs` and `messages[].name` "will result in a 400 error if they are supplied"; `n`
 *   must be 1. Reasoning arrives as `reasoning`; streams also carry usage in `x_groq.usage`.
 * - DeepSeek (api-docs.deepseek.com): `response_format` is `text` or `json_object` only. In thinking
 *   mode (on unless `thinking: {type: "disabled"}`) an assistant turn that called tools must carry its
 *   `reasoning_content` back, else 400 (guides/thinking_mode). `n` is not a parameter (ignored: one
 *   choice). Reasoning as `reasoning_content`; cache hits as `prompt_cache_hit_tokens`.
 * - xAI (docs.x.ai): errors are `{code, error}` with a string `error`. Reasoning models (grok-3-mini,
 *   grok-4 and later, grok-code/grok-build) refuse `presence_penalty`, `frequency_penalty` and `stop`.
 *   Reasoning as `reasoning_content`; reasoning tokens are counted beside `completion_tokens`.
 * - Together (docs.together.ai): usage comes on the final chunk of every stream, unasked. Reasoning
 *   as `reasoning`. No request rule is enforced beyond OpenAI's: none is documented as a 400.
 * All: `Authorization: Bearer <key>`, OpenAI's own checks (required fields, roles, tool messages).
 */
import { formatSse, SSE_DONE } from '../../src/providers/sse.js';
import {
  chunkText,
  startFakeUpstream,
  type FakeUpstream,
  type RecordedRequest,
  type RouteContext,
  type RouteResult,
  type ScriptedReply,
} from './fake-upstream.js';
import { finishReason, validateChat } from './openai.js';

export type OpenAiFamilyDialect = 'groq' | 'deepseek' | 'xai' | 'together';

export type FakeOpenAiFamily = FakeUpstream & {
  /** What a provider key's base URL is (the provider's own default has the same path). */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly dialect: OpenAiFamilyDialect;
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const CREATED = 1_700_000_000;

type Spec = {
  /** Path prefix of the real API (its base URL's path). */
  prefix: string;
  error: (status: number, message: string, param?: string) => RouteResult;
  /** The documented request rules beyond OpenAI's. */
  refuse: (body: Json) => RouteResult | undefined;
  reasoningField: 'reasoning' | 'reasoning_content';
  usage: (reply: ScriptedReply) => Json;
  /** Together sends usage on the final chunk whatever was asked; the others only with include_usage. */
  usageUnasked: boolean;
  choices: (body: Json) => number;
};

/** `{error: {message, type, param, code}}`, the envelope Groq, DeepSeek and Together share with OpenAI. */
const envelope =
  (code: string | null) =>
  (status: number, message: string, param?: string): RouteResult => ({
    kind: 'error',
    status,
    body: { error: { message, type: status === 401 ? 'authentication_error' : 'invalid_request_error', param: param ?? null, code } },
  });

const baseUsage = (reply: ScriptedReply) => {
  const usage = reply.usage ?? { input: 11, output: 7 };
  return { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output };
};

const requestedChoices = (body: Json) => (typeof body.n === 'number' && Number.isInteger(body.n) && body.n > 1 ? body.n : 1);

const GROQ_REFUSED = ['logprobs', 'logit_bias', 'top_logprobs'];

const XAI_REASONING_MODEL = /^grok-(3-mini|4|code|build)/;
const XAI_REASONING_REFUSED = ['presence_penalty', 'frequency_penalty', 'stop'];

const SPECS: Record<OpenAiFamilyDialect, Spec> = {
  groq: {
    prefix: '/openai/v1',
    error: envelope(null),
    refuse(body) {
      const error = SPECS.groq.error;
      if (body.n !== undefined && body.n !== 1) return error(400, "'n' : number must be at most 1", 'n');
      for (const name of GROQ_REFUSED) if (body[name] !== undefined) return error(400, `'${name}' : not supported`, name);
      const named = (body.messages as unknown[]).findIndex((m) => isObject(m) && m.name !== undefined);
      if (named >= 0) return error(400, `'messages.${named}.name' : property 'name' is unsupported`, `messages[${named}].name`);
      return undefined;
    },
    reasoningField: 'reasoning',
    usage: (reply) => ({ ...baseUsage(reply), queue_time: 0.01, prompt_time: 0.002, completion_time: 0.02, total_time: 0.022 }),
    usageUnasked: false,
    choices: () => 1,
  },
  deepseek: {
    prefix: '/v1',
    error: envelope('invalid_request_error'),
    refuse(body) {
      const error = SPECS.deepseek.error;
      const format = isObject(body.response_format) ? body.response_format.type : undefined;
      if (format !== undefined && format !== 'text' && format !== 'json_object')
        return error(400, `This response_format type is unavailable now`, 'response_format');
      const thinking = !(isObject(body.thinking) && body.thinking.type === 'disabled');
      if (!thinking) return undefined;
      for (const [i, m] of (body.messages as unknown[]).entries()) {
        if (
          isObject(m) &&
          m.role === 'assistant' &&
          Array.isArray(m.tool_calls) &&
          m.tool_calls.length > 0 &&
          typeof m.reasoning_content !== 'string'
        )
          return error(
            400,
            `Missing \`reasoning_content\` field in the assistant message at message index ${i}. The \`reasoning_content\` in the thinking mode must be passed back to the API.`,
          );
      }
      return undefined;
    },
    reasoningField: 'reasoning_content',
    usage(reply) {
      const usage = reply.usage ?? { input: 11, output: 7 };
      const cached = usage.cached ?? 0;
      return {
        ...baseUsage(reply),
        prompt_cache_hit_tokens: cached,
        prompt_cache_miss_tokens: usage.input - cached,
        ...(usage.reasoning ? { completion_tokens_details: { reasoning_tokens: usage.reasoning } } : {}),
      };
    },
    usageUnasked: false,
    choices: () => 1,
  },
  xai: {
    prefix: '/v1',
    error: (status, message) => ({
      kind: 'error',
      status,
      body: {
        code:
          status === 401
            ? 'The caller does not have permission to execute the specified operation'
            : 'Client specified an invalid argument',
        error: message,
      },
    }),
    refuse(body) {
      if (typeof body.model !== 'string' || !XAI_REASONING_MODEL.test(body.model)) return undefined;
      const name = XAI_REASONING_REFUSED.find((p) => body[p] !== undefined);
      return name ? SPECS.xai.error(400, `Argument not supported on this model: ${name}`) : undefined;
    },
    reasoningField: 'reasoning_content',
    usage(reply) {
      // `output` is the answer; reasoning tokens come on top, and the total counts both.
      const usage = reply.usage ?? { input: 11, output: 7 };
      const reasoning = usage.reasoning ?? 0;
      return {
        prompt_tokens: usage.input,
        completion_tokens: usage.output,
        total_tokens: usage.input + usage.output + reasoning,
        prompt_tokens_details: { text_tokens: usage.input, audio_tokens: 0, image_tokens: 0, cached_tokens: usage.cached ?? 0 },
        completion_tokens_details: {
          reasoning_tokens: reasoning,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      };
    },
    usageUnasked: false,
    choices: requestedChoices,
  },
  together: {
    prefix: '/v1',
    error: envelope(null),
    refuse: () => undefined,
    reasoningField: 'reasoning',
    usage: baseUsage,
    usageUnasked: true,
    choices: requestedChoices,
  },
};

function toolCallsOf(reply: ScriptedReply) {
  return (reply.toolCalls ?? []).map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
}

function chatJson(spec: Spec, body: Json, reply: ScriptedReply, model: string): RouteResult {
  const calls = toolCallsOf(reply);
  const message: Json = {
    role: 'assistant',
    content: reply.text ?? null,
    ...(reply.reasoning ? { [spec.reasoningField]: reply.reasoning.text } : {}),
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
  };
  return {
    kind: 'json',
    body: {
      id: 'chatcmpl-family0001',
      object: 'chat.completion',
      created: CREATED,
      model,
      choices: Array.from({ length: spec.choices(body) }, (_, index) => ({
        index,
        message,
        logprobs: null,
        finish_reason: finishReason(reply),
      })),
      usage: spec.usage(reply),
      system_fingerprint: 'fp_family',
    },
  };
}

function chatSse(spec: Spec, dialect: OpenAiFamilyDialect, body: Json, reply: ScriptedReply, model: string): RouteResult {
  const asked = isObject(body.stream_options) && body.stream_options.include_usage === true;
  const chunk = (choices: unknown[], extra: Json = {}) =>
    formatSse(JSON.stringify({ id: 'chatcmpl-family0001', object: 'chat.completion.chunk', created: CREATED, model, choices, ...extra }));
  const frames: string[] = [];
  const count = spec.choices(body);
  for (let index = 0; index < count; index++) {
    const delta = (d: Json, finish: string | null = null, extra: Json = {}) =>
      frames.push(chunk([{ index, delta: d, logprobs: null, finish_reason: finish }], extra));
    delta({ role: 'assistant', content: '' });
    if (reply.reasoning) for (const piece of chunkText(reply.reasoning.text)) delta({ [spec.reasoningField]: piece });
    if (reply.text) for (const piece of chunkText(reply.text, reply.chunks)) delta({ content: piece });
    for (const [i, call] of (reply.toolCalls ?? []).entries()) {
      delta({ tool_calls: [{ index: i, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] });
      for (const piece of chunkText(call.arguments)) delta({ tool_calls: [{ index: i, function: { arguments: piece } }] });
    }
    const last = index === count - 1;
    const extra: Json = {};
    // Groq repeats the usage under x_groq on the last chunk; Together puts it there, unasked.
    if (last && dialect === 'groq') extra.x_groq = { id: 'req_family0001', usage: spec.usage(reply) };
    if (last && spec.usageUnasked) extra.usage = spec.usage(reply);
    delta({}, finishReason(reply), extra);
  }
  if (asked && !spec.usageUnasked) frames.push(chunk([], { usage: spec.usage(reply) }));
  frames.push(SSE_DONE);
  return { kind: 'sse', frames };
}

function checkAuth(spec: Spec, request: RecordedRequest, apiKey: string): RouteResult | undefined {
  const header = request.headers.authorization;
  if (header === `Bearer ${apiKey}`) return undefined;
  return spec.error(401, header === undefined ? 'Missing API key' : 'Invalid API Key');
}

function chatCompletions(spec: Spec, dialect: OpenAiFamilyDialect, context: RouteContext): RouteResult {
  const body = context.request.body;
  if (!isObject(body)) return spec.error(400, 'invalid JSON body');
  const problem = validateChat(body, true) ?? spec.refuse(body);
  if (problem) return problem;
  const model = context.reply.model ?? (body.model as string);
  return body.stream === true ? chatSse(spec, dialect, body, context.reply, model) : chatJson(spec, body, context.reply, model);
}

export const DEFAULT_FAMILY_KEYS: Record<OpenAiFamilyDialect, string> = {
  groq: 'gsk_fakeGroqKey0123456789',
  deepseek: 'sk-fake-deepseek-key-0123',
  xai: 'xai-fakeXaiKey0123456789',
  together: 'tgp_v1_fakeTogetherKey0123',
};

export async function startFakeOpenAiFamily(dialect: OpenAiFamilyDialect, options: { apiKey?: string } = {}): Promise<FakeOpenAiFamily> {
  const spec = SPECS[dialect];
  const apiKey = options.apiKey ?? DEFAULT_FAMILY_KEYS[dialect];
  const fake = await startFakeUpstream({
    name: dialect,
    routes: [
      {
        method: 'POST',
        pattern: `${spec.prefix}/chat/completions`,
        handle: (context) => checkAuth(spec, context.request, apiKey) ?? chatCompletions(spec, dialect, context),
      },
    ],
  });
  return Object.assign(fake, { baseUrl: `${fake.url}${spec.prefix}`, apiKey, dialect });
}
