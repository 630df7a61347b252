/**
 * The request parameters a Response object repeats back (instructions, tools, sampling settings…).
 * Read from the client's body with a schema of just those fields, so a multi-megabyte `input` is
 * not validated a second time. Values the translated path refuses (built-in tools, non-function
 * tool_choice) never reach here; if they somehow do they fall back to the defaults rather than
 * echo something the SDK types do not describe.
 */
import { z } from 'zod';
import { functionTool, functionToolChoice, jsonSchemaFormat, metadata, reasoningConfig } from './schema.js';
import type { WireFunctionTool, WireResponse } from './wire.js';

const echoSchema = z.object({
  instructions: z.string().nullish().catch(undefined),
  tools: z.array(z.unknown()).nullish().catch(undefined),
  tool_choice: z.unknown().optional(),
  parallel_tool_calls: z.boolean().nullish().catch(undefined),
  temperature: z.number().nullish().catch(undefined),
  top_p: z.number().nullish().catch(undefined),
  max_output_tokens: z.number().nullish().catch(undefined),
  text: z
    .object({ format: z.unknown(), verbosity: z.enum(['low', 'medium', 'high']).nullish().catch(undefined) })
    .nullish()
    .catch(undefined),
  reasoning: reasoningConfig.nullish().catch(undefined),
  metadata: metadata.nullish().catch(undefined),
  truncation: z.enum(['auto', 'disabled']).nullish().catch(undefined),
  background: z.boolean().nullish().catch(undefined),
  previous_response_id: z.string().nullish().catch(undefined),
  user: z.string().optional().catch(undefined),
  safety_identifier: z.string().optional().catch(undefined),
  prompt_cache_key: z.string().optional().catch(undefined),
});

const textFormatEcho = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  jsonSchemaFormat,
]);
const toolChoiceEcho = z.union([z.enum(['auto', 'none', 'required']), functionToolChoice]);

export type EchoFields = Omit<
  WireResponse,
  'id' | 'object' | 'created_at' | 'status' | 'error' | 'incomplete_details' | 'model' | 'output' | 'usage'
>;

export function echoFields(body: Record<string, unknown> | undefined): EchoFields {
  const parsed = echoSchema.safeParse(body ?? {});
  // Every field falls back on its own (`catch`), so only a non-object body fails as a whole.
  const b: z.infer<typeof echoSchema> = parsed.success ? parsed.data : {};
  const format = textFormatEcho.safeParse(b.text?.format);
  const choice = toolChoiceEcho.safeParse(b.tool_choice);
  const verbosity = b.text?.verbosity;
  return {
    instructions: b.instructions ?? null,
    tools: echoTools(b.tools),
    tool_choice: choice.success ? choice.data : 'auto',
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    temperature: b.temperature ?? null,
    top_p: b.top_p ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    text: { format: format.success ? format.data : { type: 'text' }, ...(verbosity ? { verbosity } : {}) },
    reasoning: {
      effort: b.reasoning?.effort ?? null,
      summary: b.reasoning?.summary ?? null,
      ...(b.reasoning?.generate_summary ? { generate_summary: b.reasoning.generate_summary } : {}),
    },
    metadata: b.metadata ?? {},
    truncation: b.truncation ?? 'disabled',
    background: b.background ?? false,
    previous_response_id: b.previous_response_id ?? null,
    ...(b.user !== undefined ? { user: b.user } : {}),
    ...(b.safety_identifier !== undefined ? { safety_identifier: b.safety_identifier } : {}),
    ...(b.prompt_cache_key !== undefined ? { prompt_cache_key: b.prompt_cache_key } : {}),
  };
}

function echoTools(tools: unknown[] | null | undefined): WireFunctionTool[] {
  const out: WireFunctionTool[] = [];
  for (const candidate of tools ?? []) {
    const tool = functionTool.safeParse(candidate);
    if (!tool.success) continue;
    out.push({
      type: 'function',
      name: tool.data.name,
      description: tool.data.description ?? null,
      parameters: tool.data.parameters ?? null,
      strict: tool.data.strict ?? null,
    });
  }
  return out;
}
