/**
 * Where the answer's text is in each client format's (non-streamed) response body: the texts
 * output guardrails judge and, with reversible redaction, where placeholders are put back.
 */
import type { ApiFormat } from '../../providers/types.js';
import { isObject, stringSlot, type JsonObject, type TextSlot } from './text-slots.js';

function chatCompletionSlots(body: JsonObject): TextSlot[] {
  const slots: TextSlot[] = [];
  const choices = Array.isArray(body.choices) ? body.choices : [];
  choices.forEach((choice, i) => {
    if (!isObject(choice) || !isObject(choice.message)) return;
    slots.push(...stringSlot(choice.message, 'content', `choices[${i}].message.content`, 'assistant'));
  });
  return slots;
}

function anthropicMessageSlots(body: JsonObject): TextSlot[] {
  const content = Array.isArray(body.content) ? body.content : [];
  return content.flatMap((block, j) =>
    isObject(block) && block.type === 'text' ? stringSlot(block, 'text', `content[${j}].text`, 'assistant') : [],
  );
}

function responseSlots(body: JsonObject): TextSlot[] {
  const slots: TextSlot[] = [];
  const output = Array.isArray(body.output) ? body.output : [];
  output.forEach((item, k) => {
    if (!isObject(item) || item.type !== 'message' || !Array.isArray(item.content)) return;
    item.content.forEach((part, m) => {
      if (isObject(part) && part.type === 'output_text')
        slots.push(...stringSlot(part, 'text', `output[${k}].content[${m}].text`, 'assistant'));
    });
  });
  // Some servers add the SDK's convenience field; it must say what the parts say.
  return [...slots, ...stringSlot(body, 'output_text', 'output_text', 'assistant')];
}

export function responseTextSlots(format: ApiFormat, body: JsonObject): TextSlot[] {
  switch (format) {
    case 'openai-chat':
      return chatCompletionSlots(body);
    case 'anthropic-messages':
      return anthropicMessageSlots(body);
    case 'openai-responses':
      return responseSlots(body);
    default:
      return [];
  }
}
