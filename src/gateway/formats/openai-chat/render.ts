/**
 * Canonical ChatResponse → a `chat.completion` object, shaped like OpenAI's (the SDK's
 * `ChatCompletion` type).
 *
 * Reasoning: Chat Completions has no field for it. When the answering model produced visible
 * reasoning, it is returned as `reasoning_content` (the DeepSeek convention vLLM, LiteLLM and
 * many clients read); the OpenAI SDK ignores it, so strict clients are unaffected. It is omitted
 * when there is none. Anthropic's signed and redacted thinking must be sent back unchanged in the
 * next turn of a tool-calling conversation, so when the answer has any, the blocks are also
 * returned whole as `thinking_blocks` (the LiteLLM convention), which a client replays on the
 * assistant message: see `thinkingBlocks` and to-canonical.ts.
 */
import type { AssistantMessage, ChatResponse, FinishReason, ReasoningBlock, Usage } from '../../canonical/types.js';
import type { RenderContext } from '../types.js';

export type WireFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** `refusal` has no Chat Completions value; content_filter is the closest ("the model declined"). */
export function wireFinishReason(reason: FinishReason): WireFinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'tool_calls':
    case 'content_filter':
      return reason;
    case 'refusal':
      return 'content_filter';
    case 'error':
      return 'stop';
  }
}

export function wireUsage(usage: Usage) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

/** `chatcmpl-` + the gateway request id, so a client can quote an id operators find in the logs. */
export function completionId(context: RenderContext): string {
  return `chatcmpl-${context.requestId}`;
}

export function reasoningText(message: AssistantMessage): string | undefined {
  const text = (message.reasoning ?? []).flatMap((b) => (b.type === 'thinking' ? [b.text] : [])).join('');
  return text.length > 0 ? text : undefined;
}

export type WireThinkingBlock = { type: 'thinking'; thinking: string; signature?: string } | { type: 'redacted_thinking'; data: string };

export function wireThinkingBlock(block: ReasoningBlock): WireThinkingBlock {
  if (block.type === 'redacted_thinking') return { type: 'redacted_thinking', data: block.data };
  return { type: 'thinking', thinking: block.text, ...(block.signature !== undefined ? { signature: block.signature } : {}) };
}

/** Only when something in it can be replayed (a signature or a redacted block): plain text is `reasoning_content` already. */
export function thinkingBlocks(message: AssistantMessage): WireThinkingBlock[] | undefined {
  const blocks = message.reasoning ?? [];
  const replayable = blocks.some((b) => b.type === 'redacted_thinking' || b.signature !== undefined);
  return replayable ? blocks.map(wireThinkingBlock) : undefined;
}

function wireMessage(message: AssistantMessage) {
  const text = message.content.map((p) => p.text).join('');
  const reasoning = reasoningText(message);
  const blocks = thinkingBlocks(message);
  return {
    role: 'assistant' as const,
    // OpenAI answers `content: null` for a turn that only called tools (or only refused).
    content: message.content.length > 0 ? text : null,
    refusal: message.refusal ?? null,
    ...(message.toolCalls && message.toolCalls.length > 0
      ? {
          tool_calls: message.toolCalls.map((call) => ({
            id: call.id,
            type: 'function' as const,
            function: { name: call.name, arguments: call.arguments },
          })),
        }
      : {}),
    ...(reasoning !== undefined ? { reasoning_content: reasoning } : {}),
    ...(blocks !== undefined ? { thinking_blocks: blocks } : {}),
  };
}

export function renderChatCompletion(response: ChatResponse, context: RenderContext) {
  return {
    id: completionId(context),
    object: 'chat.completion' as const,
    created: response.created > 0 ? response.created : Math.floor(Date.now() / 1000),
    model: response.model || context.requestedModel,
    choices: response.choices.map((choice) => ({
      index: choice.index,
      message: wireMessage(choice.message),
      logprobs: null,
      finish_reason: wireFinishReason(choice.finishReason),
    })),
    usage: wireUsage(response.usage),
    ...(response.systemFingerprint !== undefined ? { system_fingerprint: response.systemFingerprint } : {}),
  };
}
