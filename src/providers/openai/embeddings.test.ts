import { describe, expect, it } from 'vitest';
import { UnsupportedFeatureError, UpstreamProtocolError } from '../types.js';
import { openaiAdapter } from './index.js';

const target = { baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-test', model: 'text-embedding-3-small', options: {} };
const floats = [0.25, -0.5, 1.5];
const base64 = Buffer.from(new Float32Array(floats).buffer).toString('base64');

describe('OpenAI embeddings', () => {
  it('builds the request, forwarding the client’s encoding format', () => {
    const req = openaiAdapter.embeddingsRequest!(
      { model: 'x', input: ['a', 'b'], dimensions: 256, encodingFormat: 'base64', user: 'u1' },
      target,
    );
    expect(req.url).toBe('https://api.openai.com/v1/embeddings');
    expect(JSON.parse(req.body!)).toEqual({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
      dimensions: 256,
      encoding_format: 'base64',
      user: 'u1',
    });
    expect(JSON.parse(openaiAdapter.embeddingsRequest!({ model: 'x', input: [[1, 2]] }, target).body!)).toEqual({
      model: 'text-embedding-3-small',
      input: [[1, 2]],
      encoding_format: 'float',
    });
  });

  it('reads float and base64 vectors, in index order', () => {
    const res = openaiAdapter.embeddingsResponse!({
      object: 'list',
      model: 'text-embedding-3-small',
      data: [
        { object: 'embedding', index: 1, embedding: base64 },
        { object: 'embedding', index: 0, embedding: [0.1, 0.2] },
      ],
      usage: { prompt_tokens: 6, total_tokens: 6 },
    });
    expect(res).toEqual({ model: 'text-embedding-3-small', data: [[0.1, 0.2], floats], usage: { inputTokens: 6 } });
  });

  it.each([
    ['missing data', { model: 'm' }],
    ['a hole in the indexes', { data: [{ index: 1, embedding: [1] }] }],
    ['base64 that is not float32', { data: [{ index: 0, embedding: Buffer.from([1, 2, 3]).toString('base64') }] }],
    ['a non-numeric vector', { data: [{ index: 0, embedding: ['a'] }] }],
  ])('throws UpstreamProtocolError on %s', (_name, body) => {
    expect(() => openaiAdapter.embeddingsResponse!(body)).toThrow(UpstreamProtocolError);
  });

  it('is advertised in capabilities', () => {
    expect(openaiAdapter.capabilities).toEqual({
      native: ['openai-chat', 'openai-responses'],
      embeddings: true,
      countTokens: false,
      maxChoices: 128,
    });
    expect(openaiAdapter.defaultBaseUrl).toBe('https://api.openai.com/v1');
    expect(openaiAdapter.id).toBe('openai');
  });

  it('refuses token input where the dialect cannot take it (compatible providers)', async () => {
    const { togetherAdapter } = await import('../together/index.js');
    expect(() =>
      togetherAdapter.embeddingsRequest!({ model: 'm', input: [[1, 2]] }, { ...target, baseUrl: 'https://api.together.xyz/v1' }),
    ).toThrow(UnsupportedFeatureError);
  });
});
