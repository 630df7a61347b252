/**
 * Output guardrails over a streamed Anthropic Messages answer (see stream-rewriters.ts): each
 * text block, each tool_use block's `input_json_delta`s (as JSON) and each thinking block's
 * `thinking_delta`s (judged, never changed: the block is signed), through a carry-over guard;
 * what a guard holds is released as one more delta just before the block stops (a thinking
 * block's, before its signature). A delta left empty while its guard holds the text is not sent.
 * A `citations_delta` carries a whole citation: its `cited_text` is judged at once.
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
  const thoughts = streamTable((location) => guard.reasoningStream(location));
  const releaseThinking = (key: string): SseEvent[] => {
    const thinking = thoughts.close(key);
    return thinking === '' ? [] : [deltaEvent(key, { type: 'thinking_delta', thinking })];
  };
  const releaseOne = (key: string): SseEvent[] => {
    const text = texts.close(key);
    const input = inputs.close(key);
    return [
      ...releaseThinking(key),
      ...(text === '' ? [] : [deltaEvent(key, { type: 'text_delta', text })]),
      ...(input === '' ? [] : [deltaEvent(key, { type: 'input_json_delta', partial_json: input })]),
    ];
  };
  const release = () => [...new Set([...texts.open(), ...inputs.open(), ...thoughts.open()])].flatMap(releaseOne);
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
        if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string') {
          delta.thinking = thoughts.push(index, `content[${index}].thinking`, delta.thinking);
          return delta.thinking === '' ? [] : [encode(json, event.event)];
        }
        // A citation arrives whole: its quote is judged as one text.
        if (delta.type === 'citations_delta' && isObject(delta.citation) && typeof delta.citation.cited_text === 'string') {
          delta.citation.cited_text = guard.judgeStreamedWhole(`content[${index}].citations.cited_text`, delta.citation.cited_text, 'text');
          return [encode(json, event.event)];
        }
        // The signature covers the whole thinking: what its guard holds goes first.
        if (delta.type === 'signature_delta') return [...releaseThinking(index), event];
        return [event];
      }
      // A thinking block that starts with its text (not in deltas) is judged whole.
      if (json.type === 'content_block_start' && index !== undefined && isObject(json.content_block)) {
        const block = json.content_block;
        if (block.type === 'thinking' && typeof block.thinking === 'string' && block.thinking !== '')
          guard.judgeStreamedWhole(`content[${index}].thinking`, block.thinking, 'reasoning');
        return [event];
      }
      if (json.type === 'content_block_stop' && index !== undefined) return [...releaseOne(index), event];
      if (json.type === 'message_delta' || json.type === 'message_stop' || json.type === 'error') return [...release(), event];
      return [event];
    },
    flush: release,
  };
}
