import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError, type UpstreamTarget } from '../types.js';
import { geminiAdapter } from './index.js';

const target: UpstreamTarget = {
  baseUrl: 'https://generativelanguage.googleapis.com/',
  apiKey: 'AIzaTestKey',
  model: 'gemini-2.5-flash',
  options: {},
};
const request: ChatRequest = {
  model: 'gemini-2.5-flash',
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'sys' }] },
    { role: 'user', content: [{ type: 'text', text: 'hi' }] },
  ],
  tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: {} } }],
  toolChoice: { type: 'auto' },
  maxTokens: 100,
  reasoning: { budgetTokens: 1024 },
  stream: false,
};

describe('geminiAdapter.chatRequest', () => {
  it('posts generateContent with the key in x-goog-api-key, never in the URL', () => {
    const upstream = geminiAdapter.chatRequest(request, target);
    expect(upstream.method).toBe('POST');
    expect(upstream.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent');
    expect(upstream.url).not.toContain('AIza');
    expect(upstream.headers).toEqual({ 'content-type': 'application/json', accept: 'application/json', 'x-goog-api-key': 'AIzaTestKey' });
    expect(JSON.parse(upstream.body!)).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      systemInstruction: { parts: [{ text: 'sys' }] },
      tools: [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object', properties: {} } }] }],
      toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
      generationConfig: { maxOutputTokens: 100, thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } },
    });
  });

  it('streams with alt=sse', () => {
    const upstream = geminiAdapter.chatRequest({ ...request, stream: true }, target);
    expect(upstream.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(upstream.headers.accept).toBe('text/event-stream');
  });

  it('accepts model and tuned-model resource names, and refuses anything that could change the path', () => {
    expect(geminiAdapter.chatRequest(request, { ...target, model: 'models/gemini-2.5-pro' }).url).toContain(
      '/v1beta/models/gemini-2.5-pro:generateContent',
    );
    expect(geminiAdapter.chatRequest(request, { ...target, model: 'tunedModels/my-model-1' }).url).toContain(
      '/v1beta/tunedModels/my-model-1:generateContent',
    );
    for (const model of ['../files/x', 'gemini-2.5-flash:generateContent?key=x', 'a/b', 'gemini 2', '', 'models/../x', 'x#y', '%2e%2e']) {
      expect(() => geminiAdapter.chatRequest(request, { ...target, model })).toThrow(UnsupportedFeatureError);
    }
  });

  it('declares its capabilities', () => {
    expect(geminiAdapter.id).toBe('gemini');
    expect(geminiAdapter.defaultBaseUrl).toBe('https://generativelanguage.googleapis.com');
    expect(geminiAdapter.capabilities).toEqual({ native: [], embeddings: true, countTokens: true, maxChoices: 8 });
  });
});

describe('geminiAdapter.countTokensRequest', () => {
  it('counts system instruction and tools through generateContentRequest', () => {
    const upstream = geminiAdapter.countTokensRequest!(request, target);
    expect(upstream.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:countTokens');
    expect(upstream.headers['x-goog-api-key']).toBe('AIzaTestKey');
    expect(JSON.parse(upstream.body!)).toEqual({
      generateContentRequest: {
        model: 'models/gemini-2.5-flash',
        contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
        systemInstruction: { parts: [{ text: 'sys' }] },
        tools: [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object', properties: {} } }] }],
      },
    });
  });

  it('reads totalTokens (absent means zero in proto3 JSON) and refuses garbage', () => {
    expect(geminiAdapter.countTokensResponse!({ totalTokens: 42, promptTokensDetails: [] })).toEqual({ inputTokens: 42 });
    expect(geminiAdapter.countTokensResponse!({})).toEqual({ inputTokens: 0 });
    expect(() => geminiAdapter.countTokensResponse!({ totalTokens: 'many' })).toThrow(/countTokens response/);
    expect(() => geminiAdapter.countTokensResponse!(null)).toThrow(/countTokens response/);
  });
});

describe('geminiAdapter embeddings', () => {
  it('batches one request per input with the model resource and dimensions', () => {
    const upstream = geminiAdapter.embeddingsRequest!(
      { model: 'gemini-embedding-001', input: ['a', 'b'], dimensions: 256, encodingFormat: 'float' },
      { ...target, model: 'gemini-embedding-001' },
    );
    expect(upstream.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(JSON.parse(upstream.body!)).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] }, outputDimensionality: 256 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'b' }] }, outputDimensionality: 256 },
      ],
    });
  });

  it('refuses token arrays, empty input and more than 100 inputs', () => {
    expect(() => geminiAdapter.embeddingsRequest!({ model: 'm', input: [[1, 2]] }, target)).toThrow(/text only/);
    expect(() => geminiAdapter.embeddingsRequest!({ model: 'm', input: [] }, target)).toThrow(UnsupportedFeatureError);
    expect(() => geminiAdapter.embeddingsRequest!({ model: 'm', input: Array.from({ length: 101 }, () => 'x') }, target)).toThrow(
      UnsupportedFeatureError,
    );
  });

  it('reads vectors in order, usage when Gemini reports it, else zero', () => {
    expect(geminiAdapter.embeddingsResponse!({ embeddings: [{ values: [0.1, 0.2] }, { values: [0.3, 0.4] }] })).toEqual({
      model: '',
      data: [
        [0.1, 0.2],
        [0.3, 0.4],
      ],
      usage: { inputTokens: 0 },
    });
    expect(geminiAdapter.embeddingsResponse!({ embeddings: [], usageMetadata: { promptTokenCount: 12 } }).usage).toEqual({
      inputTokens: 12,
    });
    expect(() => geminiAdapter.embeddingsResponse!({ embeddings: [{ values: ['x'] }] })).toThrow(/batchEmbedContents response/);
  });
});
