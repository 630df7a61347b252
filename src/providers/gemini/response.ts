/**
 * A non-streamed GenerateContentResponse → canonical ChatResponse, one choice per candidate.
 *
 * A prompt blocked by Google's filters comes back as HTTP 200 with `promptFeedback.blockReason` and no
 * candidates. That is answered as a normal response with one empty choice, finish reason content_filter and
 * the block reason as providerFinishReason: the client learns it was filtered (as with OpenAI's own filter)
 * and the prompt tokens Google reports are still accounted.
 */
import { randomUUID } from 'node:crypto';
import type { AssistantMessage, ChatResponse, Choice, ReasoningBlock, ToolCall } from '../../gateway/canonical/types.js';
import { UpstreamProtocolError } from '../types.js';
import { mapFinishReason } from './finish-reason.js';
import { readPart } from './parts.js';
import { toolCallScope } from './tool-call-ids.js';
import { toUsage } from './usage.js';
import { generateContentResponseSchema, parseWire, type WireCandidate } from './wire-response.js';

function toChoice(candidate: WireCandidate, index: number, scope: string): Choice {
  const reasoning: ReasoningBlock[] = [];
  const signatureOnly: ReasoningBlock[] = [];
  const toolCalls: ToolCall[] = [];
  let text = '';
  for (const part of candidate.content?.parts ?? []) {
    const meaning = readPart(part, { scope, choice: index, index: toolCalls.length });
    if (meaning === undefined) continue;
    if (meaning.kind === 'tool_call') toolCalls.push({ id: meaning.id, name: meaning.name, arguments: meaning.arguments });
    else if (meaning.kind === 'reasoning')
      reasoning.push({ type: 'thinking', text: meaning.text, ...(meaning.signature ? { signature: meaning.signature } : {}) });
    else {
      text += meaning.text;
      if (meaning.signature) signatureOnly.push({ type: 'thinking', text: '', signature: meaning.signature });
    }
  }
  const message: AssistantMessage = {
    role: 'assistant',
    content: text !== '' ? [{ type: 'text', text }] : [],
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(reasoning.length + signatureOnly.length > 0 ? { reasoning: [...reasoning, ...signatureOnly] } : {}),
  };
  return { index, message, ...mapFinishReason(candidate.finishReason, toolCalls.length > 0) };
}

export function chatResponse(body: unknown): ChatResponse {
  const response = parseWire(generateContentResponseSchema, body, 'generateContent response');
  const candidates = response.candidates ?? [];
  const blockReason = response.promptFeedback?.blockReason;
  if (candidates.length === 0 && blockReason === undefined) {
    throw new UpstreamProtocolError('gemini', 'gemini response has neither candidates nor a block reason');
  }
  const scope = toolCallScope(response.responseId);
  const choices: Choice[] =
    candidates.length > 0
      ? candidates.map((candidate, position) => toChoice(candidate, candidate.index ?? position, scope)).sort((a, b) => a.index - b.index)
      : [
          {
            index: 0,
            message: { role: 'assistant', content: [] },
            finishReason: 'content_filter',
            providerFinishReason: blockReason,
          },
        ];
  if (new Set(choices.map((choice) => choice.index)).size !== choices.length) {
    throw new UpstreamProtocolError('gemini', 'gemini response repeats a candidate index');
  }
  return {
    id: response.responseId ?? `gemini-${randomUUID()}`,
    model: response.modelVersion ?? '',
    created: Math.floor(Date.now() / 1000),
    choices,
    usage: toUsage(response.usageMetadata),
  };
}
