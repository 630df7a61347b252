/**
 * Zod schema of a Messages API request body (POST /v1/messages) as the 0.x and 1.x SDKs send it,
 * beta fields included. Objects are loose: a field Anthropic adds inside a known object is carried
 * along on passthrough rather than rejected. Top-level fields outside KNOWN_FIELDS are reported as
 * unknown (see index.ts).
 */
import { z } from 'zod';
import { cacheControlSchema, contentBlockSchema, stringOrArray, textBlockSchema } from './blocks.js';

const messageSchema = z.looseObject({
  // `system` turns inside `messages` are new with the 1.x SDKs (API version 2026-10-21).
  role: z.enum(['user', 'assistant', 'system']),
  content: stringOrArray(contentBlockSchema),
});

export type ToolDefinition =
  | {
      kind: 'custom';
      name: string;
      description?: string;
      input_schema: Record<string, unknown>;
      strict?: boolean;
      cache_control?: z.infer<typeof cacheControlSchema> | null;
      extras: string[];
    }
  | { kind: 'server'; type: string };

const customToolSchema = z.looseObject({
  type: z.literal('custom').nullish(),
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal('object') }),
  strict: z.boolean().optional(),
  cache_control: cacheControlSchema.nullish(),
});

/** Fields of a custom tool that change what the model is offered; a translation cannot carry them. */
const TOOL_EXTRAS = ['defer_loading', 'allowed_callers', 'input_examples'] as const;

// A tool without `type` (or `type: "custom"`) is a client tool; any typed tool is a server or
// Anthropic-defined tool (web_search_…, bash_…, computer_…, MCP toolsets) that only Anthropic runs.
const toolSchema = z.looseObject({ type: z.string().nullish() }).transform((value, ctx): ToolDefinition => {
  if (value.type !== undefined && value.type !== null && value.type !== 'custom') return { kind: 'server', type: value.type };
  const result = customToolSchema.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.issues.push(issue as z.core.$ZodRawIssue);
    return z.NEVER;
  }
  const t = result.data;
  return {
    kind: 'custom',
    name: t.name,
    ...(t.description !== undefined ? { description: t.description } : {}),
    input_schema: t.input_schema,
    ...(t.strict !== undefined ? { strict: t.strict } : {}),
    cache_control: t.cache_control,
    extras: TOOL_EXTRAS.filter((key) => value[key] !== undefined && value[key] !== null),
  };
});

const toolChoiceSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('none') }),
]);

const thinkingSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('enabled'), budget_tokens: z.number().int().positive() }),
  z.looseObject({ type: z.literal('disabled') }),
  z.looseObject({ type: z.literal('adaptive') }),
  z.looseObject({ type: z.literal('between_tools') }),
]);

const jsonOutputFormatSchema = z.looseObject({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) });

/** Fields both the messages and count_tokens endpoints take. */
const sharedShape = {
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  system: stringOrArray(textBlockSchema).optional(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  thinking: thinkingSchema.optional(),
  output_config: z
    .looseObject({
      effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullish(),
      format: jsonOutputFormatSchema.nullish(),
    })
    .optional(),
  // Beta predecessor of output_config.format.
  output_format: jsonOutputFormatSchema.nullish(),
  cache_control: cacheControlSchema.nullish(),
  speed: z.enum(['standard', 'fast']).nullish(),
  mcp_servers: z.array(z.looseObject({ type: z.string(), url: z.string(), name: z.string() })).optional(),
  context_management: z.looseObject({}).nullish(),
};

export const messagesRequestSchema = z.looseObject({
  ...sharedShape,
  // 0 is valid: it pre-warms the prompt cache without generating.
  max_tokens: z.number().int().nonnegative(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().nonnegative().optional(),
  stop_sequences: z.array(z.string()).optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  service_tier: z.enum(['auto', 'standard_only']).optional(),
  container: z.union([z.string(), z.looseObject({})]).nullish(),
  inference_geo: z.string().nullish(),
  diagnostics: z.looseObject({}).nullish(),
  compaction: z.looseObject({}).nullish(),
  fallbacks: z.union([z.literal('default'), z.array(z.looseObject({}))]).nullish(),
  fallback_credit_token: z.union([z.string(), z.looseObject({})]).nullish(),
  billing_policy: z.looseObject({}).nullish(),
  thread: z.looseObject({}).nullish(),
});
export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

export const countTokensRequestSchema = z.looseObject(sharedShape);
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;

export const MESSAGES_KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(messagesRequestSchema.shape));
export const COUNT_TOKENS_KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(countTokensRequestSchema.shape));
