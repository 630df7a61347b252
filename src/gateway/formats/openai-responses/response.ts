/**
 * Canonical answer → Response object. The pieces are shared with the stream encoder so a streamed
 * answer's final `response.completed` carries exactly what the non-streamed rendering would.
 */
import type { ChatResponse, FinishReason, ReasoningBlock, Usage } from '../../canonical/types.js';
import type { RenderContext } from '../types.js';
import { echoFields, type EchoFields } from './echo.js';
import { responseIds } from './ids.js';
import { encodeReasoningToken } from './reasoning-token.js';
import type { WireContentPart, WireErrorCode, WireOutputItem, WireReasoningItem, WireResponse, WireUsage } from './wire.js';

export type Outcome =
  | { status: 'completed' }
  | { status: 'incomplete'; reason: 'max_output_tokens' | 'content_filter' }
  | { status: 'failed'; code: WireErrorCode; message: string };

export function outcomeOf(finish: FinishReason): Outcome {
  switch (finish) {
    case 'stop':
    case 'tool_calls':
    case 'refusal': // the refusal itself is a content part of the message
      return { status: 'completed' };
    case 'length':
      return { status: 'incomplete', reason: 'max_output_tokens' };
    case 'content_filter':
      return { status: 'incomplete', reason: 'content_filter' };
    case 'error':
      return { status: 'failed', code: 'server_error', message: 'The provider ended the response with an error.' };
  }
}

export function wireUsage(usage: Usage): WireUsage {
  return {
    // Canonical input tokens already include cached and cache-write tokens, as OpenAI's do.
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** Seconds, as the API reports them; tolerates a provider timestamp in milliseconds. */
export function toSeconds(created: number): number {
  return Math.floor(created > 1e11 ? created / 1000 : created);
}

export function outputText(text: string): WireContentPart {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function reasoningItem(id: string, block: ReasoningBlock): WireReasoningItem {
  const summary = block.type === 'thinking' && block.text !== '' ? [{ type: 'summary_text' as const, text: block.text }] : [];
  return { id, type: 'reasoning', summary, encrypted_content: encodeReasoningToken(block) };
}

export type Envelope = { id: string; createdAt: number; model: string; echo: EchoFields };

/** Everything but status, output and usage: fixed for the life of one response. */
export function envelope(context: RenderContext, id: string, createdAt: number, model: string): Envelope {
  return { id, createdAt, model, echo: echoFields(context.requestBody) };
}

/** `in_progress` while streaming; the outcome once the answer is over. */
export function buildResponse(
  env: Envelope,
  outcome: Outcome | { status: 'in_progress' },
  output: WireOutputItem[],
  usage?: WireUsage,
): WireResponse {
  return {
    id: env.id,
    object: 'response',
    created_at: env.createdAt,
    status: outcome.status,
    error: outcome.status === 'failed' ? { code: outcome.code, message: outcome.message } : null,
    incomplete_details: outcome.status === 'incomplete' ? { reason: outcome.reason } : null,
    model: env.model,
    output,
    ...(usage !== undefined ? { usage } : {}),
    ...env.echo,
  };
}

export function renderResponse(response: ChatResponse, context: RenderContext): WireResponse {
  const ids = responseIds(context.requestId);
  // The Responses API has no `n`: the gateway never asks for more than one choice here.
  const choice = response.choices[0];
  const outcome = outcomeOf(choice?.finishReason ?? 'stop');
  const itemStatus = outcome.status === 'incomplete' ? 'incomplete' : 'completed';
  const output: WireOutputItem[] = [];

  if (choice) {
    const message = choice.message;
    for (const block of message.reasoning ?? []) output.push(reasoningItem(ids.item('rs', output.length), block));

    const content: WireContentPart[] = [];
    const text = message.content.map((part) => part.text).join('');
    if (text !== '') content.push(outputText(text));
    if (message.refusal) content.push({ type: 'refusal', refusal: message.refusal });
    if (content.length > 0)
      output.push({ id: ids.item('msg', output.length), type: 'message', role: 'assistant', status: 'completed', content });

    for (const call of message.toolCalls ?? []) {
      const index = output.length;
      output.push({
        id: ids.item('fc', index),
        type: 'function_call',
        status: 'completed',
        call_id: call.id || ids.fallbackCallId(index),
        name: call.name,
        arguments: call.arguments,
      });
    }
  }

  // A cut-off answer was cut off in its last item; earlier items were finished.
  const last = output.at(-1);
  if (itemStatus === 'incomplete' && last && last.type !== 'reasoning') last.status = 'incomplete';

  const env = envelope(context, ids.response, toSeconds(response.created), response.model);
  return buildResponse(env, outcome, output, wireUsage(response.usage));
}
