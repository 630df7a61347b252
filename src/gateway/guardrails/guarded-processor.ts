/**
 * A FrameProcessor (pipeline/sse-bridge.ts) with output guardrails on top: the inner processor
 * produces the client's frames as usual; each is read back as an SSE event and passed through
 * the format's text rewriter. When a guardrail blocks the answer, the client gets the format's
 * error frame (`guardrail_blocked`, naming the rule, never the text) and nothing after it.
 */
import { createSseParser, formatSse, type SseEvent } from '../../providers/sse.js';
import type { FrameProcessor } from '../pipeline/sse-bridge.js';
import { blockedMessage } from './blocked-error.js';
import type { GuardrailEventRecord } from './event-record.js';
import { GuardrailStreamBlocked } from './request-guard.js';
import type { StreamTextRewriter } from './stream-rewriters.js';
import { appendAll } from '../../append-all.js';

export function guardedProcessor(
  inner: FrameProcessor,
  rewriter: StreamTextRewriter,
  errorFrames: (message: string, code: string) => string[],
): FrameProcessor {
  const parser = createSseParser();
  let blocked: GuardrailEventRecord | undefined;

  const rewrite = (frames: readonly string[], closing: boolean): string[] => {
    if (blocked) return [];
    const out: string[] = [];
    const send = (events: readonly SseEvent[]) => {
      for (const event of events) out.push(formatSse(event.data, event.event));
    };
    try {
      for (const frame of frames) for (const event of parser.push(frame)) send(rewriter.rewrite(event));
      if (closing) send(rewriter.flush());
    } catch (error) {
      if (!(error instanceof GuardrailStreamBlocked)) throw error;
      blocked = error.event;
      // What went out before the block had been judged already; the rest of the answer never does.
      appendAll(out, errorFrames(blockedMessage(blocked), 'guardrail_blocked'));
    }
    return out;
  };

  return {
    process: (event) => rewrite(inner.process(event), false),
    finish: (failure) => (blocked ? [] : rewrite(inner.finish(failure), true)),
    usage: () => inner.usage(),
    servedModel: () => inner.servedModel(),
    completed: () => !blocked && inner.completed(),
    failure: () => (blocked ? { message: blockedMessage(blocked), code: 'guardrail_blocked' } : inner.failure?.()),
    halted: () => blocked !== undefined,
  };
}
