import { describe, expect, it } from 'vitest';
import type { Message } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError } from '../types.js';
import { toConversation } from './contents.js';
import { exportSignature, SKIP_SIGNATURE_VALIDATOR } from './signatures.js';
import { encodeToolCallId } from './tool-call-ids.js';

const text = (t: string) => ({ type: 'text' as const, text: t });

describe('toConversation', () => {
  it('moves system and developer messages to systemInstruction, in order', () => {
    const messages: Message[] = [
      { role: 'system', content: [text('Be brief.')] },
      { role: 'user', content: [text('Hi')] },
      { role: 'developer', content: [text('Answer in French.')] },
    ];
    expect(toConversation(messages, 'gemini-2.5-flash')).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
    });
  });

  it('puts system text at the head of the first user turn for Gemma, which has no system slot', () => {
    const result = toConversation(
      [
        { role: 'system', content: [text('Be brief.')] },
        { role: 'user', content: [text('Hi')] },
      ],
      'gemma-3-27b-it',
    );
    expect(result).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Be brief.\n\n' }, { text: 'Hi' }] }] });
  });

  it('maps assistant to model and merges consecutive turns of the same role', () => {
    const result = toConversation(
      [
        { role: 'user', content: [text('one')] },
        { role: 'user', content: [text('two')] },
        { role: 'assistant', content: [text('three')] },
        { role: 'assistant', content: [text('four')] },
      ],
      'gemini-2.5-flash',
    );
    expect(result.contents).toEqual([
      { role: 'user', parts: [{ text: 'one' }, { text: 'two' }] },
      { role: 'model', parts: [{ text: 'three' }, { text: 'four' }] },
    ]);
  });

  it('answers tool calls with functionResponse parts named after the call, in one user turn', () => {
    const result = toConversation(
      [
        { role: 'user', content: [text('Weather in Paris and Rome?')] },
        {
          role: 'assistant',
          content: [],
          toolCalls: [
            { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { id: 'call_b', name: 'get_time', arguments: '' },
          ],
        },
        { role: 'tool', toolCallId: 'call_a', content: [text('18C')] },
        { role: 'tool', toolCallId: 'call_b', content: [text('boom')], isError: true },
        { role: 'user', content: [text('Thanks')] },
      ],
      'gemini-2.5-flash',
    );
    expect(result.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { id: 'call_a', name: 'get_weather', args: { city: 'Paris' } } },
          { functionCall: { id: 'call_b', name: 'get_time', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'call_a', name: 'get_weather', response: { output: '18C' } } },
          { functionResponse: { id: 'call_b', name: 'get_time', response: { error: 'boom' } } },
          { text: 'Thanks' },
        ],
      },
    ]);
  });

  it('keeps tool output text as a string and puts tool images after all function responses', () => {
    const result = toConversation(
      [
        { role: 'user', content: [text('Shots?')] },
        {
          role: 'assistant',
          content: [],
          toolCalls: [
            { id: 'a', name: 'shot', arguments: '{}' },
            { id: 'b', name: 'schema', arguments: '{}' },
          ],
        },
        { role: 'tool', toolCallId: 'a', content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBO' } }] },
        { role: 'tool', toolCallId: 'b', content: [text('{"$ref":"#/$defs/X"}')] },
      ],
      'gemini-2.5-flash',
    );
    expect(result.contents[2]).toEqual({
      role: 'user',
      parts: [
        { functionResponse: { id: 'a', name: 'shot', response: { output: '' } } },
        { functionResponse: { id: 'b', name: 'schema', response: { output: '{"$ref":"#/$defs/X"}' } } },
        { inlineData: { mimeType: 'image/png', data: 'iVBO' } },
      ],
    });
  });

  it('refuses a tool result that answers no earlier tool call', () => {
    const messages: Message[] = [
      { role: 'user', content: [text('hi')] },
      { role: 'tool', toolCallId: 'nope', content: [text('x')] },
    ];
    expect(() => toConversation(messages, 'gemini-2.5-flash')).toThrow(UnsupportedFeatureError);
  });

  it('refuses tool-call arguments that are not a JSON object', () => {
    for (const args of ['not json', '[1,2]', '"str"']) {
      const messages: Message[] = [
        { role: 'user', content: [text('hi')] },
        { role: 'assistant', content: [], toolCalls: [{ id: 'a', name: 'f', arguments: args }] },
      ];
      expect(() => toConversation(messages, 'gemini-2.5-flash')).toThrow(/arguments/);
    }
  });

  it('converts images: base64 and data: URLs inline, https to fileData, http refused', () => {
    const result = toConversation(
      [
        {
          role: 'user',
          content: [
            { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: 'AAAA' } },
            { type: 'image', source: { kind: 'url', url: 'data:image/png;base64,iVBOR' } },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.webp?sig=1' } },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/render' } },
            { type: 'file', source: { kind: 'url', url: 'gs://bucket/doc.pdf' } },
            { type: 'file', source: { kind: 'file_id', fileId: 'files/abc-123' }, filename: 'report.pdf' },
            { type: 'audio', format: 'wav', data: 'UklG' },
          ],
        },
      ],
      'gemini-2.5-flash',
    );
    expect(result.contents[0]!.parts).toEqual([
      { inlineData: { mimeType: 'image/jpeg', data: 'AAAA' } },
      { inlineData: { mimeType: 'image/png', data: 'iVBOR' } },
      { fileData: { fileUri: 'https://example.com/cat.webp?sig=1', mimeType: 'image/webp' } },
      { fileData: { fileUri: 'https://example.com/render' } },
      { fileData: { fileUri: 'gs://bucket/doc.pdf', mimeType: 'application/pdf' } },
      { fileData: { fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc-123', mimeType: 'application/pdf' } },
      { inlineData: { mimeType: 'audio/wav', data: 'UklG' } },
    ]);

    const bad = ['http://example.com/cat.png', 'ftp://example.com/cat.png', 'data:image/png,notbase64', 'not a url', 'file:///etc/passwd'];
    for (const url of bad) {
      expect(() =>
        toConversation([{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url } }] }], 'gemini-2.5-flash'),
      ).toThrow(UnsupportedFeatureError);
    }
    expect(() =>
      toConversation(
        [{ role: 'user', content: [{ type: 'file', source: { kind: 'file_id', fileId: 'file-openai123' } }] }],
        'gemini-2.5-flash',
      ),
    ).toThrow(/Files API/);
    expect(() =>
      toConversation(
        [{ role: 'user', content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/png\r\nx', data: 'A' } }] }],
        'gemini-2.5-flash',
      ),
    ).toThrow(/media type/);
  });

  it('replays Gemini-signed reasoning and drops reasoning signed elsewhere or unsigned', () => {
    const result = toConversation(
      [
        { role: 'user', content: [text('q')] },
        {
          role: 'assistant',
          content: [text('answer')],
          reasoning: [
            { type: 'thinking', text: 'mine', signature: exportSignature('R0VN') },
            { type: 'thinking', text: 'anthropic', signature: 'EqQBCkYIBxgCKkB' },
            { type: 'thinking', text: 'unsigned' },
            { type: 'redacted_thinking', data: 'xyz' },
            { type: 'thinking', text: '', signature: exportSignature('VEVYVA==') },
          ],
        },
      ],
      'gemini-2.5-flash',
    );
    expect(result.contents[1]).toEqual({
      role: 'model',
      parts: [
        { text: 'mine', thought: true, thoughtSignature: 'R0VN' },
        { text: 'answer', thoughtSignature: 'VEVYVA==' },
      ],
    });
  });

  it('puts the signature carried in a tool-call id back on the function call, without it in the id', () => {
    const id = encodeToolCallId('call_1', 'Eqo+Cqc+Ab4=');
    const result = toConversation(
      [
        { role: 'user', content: [text('q')] },
        { role: 'assistant', content: [], toolCalls: [{ id, name: 'f', arguments: '{}' }] },
        { role: 'tool', toolCallId: id, content: [text('ok')] },
      ],
      'gemini-3-pro-preview',
    );
    expect(result.contents[1]!.parts).toEqual([{ functionCall: { id: 'call_1', name: 'f', args: {} }, thoughtSignature: 'Eqo+Cqc+Ab4=' }]);
    expect(result.contents[2]!.parts).toEqual([{ functionResponse: { id: 'call_1', name: 'f', response: { output: 'ok' } } }]);
  });

  it('sends the skip-validator signature on the first unsigned call for Gemini 3, not for 2.5', () => {
    const messages: Message[] = [
      { role: 'user', content: [text('q')] },
      {
        role: 'assistant',
        content: [],
        toolCalls: [
          { id: 'toolu_1', name: 'f', arguments: '{}' },
          { id: 'toolu_2', name: 'g', arguments: '{}' },
        ],
      },
    ];
    const gemini3 = toConversation(messages, 'gemini-3-flash-preview').contents[1]!.parts;
    expect(gemini3).toEqual([
      { functionCall: { id: 'toolu_1', name: 'f', args: {} }, thoughtSignature: SKIP_SIGNATURE_VALIDATOR },
      { functionCall: { id: 'toolu_2', name: 'g', args: {} } },
    ]);
    const alias = toConversation(messages, 'models/gemini-flash-latest').contents[1]!.parts[0];
    expect(alias).toMatchObject({ thoughtSignature: SKIP_SIGNATURE_VALIDATOR });
    const gemini25 = toConversation(messages, 'gemini-2.5-pro').contents[1]!.parts;
    expect(gemini25.every((part) => !('thoughtSignature' in part))).toBe(true);
  });

  it('drops empty text and refuses a conversation with nothing to send', () => {
    expect(() => toConversation([{ role: 'system', content: [text('only system')] }], 'gemini-2.5-flash')).toThrow(UnsupportedFeatureError);
    expect(() => toConversation([{ role: 'user', content: [text('')] }], 'gemini-2.5-flash')).toThrow(UnsupportedFeatureError);
  });
});
