/**
 * Output guardrails over a streamed answer, one rewriter per client format. Each reads the
 * client's own SSE events (whether the provider spoke that format natively or the gateway
 * translated), feeds every text delta through a carry-over guard per text part (a choice, a
 * content block, an output part), and sends on only what the guard has judged: a delta may go
 * out shorter (or empty) while the window is held, and what is held is released — as one more
 * delta in the format's own shape — when that part ends. A tool call's arguments are held until
 * the call ends and sent judged, whole (stream-common.ts). Events that repeat the full text
 * (the Responses API's `*.done` and `response.completed`) are rewritten to the judged text, so
 * the client never sees the original there either.
 */
import type { ApiFormat } from '../../providers/types.js';
import { anthropicMessagesRewriter } from './stream-anthropic-messages.js';
import { chatCompletionsRewriter } from './stream-chat-completions.js';
import type { AnswerStreamGuard, StreamTextRewriter } from './stream-common.js';
import { responsesRewriter } from './stream-responses.js';

export type { AnswerStreamGuard, StreamTextRewriter } from './stream-common.js';

export function streamTextRewriter(format: ApiFormat, guard: AnswerStreamGuard): StreamTextRewriter {
  switch (format) {
    case 'openai-chat':
      return chatCompletionsRewriter(guard);
    case 'anthropic-messages':
      return anthropicMessagesRewriter(guard);
    case 'openai-responses':
      return responsesRewriter(guard);
  }
}
