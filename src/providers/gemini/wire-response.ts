/**
 * The response side of the Gemini wire format, read defensively. Unknown fields are dropped (strip, not
 * passthrough: nothing downstream needs them). Counts may be absent: proto3 JSON omits zero values.
 * Function-call `args` are checked to be an object but not copied field by field, so the JSON text re-made
 * from them is exactly what Gemini sent.
 */
import { z } from 'zod';
import { UpstreamProtocolError } from '../types.js';

const count = z.number().int().nonnegative();
const jsonObject = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'expected a JSON object',
);

export const partSchema = z.object({
  text: z.string().optional(),
  thought: z.boolean().optional(),
  thoughtSignature: z.string().optional(),
  functionCall: z.object({ id: z.string().optional(), name: z.string().min(1), args: jsonObject.optional() }).optional(),
  // Payloads the gateway does not surface; only their presence matters (a signature on them is theirs).
  inlineData: z.unknown().optional(),
  fileData: z.unknown().optional(),
  executableCode: z.unknown().optional(),
  codeExecutionResult: z.unknown().optional(),
});

export const candidateSchema = z.object({
  content: z.object({ role: z.string().optional(), parts: z.array(partSchema).optional() }).optional(),
  finishReason: z.string().optional(),
  // Bounded: the index becomes a canonical choice index.
  index: z.number().int().min(0).max(255).optional(),
});

export const usageMetadataSchema = z.object({
  promptTokenCount: count.optional(),
  candidatesTokenCount: count.optional(),
  cachedContentTokenCount: count.optional(),
  thoughtsTokenCount: count.optional(),
  toolUsePromptTokenCount: count.optional(),
  totalTokenCount: count.optional(),
});

export const generateContentResponseSchema = z.object({
  candidates: z.array(candidateSchema).optional(),
  promptFeedback: z.object({ blockReason: z.string().optional() }).optional(),
  usageMetadata: usageMetadataSchema.optional(),
  modelVersion: z.string().optional(),
  responseId: z.string().optional(),
});

export const googleErrorSchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z.array(z.unknown()).optional(),
  }),
});

export const batchEmbedResponseSchema = z.object({
  embeddings: z.array(z.object({ values: z.array(z.number()) })),
  usageMetadata: z.object({ promptTokenCount: count.optional() }).optional(),
});

export const countTokensResponseSchema = z.object({ totalTokens: count.optional() });

export type WirePartOut = z.infer<typeof partSchema>;
export type WireCandidate = z.infer<typeof candidateSchema>;
export type WireUsageMetadata = z.infer<typeof usageMetadataSchema>;
export type WireGenerateContentResponse = z.infer<typeof generateContentResponseSchema>;

/** Parses or throws UpstreamProtocolError naming the offending field, never quoting upstream content. */
export function parseWire<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new UpstreamProtocolError('gemini', `unexpected ${what} from gemini${path}`);
}
