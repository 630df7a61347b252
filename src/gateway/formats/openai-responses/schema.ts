/**
 * The body of `POST /v1/responses` as the OpenAI SDK (6.x) sends it.
 *
 * Two audiences: a native passthrough forwards the client's body to OpenAI untouched, so the schema
 * must accept everything OpenAI accepts (built-in tools, item kinds the gateway cannot translate,
 * server-state fields); a translation reads the parsed result, so what it translates is validated
 * strictly. Kinds the gateway does not translate are accepted loosely by `type` and reported as
 * untranslatable by parse.ts, never silently dropped.
 */
import { z } from 'zod';
import { dispatch, typeOf } from './dispatch.js';

const itemStatus = z.enum(['in_progress', 'completed', 'incomplete']).nullish();

// ---- content parts ---------------------------------------------------------------------------

export const inputTextPart = z.object({ type: z.literal('input_text'), text: z.string() });

export const inputImagePart = z
  .object({
    type: z.literal('input_image'),
    image_url: z.string().nullish(),
    file_id: z.string().nullish(),
    detail: z.enum(['auto', 'low', 'high', 'original']).nullish(),
  })
  .refine((part) => Boolean(part.image_url) || Boolean(part.file_id), { message: 'must have image_url or file_id' });

export const inputFilePart = z
  .object({
    type: z.literal('input_file'),
    file_data: z.string().nullish(),
    file_id: z.string().nullish(),
    file_url: z.string().nullish(),
    filename: z.string().nullish(),
  })
  .refine((part) => Boolean(part.file_data) || Boolean(part.file_id) || Boolean(part.file_url), {
    message: 'must have file_data, file_url or file_id',
  });

const outputTextPart = z.object({
  type: z.literal('output_text'),
  text: z.string(),
  annotations: z.array(z.unknown()).optional(),
  logprobs: z.array(z.unknown()).optional(),
});

const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });

const messagePart = z.discriminatedUnion('type', [inputTextPart, inputImagePart, inputFilePart, outputTextPart, refusalPart]);
export type MessagePart = z.infer<typeof messagePart>;

const toolOutputPart = z.discriminatedUnion('type', [inputTextPart, inputImagePart, inputFilePart]);
export type ToolOutputPart = z.infer<typeof toolOutputPart>;

/** `string | T[]`, dispatched on the JSON type so a bad element is reported at its own path. */
function textOr<T>(element: z.ZodType<T>): z.ZodType<string | T[]> {
  const list = z.array(element);
  return dispatch<string | T[]>((value) => (Array.isArray(value) ? list : z.string()));
}

// ---- input items -----------------------------------------------------------------------------

export const messageItem = z.object({
  type: z.literal('message').optional(),
  id: z.string().nullish(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: textOr(messagePart),
  status: itemStatus,
});

export const functionCallItem = z.object({
  type: z.literal('function_call'),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  namespace: z.string().nullish(),
  status: itemStatus,
});

export const functionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  output: textOr(toolOutputPart),
  status: itemStatus,
});

export const reasoningItem = z.object({
  type: z.literal('reasoning'),
  id: z.string().nullish(),
  summary: z.array(z.object({ type: z.literal('summary_text'), text: z.string() })),
  content: z.array(z.object({ type: z.literal('reasoning_text'), text: z.string() })).nullish(),
  encrypted_content: z.string().nullish(),
  status: itemStatus,
});

export const itemReference = z.object({ type: z.literal('item_reference').nullish(), id: z.string().min(1) });

/** Any other item kind (computer_call_output, web_search_call, mcp_call, …): native passthrough only. */
export const otherItem = z.looseObject({ type: z.string().min(1) });

export type InputItem =
  | ({ kind: 'message' } & z.infer<typeof messageItem>)
  | ({ kind: 'function_call' } & z.infer<typeof functionCallItem>)
  | ({ kind: 'function_call_output' } & z.infer<typeof functionCallOutputItem>)
  | ({ kind: 'reasoning' } & z.infer<typeof reasoningItem>)
  | ({ kind: 'item_reference' } & z.infer<typeof itemReference>)
  | ({ kind: 'other' } & z.infer<typeof otherItem>);

// `kind` is written last: loose schemas keep unknown client keys, and a client-sent `kind` must
// not decide how an item is read.
const taggedMessage = messageItem.transform((item): InputItem => ({ ...item, kind: 'message' }));
const taggedFunctionCall = functionCallItem.transform((item): InputItem => ({ ...item, kind: 'function_call' }));
const taggedFunctionCallOutput = functionCallOutputItem.transform((item): InputItem => ({ ...item, kind: 'function_call_output' }));
const taggedReasoning = reasoningItem.transform((item): InputItem => ({ ...item, kind: 'reasoning' }));
const taggedReference = itemReference.transform((item): InputItem => ({ ...item, kind: 'item_reference' }));
const taggedOther = otherItem.transform((item): InputItem => ({ ...item, kind: 'other' }));

