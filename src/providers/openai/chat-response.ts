/**
 * Chat Completions response body → canonical ChatResponse.
 */
import { z } from 'zod';
import type { AssistantMessage, ChatResponse, Choice, ToolCall } from '../../gateway/canonical/types.js';
import { emptyUsage } from '../../gateway/canonical/types.js';
import { UpstreamProtocolError } from '../types.js';
import type { ChatDialect } from './dialect.js';
import { mapFinishReason } from './finish-reason.js';
import { reasoningField, splitContent } from './reasoning-text.js';
import { chatUsage, chatUsageSchema } from './usage.js';
import { isRecord, parseUpstream } from './wire.js';

/** Some servers return arguments as a JSON object rather than JSON text; both are accepted. */
const argumentsSchema = z.union([z.string(), z.record(z.string(), z.unknown())]).nullish();

const toolCallSchema = z.object({
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.object({ name: z.string(), arguments: argumentsSchema }),
});

const messageSchema = z.looseObject({
  content: z.unknown().optional(),
  refusal: z.string().nullish(),
  tool_calls: z.array(toolCallSchema).nullish(),
  function_call: z.object({ name: z.string(), arguments: argumentsSchema }).nullish(),
});

const completionSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  created: z.number().nullish(),
  system_fingerprint: z.string().nullish(),
  choices: z.array(z.object({ index: z.number().int().min(0).nullish(), message: messageSchema, finish_reason: z.string().nullish() })),
  usage: chatUsageSchema.nullish(),
});

export function argumentsText(value: string | Record<string, unknown> | null | undefined): string {
  if (value == null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function parseChatCompletion(body: unknown, dialect: ChatDialect): ChatResponse {
  if (isRecord(body) && body.error !== undefined && body.choices === undefined) {
    // A few proxies answer 200 with an error envelope; it is not an answer.
    throw new UpstreamProtocolError(dialect.provider, `${dialect.provider} returned an error object instead of a completion`);
  }
  const wire = parseUpstream(dialect.provider, completionSchema, body, 'chat completion');
  const choices = wire.choices.map((choice, position): Choice => {
    const index = choice.index ?? position;
    const { finishReason, providerFinishReason } = mapFinishReason(choice.finish_reason);
    return {
      index,
      message: assistantMessage(choice.message, index, dialect),
      finishReason,
      ...(providerFinishReason !== undefined ? { providerFinishReason } : {}),
    };
  });
  return {
    id: wire.id ?? '',
    model: wire.model ?? '',
    created: wire.created ?? Math.floor(Date.now() / 1000),
    choices,
    usage: wire.usage ? chatUsage(wire.usage) : emptyUsage(),
    ...(wire.system_fingerprint ? { systemFingerprint: wire.system_fingerprint } : {}),
  };
}

function assistantMessage(message: z.infer<typeof messageSchema>, choiceIndex: number, dialect: ChatDialect): AssistantMessage {
  const { text, reasoning: inlineReasoning } = splitContent(message.content);
  const reasoning = reasoningField(message, dialect) ?? inlineReasoning;
  const toolCalls: ToolCall[] = (message.tool_calls ?? []).map((call, i) => {
    if (call.type != null && call.type !== 'function') {
      throw new UpstreamProtocolError(dialect.provider, `${dialect.provider} returned a tool call of an unsupported type`);
    }
    return { id: call.id ?? `call_${choiceIndex}_${i}`, name: call.function.name, arguments: argumentsText(call.function.arguments) };
  });
  if (message.function_call) {
    toolCalls.push({
      id: `call_${choiceIndex}_fn`,
      name: message.function_call.name,
      arguments: argumentsText(message.function_call.arguments),
    });
  }
  return {
    role: 'assistant',
    content: text !== undefined && text.length > 0 ? [{ type: 'text', text }] : [],
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(reasoning !== undefined ? { reasoning: [{ type: 'thinking' as const, text: reasoning }] } : {}),
    ...(message.refusal ? { refusal: message.refusal } : {}),
  };
}
