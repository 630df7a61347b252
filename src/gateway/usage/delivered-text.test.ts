import { describe, expect, it } from 'vitest';
import { formatSse } from '../../providers/sse.js';
import { deliveredTextRecorder } from './delivered-text.js';
import { encodingNameFor } from './openai-tokenizer.js';

const sse = (payload: unknown, event?: string) => formatSse(JSON.stringify(payload), event);

describe('deliveredTextRecorder', () => {
  it('reads OpenAI chat chunks: content, refusal, reasoning, tool-call names and arguments; ignores [DONE] and usage', () => {
    const recorder = deliveredTextRecorder('openai-chat');
    recorder.add([
      sse({ choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] }),
      sse({ choices: [{ index: 0, delta: { reasoning_content: 'Think. ' } }] }),
      sse({
        choices: [
          { index: 0, delta: { content: 'Hello' } },
          { index: 1, delta: { content: ' there' } },
        ],
      }),
      sse({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'get_weather', arguments: '' } }] } }] }),
      sse({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] } }] }),
      sse({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } }),
      'data: [DONE]\n\n',
    ]);
    expect(recorder.text()).toEqual({ output: 'Think. Hello thereget_weather{"city":', reasoning: 'Think. ' });
  });

  it('reads Anthropic events: text, thinking and tool_use names and partial JSON; not signatures', () => {
    const recorder = deliveredTextRecorder('anthropic-messages');
    recorder.add([
      sse({ type: 'message_start', message: { usage: { input_tokens: 5 } } }, 'message_start'),
      sse({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } }, 'content_block_start'),
      sse({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm.' } }, 'content_block_delta'),
      sse({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } }, 'content_block_delta'),
      sse({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }, 'content_block_start'),
      sse({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Hi' } }, 'content_block_delta'),
      sse({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', name: 'lookup', input: {} } }, 'content_block_start'),
      sse({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"q"' } }, 'content_block_delta'),
    ]);
    expect(recorder.text()).toEqual({ output: 'Hmm.Hilookup{"q"', reasoning: 'Hmm.' });
  });

  it('reads Responses API deltas once (the .done events repeat them) and function-call names', () => {
    const recorder = deliveredTextRecorder('openai-responses');
    recorder.add([
      sse({ type: 'response.reasoning_summary_text.delta', delta: 'Plan. ' }, 'response.reasoning_summary_text.delta'),
      sse({ type: 'response.output_text.delta', delta: 'Answer' }, 'response.output_text.delta'),
      sse({ type: 'response.output_text.done', text: 'Answer' }, 'response.output_text.done'),
      sse({ type: 'response.output_item.added', item: { type: 'function_call', name: 'f' } }, 'response.output_item.added'),
      sse({ type: 'response.function_call_arguments.delta', delta: '{}' }, 'response.function_call_arguments.delta'),
    ]);
    expect(recorder.text()).toEqual({ output: 'Plan. Answerf{}', reasoning: 'Plan. ' });
  });

  it('keeps the text of a long stream when it reads frames early to bound memory', () => {
    const recorder = deliveredTextRecorder('openai-chat');
    const piece = 'x'.repeat(1000);
    for (let i = 0; i < 600; i++) recorder.add([sse({ choices: [{ index: 0, delta: { content: piece } }] })]);
    expect(recorder.text().output).toHaveLength(600_000);
  });
});

describe('encodingNameFor', () => {
  it('picks cl100k_base for GPT-4 / GPT-3.5 (Azure spelling too) and o200k_base for GPT-4o and later', () => {
    for (const model of ['gpt-4', 'gpt-4-turbo', 'gpt-3.5-turbo', 'gpt-35-turbo', 'openai/gpt-4-0613'])
      expect(encodingNameFor(model)).toBe('cl100k_base');
    for (const model of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-5.4-mini', 'o3', 'o4-mini', 'gpt-oss-120b', 'gpt-6.2-sol'])
      expect(encodingNameFor(model)).toBe('o200k_base');
  });
});
