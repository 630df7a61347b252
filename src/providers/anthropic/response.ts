/** A non-streamed Messages API response (a Message object) → canonical ChatResponse. */
import { z } from 'zod';
import type { ChatResponse, ReasoningBlock, TextPart, ToolCall } from '../../gateway/canonical/types.js';
import { parseUpstream } from './read.js';
import { decodeStopReason } from './stop-reason.js';
import { applyUsage, toCanonicalUsage, wireUsageSchema, zeroCounters } from './usage.js';

// Blocks are read loosely: a block type the gateway does not know (server tool results, newer
// additions) is skipped rather than failing the whole answer.
const blockSchema = z.looseObject({ type: z.string() });
const textSchema = z.looseObject({ type: z.literal('text'), text: z.string() });
const thinkingSchema = z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().nullish() });
const redactedSchema = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() });
const toolUseSchema = z.looseObject({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() });

export const messageSchema = z.looseObject({
  id: z.string(),
  model: z.string(),
  content: z.array(blockSchema),
  stop_reason: z.string().nullish(),
  stop_sequence: z.string().nullish(),
  usage: wireUsageSchema,
});

export function decodeMessage(body: unknown): ChatResponse {
  const message = parseUpstream(messageSchema, body, 'message');
  const content: TextPart[] = [];
  const reasoning: ReasoningBlock[] = [];
  const toolCalls: ToolCall[] = [];
  message.content.forEach((block, i) => {
    const what = `message content[${i}]`;
    switch (block.type) {
      case 'text':
        content.push({ type: 'text', text: parseUpstream(textSchema, block, what).text });
        break;
      case 'thinking': {
        const t = parseUpstream(thinkingSchema, block, what);
        reasoning.push({ type: 'thinking', text: t.thinking, ...(t.signature ? { signature: t.signature } : {}) });
        break;
      }
      case 'redacted_thinking':
        reasoning.push({ type: 'redacted_thinking', data: parseUpstream(redactedSchema, block, what).data });
        break;
      case 'tool_use': {
        const t = parseUpstream(toolUseSchema, block, what);
        toolCalls.push({ id: t.id, name: t.name, arguments: JSON.stringify(t.input ?? {}) });
        break;
      }
    }
  });
  const stop = decodeStopReason(message.stop_reason);
  return {
    id: message.id,
    model: message.model,
    // Anthropic does not report a creation time; the moment the answer was read is the closest.
    created: Math.floor(Date.now() / 1000),
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content,
          ...(toolCalls.length > 0 ? { toolCalls } : {}),
          ...(reasoning.length > 0 ? { reasoning } : {}),
        },
        ...stop,
        stopSequence: message.stop_sequence ?? null,
      },
    ],
    usage: toCanonicalUsage(applyUsage(zeroCounters(), message.usage)),
  };
}
