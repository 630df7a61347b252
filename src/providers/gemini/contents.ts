/**
 * Canonical messages → Gemini `contents` + `systemInstruction`.
 *
 *  - system/developer messages become `systemInstruction` (all of them, in order: Gemini has one system
 *    slot, and moving a mid-conversation instruction there keeps its authority, which a user turn would not);
 *    Gemma models have no system slot, so their instructions lead the first user turn instead.
 *  - assistant → role "model"; tool results → a "user" turn of `functionResponse` parts. Gemini matches a
 *    response to its call by function NAME, so names are looked up from the tool calls of earlier turns.
 *  - consecutive turns of the same role are merged (tool results followed by a user message, say).
 */
import type { AssistantMessage, ContentPart, Message, ToolMessage } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError } from '../types.js';
import { mediaPart } from './media.js';
import { isGemma, usesGemini3Features } from './model-family.js';
import { importSignature, SKIP_SIGNATURE_VALIDATOR } from './signatures.js';
import { decodeToolCallId } from './tool-call-ids.js';
import type { WireContent, WireFunctionResponsePart, WireMediaPart, WirePart, WireTextPart } from './wire-request.js';
import { appendAll } from '../../append-all.js';

export type Conversation = { contents: WireContent[]; systemInstruction?: { parts: WireTextPart[] } };

function unsupported(feature: string, message: string): UnsupportedFeatureError {
  return new UnsupportedFeatureError('gemini', feature, message);
}

function userParts(content: readonly ContentPart[]): WirePart[] {
  return content.flatMap((part): WirePart[] => {
    if (part.type === 'text') return part.text === '' ? [] : [{ text: part.text }];
    return [mediaPart(part)];
  });
}

/** Canonical arguments are JSON text; Gemini wants the object. */
function parseArguments(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw unsupported('tool_call_arguments', 'the arguments of an earlier tool call are not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw unsupported('tool_call_arguments', 'the arguments of an earlier tool call must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function modelParts(message: AssistantMessage, model: string): WirePart[] {
  const parts: WirePart[] = [];
  // Only reasoning signed by Gemini is replayed: another provider's thinking (or unsigned thinking) cannot be
  // verified by Gemini, which either ignores it or rejects the signature.
  const looseSignatures: string[] = [];
  for (const block of message.reasoning ?? []) {
    if (block.type !== 'thinking') continue;
    const signature = importSignature(block.signature);
    if (signature === undefined) continue;
    if (block.text === '') looseSignatures.push(signature);
    else parts.push({ text: block.text, thought: true, thoughtSignature: signature });
  }

  const texts: WireTextPart[] = message.content.filter((part) => part.text !== '').map((part) => ({ text: part.text }));
  if (message.refusal) texts.push({ text: message.refusal });
  // A signature Gemini put on a text part arrives as signature-only reasoning; it goes back on the last text
  // part, where Gemini places it (sending it back is recommended for quality, not required).
  const lastText = texts.at(-1);
  if (lastText && looseSignatures[0] !== undefined) lastText.thoughtSignature = looseSignatures[0];
  appendAll(parts, texts);

  const calls = message.toolCalls ?? [];
  calls.forEach((call, index) => {
    const { baseId, signature } = decodeToolCallId(call.id);
    // Gemini 3 rejects a replayed function call without a signature (only the first call of a parallel batch
    // carries one). When the client lost it, or the call came from another model, send Google's skip value.
    const fallback = index === 0 && usesGemini3Features(model) ? SKIP_SIGNATURE_VALIDATOR : undefined;
    const thoughtSignature = signature ?? fallback;
    parts.push({
      functionCall: { id: baseId, name: call.name, args: parseArguments(call.arguments) },
      ...(thoughtSignature !== undefined ? { thoughtSignature } : {}),
    });
  });
  return parts;
}

function toolOutputText(message: ToolMessage): string {
  return message.content
    .filter((part) => part.type === 'text')
    .map((part) => part.text)
    .join('\n');
}

/**
 * One run of consecutive tool messages → one user turn. Media in tool output follows the function responses
 * as ordinary parts: the count of function responses must equal the count of calls they answer.
 */
function toolResultParts(messages: readonly ToolMessage[], names: ReadonlyMap<string, string>): WirePart[] {
  const responses: WireFunctionResponsePart[] = [];
  const media: WireMediaPart[] = [];
  for (const message of messages) {
    const { baseId } = decodeToolCallId(message.toolCallId);
    const name = names.get(message.toolCallId) ?? names.get(baseId);
    if (name === undefined) {
      throw unsupported(
        'tool_result',
        'a tool result answers no tool call of an earlier assistant message; Gemini needs the function name',
      );
    }
    // Output stays a string: structured output would be parsed by Gemini 3, which rejects "$ref" keys in it.
    const text = toolOutputText(message);
    responses.push({ functionResponse: { id: baseId, name, response: message.isError ? { error: text } : { output: text } } });
    for (const part of message.content) if (part.type !== 'text') media.push(mediaPart(part));
  }
  return [...responses, ...media];
}

export function toConversation(messages: readonly Message[], model: string): Conversation {
  const system: string[] = [];
  const contents: WireContent[] = [];
  /** Tool-call id (as the client has it, and without the signature suffix) → function name. */
  const names = new Map<string, string>();

  const append = (role: WireContent['role'], parts: WirePart[]) => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === role) appendAll(last.parts, parts);
    else contents.push({ role, parts });
  };

  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    switch (message.role) {
      case 'system':
      case 'developer':
        for (const part of message.content) if (part.text !== '') system.push(part.text);
        break;
      case 'user':
        append('user', userParts(message.content));
        break;
      case 'assistant':
        for (const call of message.toolCalls ?? []) {
          names.set(call.id, call.name);
          names.set(decodeToolCallId(call.id).baseId, call.name);
        }
        append('model', modelParts(message, model));
        break;
      case 'tool': {
        const run: ToolMessage[] = [message];
        while (messages[i + 1]?.role === 'tool') run.push(messages[++i] as ToolMessage);
        append('user', toolResultParts(run, names));
        break;
      }
    }
  }

  if (system.length > 0 && isGemma(model)) {
    const first = contents[0];
    const preamble: WireTextPart = { text: `${system.join('\n\n')}\n\n` };
    if (first?.role === 'user') first.parts.unshift(preamble);
    else contents.unshift({ role: 'user', parts: [preamble] });
  }
  if (contents.length === 0) throw unsupported('messages', 'Gemini needs at least one user or assistant message');
  if (system.length === 0 || isGemma(model)) return { contents };
  return { contents, systemInstruction: { parts: system.map((text) => ({ text })) } };
}
