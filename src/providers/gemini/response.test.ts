import { describe, expect, it } from 'vitest';
import { UpstreamProtocolError } from '../types.js';
import { geminiAdapter } from './index.js';
import { decodeToolCallId } from './tool-call-ids.js';
import { toUsage } from './usage.js';

describe('geminiAdapter.chatResponse', () => {
  it('reads text, thoughts with their signature, usage, model and id', () => {
    const response = geminiAdapter.chatResponse({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'Counting letters…', thought: true, thoughtSignature: 'VEhPVUdIVA==' },
              { text: 'There are ' },
              { text: '3.', thoughtSignature: 'VEVYVA==' },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 13, totalTokenCount: 324, thoughtsTokenCount: 302 },
      modelVersion: 'gemini-3-pro-preview',
      responseId: 'M3iLaY-AI7zTxN8P3Piw4Qg',
    });
    expect(response).toEqual({
      id: 'M3iLaY-AI7zTxN8P3Piw4Qg',
      model: 'gemini-3-pro-preview',
      created: expect.any(Number) as number,
      choices: [
        {
          index: 0,
          finishReason: 'stop',
          message: {
            role: 'assistant',
            content: [{ type: 'text', text: 'There are 3.' }],
            reasoning: [
              { type: 'thinking', text: 'Counting letters…', signature: 'gemini:VEhPVUdIVA==' },
              { type: 'thinking', text: '', signature: 'gemini:VEVYVA==' },
            ],
          },
        },
      ],
      usage: { inputTokens: 9, outputTokens: 315, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 302 },
    });
  });

  it('turns function calls into tool calls (STOP → tool_calls), keeping Gemini ids and generating stable ones', () => {
    const body = {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              {
                functionCall: { name: 'get_weather', args: { city: 'Paris', nested: { deep: [1, 'two'] } } },
                thoughtSignature: 'Eqo+Cqc+Ab4=',
              },
              { functionCall: { id: 'fc_given', name: 'get_time' } },
            ],
          },
          finishReason: 'STOP',
          finishMessage: 'Model generated function call(s).',
        },
      ],
      responseId: 'JniLacKqGqH0xs0P0O776As',
    };
    const first = geminiAdapter.chatResponse(body);
    const [choice] = first.choices;
    expect(choice!.finishReason).toBe('tool_calls');
    const calls = choice!.message.toolCalls!;
    expect(calls.map((call) => ({ ...call, id: decodeToolCallId(call.id) }))).toEqual([
      {
        id: { baseId: 'call_JniLacKqGqH0xs0P0O776As_0_0', signature: 'Eqo+Cqc+Ab4=' },
        name: 'get_weather',
        arguments: '{"city":"Paris","nested":{"deep":[1,"two"]}}',
      },
      { id: { baseId: 'fc_given' }, name: 'get_time', arguments: '{}' },
    ]);
    expect(calls[0]!.id).toMatch(/^[A-Za-z0-9_-]+$/);
    // The same response always yields the same ids.
    expect(geminiAdapter.chatResponse(body).choices[0]!.message.toolCalls!.map((call) => call.id)).toEqual(calls.map((call) => call.id));
  });

  it('returns one choice per candidate, ordered by index, with distinct generated tool-call ids', () => {
    const candidate = (index: number | undefined, finishReason: string) => ({
      content: { role: 'model', parts: [{ text: `c${index ?? 0}` }, { functionCall: { name: 'f', args: {} } }] },
      finishReason,
      ...(index !== undefined ? { index } : {}),
    });
    const response = geminiAdapter.chatResponse({ candidates: [candidate(1, 'MAX_TOKENS'), candidate(0, 'STOP')], responseId: 'r' });
    expect(response.choices.map((choice) => [choice.index, choice.message.content[0]!.text, choice.finishReason])).toEqual([
      [0, 'c0', 'tool_calls'],
      [1, 'c1', 'length'],
    ]);
    expect(new Set(response.choices.map((choice) => choice.message.toolCalls![0]!.id)).size).toBe(2);
    // Without indices, position decides.
    const positional = geminiAdapter.chatResponse({
      candidates: [candidate(undefined, 'STOP'), { ...candidate(undefined, 'STOP'), index: undefined }],
    });
    expect(positional.choices.map((choice) => choice.index)).toEqual([0, 1]);
  });

  it('answers a blocked prompt with an empty content_filter choice and still reports usage', () => {
    const response = geminiAdapter.chatResponse({
      promptFeedback: { blockReason: 'PROHIBITED_CONTENT' },
      usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 },
      modelVersion: 'gemini-3.7-flash',
      responseId: 'EXCPaojyHaDUjMcP656rqAk',
    });
    expect(response.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: [] }, finishReason: 'content_filter', providerFinishReason: 'PROHIBITED_CONTENT' },
    ]);
    expect(response.usage.inputTokens).toBe(9);
  });

  it('maps finish reasons, keeping Gemini’s name when the canonical one loses detail', () => {
    const finish = (finishReason: string) => {
      const choice = geminiAdapter.chatResponse({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason }] }).choices[0]!;
      return [choice.finishReason, choice.providerFinishReason];
    };
    expect(finish('STOP')).toEqual(['stop', undefined]);
    expect(finish('MAX_TOKENS')).toEqual(['length', undefined]);
    expect(finish('SAFETY')).toEqual(['content_filter', 'SAFETY']);
    expect(finish('RECITATION')).toEqual(['content_filter', 'RECITATION']);
    expect(finish('PROHIBITED_CONTENT')).toEqual(['content_filter', 'PROHIBITED_CONTENT']);
    expect(finish('MALFORMED_FUNCTION_CALL')).toEqual(['error', 'MALFORMED_FUNCTION_CALL']);
    expect(finish('SOMETHING_NEW')).toEqual(['error', 'SOMETHING_NEW']);
  });

  it('keeps a signature that arrives on a part of its own', () => {
    const response = geminiAdapter.chatResponse({
      candidates: [{ content: { parts: [{ text: 'hi' }, { thoughtSignature: 'U0lH' }] }, finishReason: 'STOP' }],
    });
    expect(response.choices[0]!.message.reasoning).toEqual([{ type: 'thinking', text: '', signature: 'gemini:U0lH' }]);
  });

  it('ignores parts it does not surface and candidates without content', () => {
    const response = geminiAdapter.chatResponse({
      candidates: [
        {
          content: {
            parts: [
              { inlineData: { mimeType: 'image/png', data: 'AA' }, thoughtSignature: 'SU1H' },
              { executableCode: { code: 'x' } },
              { text: 'ok' },
            ],
          },
        },
        { finishReason: 'SAFETY', index: 1 },
      ],
    });
    expect(response.choices[0]!.message).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'ok' }] });
    expect(response.choices[1]!.message).toEqual({ role: 'assistant', content: [] });
  });

  it('throws UpstreamProtocolError on garbage, without quoting it', () => {
    const garbage: unknown[] = [
      null,
      'text',
      [],
      {},
      { candidates: 'no' },
      { candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: [1] } }] } }] },
      { candidates: [{ index: 1e9 }] },
      { candidates: [{ index: 0 }, { index: 0 }] },
      { candidates: [{}], usageMetadata: { promptTokenCount: -1 } },
    ];
    for (const body of garbage) {
      expect(() => geminiAdapter.chatResponse(body), JSON.stringify(body)).toThrow(UpstreamProtocolError);
    }
    expect(() => geminiAdapter.chatResponse({ candidates: [{ content: { parts: [{ text: 42 }] } }] })).toThrow(
      /at candidates\.0\.content\.parts\.0\.text/,
    );
  });
});

describe('toUsage', () => {
  it('counts tool-use prompt tokens as input and thoughts as output', () => {
    // totalTokenCount = 55 + 89 + 51 + 56 = 251, as in a live Gemini response.
    expect(
      toUsage({
        promptTokenCount: 55,
        candidatesTokenCount: 51,
        totalTokenCount: 251,
        toolUsePromptTokenCount: 89,
        thoughtsTokenCount: 56,
      }),
    ).toEqual({ inputTokens: 144, outputTokens: 107, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 56 });
  });

  it('treats cached tokens as part of the prompt count and missing counts as zero', () => {
    expect(toUsage({ promptTokenCount: 1000, cachedContentTokenCount: 800, candidatesTokenCount: 10 })).toEqual({
      inputTokens: 1000,
      outputTokens: 10,
      cachedInputTokens: 800,
      cacheWriteInputTokens: 0,
      reasoningTokens: 0,
    });
    expect(toUsage(undefined)).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      reasoningTokens: 0,
    });
  });
});
