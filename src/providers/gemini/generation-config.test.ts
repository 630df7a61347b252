import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError } from '../types.js';
import { generationConfig, thinkingConfig } from './generation-config.js';

const base: ChatRequest = {
  model: 'gemini-2.5-flash',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: false,
};

describe('generationConfig', () => {
  it('is absent when nothing is set', () => {
    expect(generationConfig(base, 'gemini-2.5-flash')).toBeUndefined();
  });

  it('maps sampling settings and n to candidateCount', () => {
    const request: ChatRequest = {
      ...base,
      maxTokens: 256,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stop: ['END'],
      n: 3,
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
    };
    expect(generationConfig(request, 'gemini-2.5-flash')).toEqual({
      maxOutputTokens: 256,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stopSequences: ['END'],
      candidateCount: 3,
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
    });
    expect(generationConfig({ ...base, n: 1 }, 'gemini-2.5-flash')).toBeUndefined();
  });

  it('refuses n outside 1..8', () => {
    for (const n of [0, 9, 1.5]) expect(() => generationConfig({ ...base, n }, 'gemini-2.5-flash')).toThrow(UnsupportedFeatureError);
  });

  it('asks for JSON with the schema for json_schema, JSON only for json_object', () => {
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { a: { type: 'integer' } } };
    expect(
      generationConfig({ ...base, responseFormat: { type: 'json_schema', name: 'out', schema, strict: true } }, 'gemini-2.5-flash'),
    ).toEqual({
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object', properties: { a: { type: 'integer' } } },
    });
    expect(generationConfig({ ...base, responseFormat: { type: 'json_object' } }, 'gemini-2.5-flash')).toEqual({
      responseMimeType: 'application/json',
    });
    expect(generationConfig({ ...base, responseFormat: { type: 'text' } }, 'gemini-2.5-flash')).toBeUndefined();
  });

  it('refuses log probabilities rather than dropping them', () => {
    expect(() => generationConfig({ ...base, logprobs: true }, 'gemini-2.5-flash')).toThrow(/log probabilities/);
    expect(() => generationConfig({ ...base, topLogprobs: 3 }, 'gemini-2.5-flash')).toThrow(UnsupportedFeatureError);
    expect(generationConfig({ ...base, logprobs: false }, 'gemini-2.5-flash')).toBeUndefined();
  });
});

describe('thinkingConfig', () => {
  it('passes an explicit budget through and turns thought summaries on unless thinking is off', () => {
    expect(thinkingConfig({ budgetTokens: 2048 }, 'gemini-2.5-flash')).toEqual({ thinkingBudget: 2048, includeThoughts: true });
    expect(thinkingConfig({ budgetTokens: 0 }, 'gemini-2.5-flash')).toEqual({ thinkingBudget: 0, includeThoughts: false });
    expect(thinkingConfig({ budgetTokens: -1 }, 'gemini-2.5-pro')).toEqual({ thinkingBudget: -1, includeThoughts: true });
    expect(thinkingConfig({ budgetTokens: 4096, effort: 'low' }, 'gemini-3-pro-preview')).toEqual({
      thinkingBudget: 4096,
      includeThoughts: true,
    });
  });

  it('maps effort to thinkingLevel on Gemini 3 and to a budget on 2.5', () => {
    expect(thinkingConfig({ effort: 'high' }, 'gemini-3-pro-preview')).toEqual({ thinkingLevel: 'high', includeThoughts: true });
    expect(thinkingConfig({ effort: 'minimal' }, 'gemini-flash-latest')).toEqual({ thinkingLevel: 'minimal', includeThoughts: true });
    expect(thinkingConfig({ effort: 'low' }, 'gemini-2.5-flash')).toEqual({ thinkingBudget: 1024, includeThoughts: true });
    expect(thinkingConfig({ effort: 'high' }, 'models/gemini-2.5-pro')).toEqual({ thinkingBudget: 24576, includeThoughts: true });
  });

  it('is absent without reasoning and refused for models that cannot think or for bad budgets', () => {
    expect(thinkingConfig(undefined, 'gemini-2.5-flash')).toBeUndefined();
    expect(thinkingConfig({}, 'gemini-2.5-flash')).toBeUndefined();
    expect(() => thinkingConfig({ effort: 'low' }, 'gemini-2.0-flash')).toThrow(/does not support thinking/);
    expect(() => thinkingConfig({ budgetTokens: -5 }, 'gemini-2.5-flash')).toThrow(UnsupportedFeatureError);
    expect(() => thinkingConfig({ budgetTokens: 1.5 }, 'gemini-2.5-flash')).toThrow(UnsupportedFeatureError);
  });
});
