/**
 * Output guardrails over a streamed Anthropic Messages answer (see stream-rewriters.ts): each
 * text block, and each tool_use block's `input_json_delta`s (as JSON), through a carry-over
 * guard; what a guard holds is released as one more delta just before the block stops. A delta
 * left empty while its guard holds the text is not sent.
 */
import type { SseEvent } from '../../providers/sse.js';
import { encode, parseJson, streamTable, type AnswerStreamGuard, type StreamTextRewriter } from './stream-common.js';
import { isObject } from './text-slots.js';

const deltaEvent = (index: string, delta: Record<string, string>): SseEvent => ({
  event: 'content_block_delta',
  data: JSON.stringify({ type: 'content_block_delta', index: Number(index), delta }),
});

export function anthropicMessagesRewriter(guard: AnswerStreamGuard): StreamTextRewriter {
  const texts = streamTable((location) => guard.textStream(location));
  const inputs = streamTable((location) => guard.argumentsStream(location));
  const releaseOne = (key: string): SseEvent[] => {
    const text = texts.close(key);
    const input = inputs.close(key);
    return [
      ...(text === '' ? [] : [deltaEvent(key, { type: 'text_delta', text })]),
      ...(input === '' ? [] : [deltaEvent(key, { type: 'input_json_delta', partial_json: input })]),
    ];
  };
  const release = () => [...new Set([...texts.open(), ...inputs.open()])].flatMap(releaseOne);
  return {
    rewrite(event) {
      const json = parseJson(event.data);
      if (!json) return [event];
      const index = typeof json.index === 'number' ? String(json.index) : undefined;
      if (json.type === 'content_block_delta' && index !== undefined && isObject(json.delta)) {
        const delta = json.delta;
        if (delta.type === 'text_delta' && typeof delta.text === 'string') {
          delta.text = texts.push(index, `content[${index}].text`, delta.text);
          return [encode(json, event.event)];
        }
        if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
          delta.partial_json = inputs.push(index, `content[${index}].input`, delta.partial_json);
          return delta.partial_json === '' ? [] : [encode(json, event.event)];
        }
        return [event];
      }
      if (json.type === 'content_block_stop' && index !== undefined) return [...releaseOne(index), event];
      if (json.type === 'message_delta' || json.type === 'message_stop' || json.type === 'error') return [...release(), event];
      return [event];
    },
    flush: release,
  };
}
