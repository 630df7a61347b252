/**
 * Embeddings in the OpenAI wire format (also spoken, with small differences, by Mistral, Together
 * and local servers).
 */
import { z } from 'zod';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../../gateway/canonical/types.js';
import type { ProviderId } from '../ids.js';
import { UnsupportedFeatureError, UpstreamProtocolError } from '../types.js';
import { parseUpstream } from './wire.js';

export type EmbeddingsDialect = {
  provider: ProviderId;
  /** Field for the output size; undefined when the provider cannot change it. */
  dimensionsField: 'dimensions' | 'output_dimension' | undefined;
  /** Accepts `encoding_format` (and so can answer in base64). */
  encodingFormat: boolean;
  /** Accepts pre-tokenized input (arrays of token ids). */
  tokenInput: boolean;
  user: boolean;
};

export const openAiEmbeddingsDialect: EmbeddingsDialect = {
  provider: 'openai',
  dimensionsField: 'dimensions',
  encodingFormat: true,
  tokenInput: true,
  user: true,
};

export function buildEmbeddingsBody(request: EmbeddingsRequest, model: string, dialect: EmbeddingsDialect): Record<string, unknown> {
  const tokenInput = request.input.some((item) => typeof item !== 'string');
  if (tokenInput && !dialect.tokenInput) throw new UnsupportedFeatureError(dialect.provider, 'token-array embeddings input');
  const body: Record<string, unknown> = { model, input: request.input };
  if (request.dimensions !== undefined) {
    if (dialect.dimensionsField === undefined) throw new UnsupportedFeatureError(dialect.provider, 'embeddings dimensions');
    body[dialect.dimensionsField] = request.dimensions;
  }
  // The client's choice is forwarded: float clients get the provider's exact numbers, base64
  // clients get compact transfer. Either way the response is decoded to floats below.
  if (dialect.encodingFormat) body.encoding_format = request.encodingFormat ?? 'float';
  if (request.user !== undefined && dialect.user) body.user = request.user;
  return body;
}

const responseSchema = z.object({
  model: z.string().nullish(),
  data: z.array(z.object({ index: z.number().int().min(0).nullish(), embedding: z.union([z.array(z.number()), z.string()]) })),
  usage: z.object({ prompt_tokens: z.number().int().min(0).nullish() }).nullish(),
});

/** base64 embeddings are little-endian float32 arrays (what OpenAI sends and its SDK decodes). */
export function decodeBase64Floats(provider: ProviderId, text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0) throw new UpstreamProtocolError(provider, `unreadable embedding from ${provider}: not float32 data`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number>(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export function parseEmbeddingsResponse(body: unknown, provider: ProviderId): EmbeddingsResponse {
  const wire = parseUpstream(provider, responseSchema, body, 'embeddings response');
  const items = wire.data.map((item, position) => ({ index: item.index ?? position, embedding: item.embedding }));
  items.sort((a, b) => a.index - b.index);
  items.forEach((item, position) => {
    if (item.index !== position)
      throw new UpstreamProtocolError(provider, `unreadable embeddings response from ${provider}: indexes are not 0..n-1`);
  });
  return {
    model: wire.model ?? '',
    data: items.map((item) => (typeof item.embedding === 'string' ? decodeBase64Floats(provider, item.embedding) : item.embedding)),
    usage: { inputTokens: wire.usage?.prompt_tokens ?? 0 },
  };
}