export const inputItem = dispatch<InputItem>((value) => {
  const type = typeOf(value);
  switch (type) {
    case 'message':
      return taggedMessage;
    case 'function_call':
      return taggedFunctionCall;
    case 'function_call_output':
      return taggedFunctionCallOutput;
    case 'reasoning':
      return taggedReasoning;
    case 'item_reference':
      return taggedReference;
    case undefined:
    case null: {
      // `type` is optional on easy messages and on item references: tell them apart by shape.
      const isReference = typeof value === 'object' && value !== null && !('role' in value) && 'id' in value;
      return isReference ? taggedReference : taggedMessage;
    }
    default:
      return taggedOther;
  }
});

// ---- tools and tool_choice -------------------------------------------------------------------

export const functionTool = z.object({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
  defer_loading: z.boolean().optional(),
});
export type FunctionToolParam = z.infer<typeof functionTool>;

/** web_search, file_search, code_interpreter, computer_use_preview, mcp, image_generation, custom, … */
export const builtInTool = z.looseObject({ type: z.string().min(1) });

export type ToolParam = ({ kind: 'function' } & FunctionToolParam) | ({ kind: 'built_in' } & z.infer<typeof builtInTool>);

const taggedFunctionTool = functionTool.transform((tool): ToolParam => ({ ...tool, kind: 'function' }));
const taggedBuiltInTool = builtInTool.transform((tool): ToolParam => ({ ...tool, kind: 'built_in' }));
export const tool = dispatch<ToolParam>((value) => (typeOf(value) === 'function' ? taggedFunctionTool : taggedBuiltInTool));

export const functionToolChoice = z.object({ type: z.literal('function'), name: z.string().min(1) });
const toolChoiceMode = z.enum(['auto', 'none', 'required']);
/** allowed_tools, web_search_preview, mcp, custom, …: native passthrough only. */
const otherToolChoice = z.looseObject({ type: z.string().min(1) });
export type ToolChoiceParam = z.infer<typeof toolChoiceMode> | z.infer<typeof functionToolChoice> | z.infer<typeof otherToolChoice>;
export const toolChoice = dispatch<ToolChoiceParam>((value) =>
  typeof value === 'string' ? toolChoiceMode : typeOf(value) === 'function' ? functionToolChoice : otherToolChoice,
);

// ---- text format and reasoning ---------------------------------------------------------------

export const jsonSchemaFormat = z.object({
  type: z.literal('json_schema'),
  name: z.string().min(1),
  schema: z.record(z.string(), z.unknown()),
  strict: z.boolean().nullish(),
  description: z.string().optional(),
});

export const textFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  jsonSchemaFormat,
]);
export type TextFormatParam = z.infer<typeof textFormat>;

export const textConfig = z.object({
  format: textFormat.optional(),
  verbosity: z.enum(['low', 'medium', 'high']).nullish(),
});

export const reasoningEffort = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);
const reasoningSummary = z.enum(['auto', 'concise', 'detailed']);
export const reasoningConfig = z.object({
  effort: reasoningEffort.nullish(),
  summary: reasoningSummary.nullish(),
  generate_summary: reasoningSummary.nullish(),
});

// OpenAI's documented limits: 16 pairs, keys up to 64 characters, values up to 512.
export const metadata = z
  .record(z.string().max(64), z.string().max(512))
  .refine((value) => Object.keys(value).length <= 16, { message: 'must have at most 16 entries' });

// ---- the request -----------------------------------------------------------------------------

export const requestShape = {
  model: z.string().min(1).max(256),
  input: textOr(inputItem).optional(),
  instructions: z.string().nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: z.number().int().min(1).nullish(),
  max_tool_calls: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  text: textConfig.nullish(),
  reasoning: reasoningConfig.nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_obfuscation: z.boolean().optional() }).nullish(),
  store: z.boolean().nullish(),
  background: z.boolean().nullish(),
  previous_response_id: z.string().nullish(),
  conversation: z.union([z.string(), z.object({ id: z.string() })]).nullish(),
  include: z.array(z.string()).nullish(),
  metadata: metadata.nullish(),
  user: z.string().optional(),
  safety_identifier: z.string().optional(),
  prompt_cache_key: z.string().optional(),
  prompt_cache_retention: z.string().nullish(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
  service_tier: z.string().nullish(),
  prompt: z.looseObject({}).nullish(),
  context_management: z.array(z.looseObject({})).nullish(),
};

/** Unknown top-level fields are not rejected here: parse.ts reports them (see ParsedInbound.unknownFields). */
export const requestSchema = z.object(requestShape);
export type ResponsesRequest = z.infer<typeof requestSchema>;

export const KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(requestShape));
