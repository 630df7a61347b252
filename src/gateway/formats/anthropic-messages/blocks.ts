/**
 * Zod schemas for Messages API content blocks, as both SDK majors (0.x, 1.x) send them. Blocks the
 * gateway translates are validated field by field; any other block type (server tool results,
 * compaction, MCP, newer additions) is accepted as an opaque block: forwarded untouched on a
 * native passthrough, refused on a translation (it is listed in `untranslatable`).
 */
import { z } from 'zod';

export const cacheControlSchema = z.looseObject({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });
const cacheControl = cacheControlSchema.nullish();

export const textBlockSchema = z.looseObject({
  type: z.literal('text'),
  text: z.string(),
  cache_control: cacheControl,
  citations: z.array(z.looseObject({ type: z.string() })).nullish(),
});

const fileSource = z.looseObject({ type: z.literal('file'), file_id: z.string() });
const urlSource = z.looseObject({ type: z.literal('url'), url: z.string() });

export const imageBlockSchema = z.looseObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
    urlSource,
    fileSource,
  ]),
  cache_control: cacheControl,
});

export const documentBlockSchema = z.looseObject({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
    z.looseObject({ type: z.literal('text'), media_type: z.string(), data: z.string() }),
    z.looseObject({ type: z.literal('content'), content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]) }),
    urlSource,
    fileSource,
  ]),
  title: z.string().nullish(),
  context: z.string().nullish(),
  citations: z.looseObject({ enabled: z.boolean().optional() }).nullish(),
  cache_control: cacheControl,
});

export const thinkingBlockSchema = z.looseObject({
  type: z.literal('thinking'),
  thinking: z.string(),
  // Required by the API; optional here because the gateway itself omits it when the reasoning came
  // from a provider that does not sign (the client then sends the block back without one).
  signature: z.string().optional(),
});

export const redactedThinkingBlockSchema = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() });

export const toolUseBlockSchema = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});

/** What a tool_result may hold; its own opaque kinds (search_result, tool_reference…) stay opaque. */
export type OpaqueBlock = { type: 'opaque'; original: string };
type TextBlock = z.infer<typeof textBlockSchema>;
type ImageBlock = z.infer<typeof imageBlockSchema>;
type DocumentBlock = z.infer<typeof documentBlockSchema>;
export type ResultContentBlock = TextBlock | ImageBlock | DocumentBlock | OpaqueBlock;

const resultContentBlock = validatedBlock<ResultContentBlock>({
  text: textBlockSchema,
  image: imageBlockSchema,
  document: documentBlockSchema,
});

export const toolResultBlockSchema = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: stringOrArray(resultContentBlock).optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});

export type ContentBlock =
  | TextBlock
  | ImageBlock
  | DocumentBlock
  | z.infer<typeof thinkingBlockSchema>
  | z.infer<typeof redactedThinkingBlockSchema>
  | z.infer<typeof toolUseBlockSchema>
  | z.infer<typeof toolResultBlockSchema>
  | OpaqueBlock;

export const contentBlockSchema = validatedBlock<ContentBlock>({
  text: textBlockSchema,
  image: imageBlockSchema,
  document: documentBlockSchema,
  thinking: thinkingBlockSchema,
  redacted_thinking: redactedThinkingBlockSchema,
  tool_use: toolUseBlockSchema,
  tool_result: toolResultBlockSchema,
});

/**
 * `string | Block[]`, dispatched on the input's kind instead of a zod union, so that an error
 * inside a block keeps its precise path rather than collapsing into "does not match any form".
 */
export function stringOrArray<T>(item: z.ZodType<T>) {
  const array = z.array(item);
  return z.unknown().transform((value, ctx): string | T[] => {
    if (typeof value === 'string') return value;
    const result = array.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.issues.push(issue as z.core.$ZodRawIssue);
    return z.NEVER;
  });
}

/**
 * A block is first read as `{type: string}`; a known type is then validated by its own schema, whose
 * issues keep their paths (so errors name e.g. `messages[0].content[1].source.data`). An unknown type
 * becomes an OpaqueBlock; the original stays in the raw body.
 */
function validatedBlock<T>(known: Record<string, z.ZodType>) {
  return z.looseObject({ type: z.string().min(1) }).transform((value, ctx): T => {
    const schema = Object.hasOwn(known, value.type) ? known[value.type] : undefined;
    if (!schema) return { type: 'opaque', original: value.type } as T;
    const result = schema.safeParse(value);
    if (result.success) return result.data as T;
    for (const issue of result.error.issues) ctx.issues.push(issue as z.core.$ZodRawIssue);
    return z.NEVER;
  });
}
