/**
 * The Chat Completions request as the OpenAI SDK (6.x, `ChatCompletionCreateParams`) can send it.
 * Top-level fields the schema does not know are allowed (they are reported, and forwarded on a
 * native passthrough); nested shapes are checked because the canonical translation reads them.
 * `null` is accepted wherever the SDK allows it and means "not set".
 */
import { z } from 'zod';

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).nullish() }),
});
const audioPart = z.object({
  type: z.literal('input_audio'),
  input_audio: z.object({ data: z.string().min(1), format: z.enum(['wav', 'mp3']) }),
});
const filePart = z.object({
  type: z.literal('file'),
  file: z
    .object({ file_data: z.string().min(1).nullish(), file_id: z.string().min(1).nullish(), filename: z.string().nullish() })
    .refine((f) => f.file_data != null || f.file_id != null, { message: 'must have file_data or file_id' }),
});

const textContent = z.union([z.string(), z.array(textPart)]);

/** OpenAI's own rule for function names; other providers' rules are no looser. */
const functionName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const jsonObject = z.record(z.string(), z.unknown());

const functionToolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
const customToolCall = z.object({
  id: z.string().min(1),
  type: z.literal('custom'),
  custom: z.object({ name: z.string(), input: z.string() }),
});

const systemMessage = z.object({ role: z.literal('system'), content: textContent, name: z.string().nullish() });
const developerMessage = z.object({ role: z.literal('developer'), content: textContent, name: z.string().nullish() });
const userMessage = z.object({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart]))]),
  name: z.string().nullish(),
});
const assistantMessage = z.object({
  role: z.literal('assistant'),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart]))]).nullish(),
  refusal: z.string().nullish(),
  tool_calls: z.array(z.discriminatedUnion('type', [functionToolCall, customToolCall])).nullish(),
  function_call: z.object({ name: z.string(), arguments: z.string() }).nullish(),
  audio: z.object({ id: z.string() }).nullish(),
  name: z.string().nullish(),
  /** Not in the OpenAI SDK: the reasoning text this gateway (and DeepSeek) returns, sent back by clients that replay it. */
  reasoning_content: z.string().nullish(),
  /** Not in the OpenAI SDK: the signed/redacted thinking blocks this gateway returns (LiteLLM's convention), replayed whole. */
  thinking_blocks: z
    .array(
      z.discriminatedUnion('type', [
        z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().nullish() }),
        z.object({ type: z.literal('redacted_thinking'), data: z.string() }),
      ]),
    )
    .nullish(),
});
const toolMessage = z.object({ role: z.literal('tool'), content: textContent, tool_call_id: z.string().min(1) });
const functionMessage = z.object({ role: z.literal('function'), content: z.string().nullable(), name: z.string() });

export const chatMessageSchema = z.discriminatedUnion('role', [
  systemMessage,
  developerMessage,
  userMessage,
  assistantMessage,
  toolMessage,
  functionMessage,
]);

const functionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: functionName,
    description: z.string().nullish(),
    parameters: jsonObject.nullish(),
    strict: z.boolean().nullish(),
  }),
});
const customTool = z.object({
  type: z.literal('custom'),
  custom: z.object({ name: z.string(), description: z.string().nullish(), format: jsonObject.nullish() }),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
  z.object({ type: z.literal('custom'), custom: z.object({ name: z.string() }) }),
  z.object({
    type: z.literal('allowed_tools'),
    allowed_tools: z.object({ mode: z.enum(['auto', 'required']), tools: z.array(jsonObject) }),
  }),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
      description: z.string().nullish(),
      schema: jsonObject.nullish(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const penalty = z.number().min(-2).max(2);
const positiveInt = z.number().int().min(1);

export const chatRequestShape = {
  model: z.string().min(1),
  messages: z.array(chatMessageSchema).min(1),
  audio: z.object({ format: z.string(), voice: z.union([z.string(), z.object({ id: z.string() })]) }).nullish(),
  frequency_penalty: penalty.nullish(),
  function_call: z.union([z.enum(['none', 'auto']), z.object({ name: z.string() })]).nullish(),
  functions: z.array(z.object({ name: functionName, description: z.string().nullish(), parameters: jsonObject.nullish() })).nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  logprobs: z.boolean().nullish(),
  max_completion_tokens: positiveInt.nullish(),
  max_tokens: positiveInt.nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  modalities: z.array(z.enum(['text', 'audio'])).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  prediction: z.object({ type: z.literal('content'), content: textContent }).nullish(),
  presence_penalty: penalty.nullish(),
  prompt_cache_key: z.string().nullish(),
  prompt_cache_retention: z.enum(['in-memory', '24h']).nullish(),
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullish(),
  response_format: responseFormat.nullish(),
  safety_identifier: z.string().nullish(),
  seed: z.number().int().nullish(),
  service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  store: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_obfuscation: z.boolean().nullish(), include_usage: z.boolean().nullish() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  tool_choice: toolChoice.nullish(),
  tools: z.array(z.discriminatedUnion('type', [functionTool, customTool])).nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  user: z.string().nullish(),
  verbosity: z.enum(['low', 'medium', 'high']).nullish(),
  web_search_options: jsonObject.nullish(),
};

export const chatRequestSchema = z.looseObject(chatRequestShape);
export type ChatRequestBody = z.infer<typeof chatRequestSchema>;
export type ChatMessageBody = z.infer<typeof chatMessageSchema>;

export const KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(chatRequestShape));
