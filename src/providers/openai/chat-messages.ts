/**
 * Canonical messages → Chat Completions `messages`.
 */
import type { AssistantMessage, ContentPart, Message, TextPart, ToolMessage, UserMessage } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError } from '../types.js';
import type { ChatDialect } from './dialect.js';
import { wireToolCallId } from './tool-call-id.js';

type WireMessage = Record<string, unknown>;
type WirePart = Record<string, unknown>;

export function toWireMessages(messages: readonly Message[], dialect: ChatDialect): WireMessage[] {
  return messages.map((message) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: message.role === 'developer' && dialect.developerRole ? 'developer' : 'system', content: joinText(message.content) };
      case 'user':
        return userMessage(message, dialect);
      case 'assistant':
        return assistantMessage(message, dialect);
      case 'tool':
        return toolMessage(message, dialect);
    }
  });
}

/**
 * Text-only content travels as one string: every OpenAI-compatible server accepts that, while
 * arrays of text parts are not universal. Separate blocks (e.g. Anthropic's system blocks) are
 * joined by a blank line.
 */
function joinText(parts: readonly TextPart[]): string {
  return parts.map((p) => p.text).join('\n\n');
}

function userMessage(message: UserMessage, dialect: ChatDialect): WireMessage {
  const textOnly = message.content.every((p) => p.type === 'text');
  const content = textOnly ? joinText(message.content as TextPart[]) : message.content.map((p) => userPart(p, dialect));
  const out: WireMessage = { role: 'user', content };
  if (message.name !== undefined && dialect.messageName) out.name = message.name;
  return out;
}

function userPart(part: ContentPart, dialect: ChatDialect): WirePart {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'image': {
      const url = part.source.kind === 'url' ? part.source.url : `data:${part.source.mediaType};base64,${part.source.data}`;
      return { type: 'image_url', image_url: { url, ...(part.detail !== undefined ? { detail: part.detail } : {}) } };
    }
    case 'audio':
      if (!dialect.audioInput) throw new UnsupportedFeatureError(dialect.provider, 'audio input');
      // The Chat Completions input_audio part takes only these two encodings.
      if (part.format !== 'wav' && part.format !== 'mp3') {
        throw new UnsupportedFeatureError(dialect.provider, 'audio input format', `audio input must be wav or mp3 for ${dialect.provider}`);
      }
      return { type: 'input_audio', input_audio: { data: part.data, format: part.format } };
    case 'file': {
      if (!dialect.fileInput) throw new UnsupportedFeatureError(dialect.provider, 'file input');
      const source = part.source;
      if (source.kind === 'url') throw new UnsupportedFeatureError(dialect.provider, 'file input by URL');
      if (source.kind === 'file_id')
        return { type: 'file', file: { file_id: source.fileId, ...(part.filename ? { filename: part.filename } : {}) } };
      // file_data is a data URL; OpenAI wants a filename with inline data, so one is derived when absent.
      return {
        type: 'file',
        file: { file_data: `data:${source.mediaType};base64,${source.data}`, filename: part.filename ?? defaultFilename(source.mediaType) },
      };
    }
  }
}

function defaultFilename(mediaType: string): string {
  const subtype = /^[a-z]+\/([a-z0-9.+-]+)$/i.exec(mediaType)?.[1];
  return subtype ? `file.${subtype.replace(/^.*\+/, '')}` : 'file';
}

function assistantMessage(message: AssistantMessage, dialect: ChatDialect): WireMessage {
  const toolCalls = message.toolCalls ?? [];
  let text = message.content.length > 0 ? joinText(message.content) : undefined;
  if (message.refusal !== undefined && !dialect.assistantRefusal && text === undefined) text = message.refusal;
  // A turn that only called tools has `content: null`, as OpenAI itself returns it.
  const out: WireMessage = { role: 'assistant', content: text ?? (toolCalls.length > 0 ? null : '') };
  if (toolCalls.length > 0) {
    out.tool_calls = toolCalls.map((call) => ({
      id: wireToolCallId(call.id, dialect),
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  if (message.refusal !== undefined && dialect.assistantRefusal) out.refusal = message.refusal;
  if (message.name !== undefined && dialect.messageName) out.name = message.name;
  if (dialect.replayReasoning) {
    const thinking = (message.reasoning ?? []).flatMap((block) => (block.type === 'thinking' ? [block.text] : []));
    if (thinking.length > 0) out.reasoning_content = thinking.join('');
  }
  return out;
}

function toolMessage(message: ToolMessage, dialect: ChatDialect): WireMessage {
  const texts = message.content.map((part) => {
    if (part.type !== 'text') {
      throw new UnsupportedFeatureError(
        dialect.provider,
        `${part.type} in a tool result`,
        `tool results can only carry text on ${dialect.provider}`,
      );
    }
    return part;
  });
  // There is no error flag on a tool message; the result text itself says what went wrong.
  return { role: 'tool', tool_call_id: wireToolCallId(message.toolCallId, dialect), content: joinText(texts) };
}
