/**
 * One streamed chat completion through the gateway, as an application would send it, read into
 * the few things the playground shows: text as it arrives, usage, the served model, and the
 * gateway's error in words. Headers other than the provider and attempt count are not read (they
 * say nothing the user needs and could carry more than intended).
 */
import { scrubSecrets } from '../logging/secret-registry.js';
import { createSseParser } from '../providers/sse.js';
import type { PlaygroundChatInput } from './chat-input.js';
import type { GuardrailFinding } from './events.js';

const MAX_ERROR_MESSAGE = 500;

export type GatewayChatItem =
  | { kind: 'accepted'; provider: string | null; attempts: number | null }
  | { kind: 'text'; text: string }
  | { kind: 'finished'; reason: string | null; servedModel: string | null; usage: { inputTokens: number; outputTokens: number } | null }
  | { kind: 'failed'; status: number | null; code: string; message: string; guardrail?: GuardrailFinding }
  /** The browser went away: nothing more to say to anyone. */
  | { kind: 'abandoned' };

export type GatewayChatRequest = {
  gatewayUrl: string;
  token: string;
  /** Sent as x-request-id: the gateway's log and guardrail events carry it. */
  requestId: string;
  input: PlaygroundChatInput;
  /** Fires when the browser disconnects. */
  clientGone: AbortSignal;
  timeoutMs: number;
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringOr = (value: unknown, fallback: string | null) => (typeof value === 'string' ? value : fallback);
const intOrNull = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null);

/** The gateway's error object as the user may read it: its own words, scrubbed again and bounded. */
function failureOf(body: unknown, status: number | null): Extract<GatewayChatItem, { kind: 'failed' }> {
  const error = isObject(body) && isObject(body.error) ? body.error : {};
  const message = stringOr(error.message, `The gateway answered with status ${status ?? 'unknown'}.`)!;
  const failure: Extract<GatewayChatItem, { kind: 'failed' }> = {
    kind: 'failed',
    status,
    code: stringOr(error.code, 'gateway_error')!.slice(0, 100),
    message: scrubSecrets(message).slice(0, MAX_ERROR_MESSAGE),
  };
  const g = error.guardrail;
  if (failure.code === 'guardrail_blocked' && isObject(g) && typeof g.detector === 'string' && typeof g.rule === 'string')
    failure.guardrail = {
      action: 'block',
      detector: g.detector,
      rule: g.rule,
      category: stringOr(g.category, null),
      direction: g.direction === 'output' ? 'output' : 'input',
      location: stringOr(g.location, '')!,
    };
  return failure;
}

function requestBody(input: PlaygroundChatInput): string {
  return JSON.stringify({
    model: input.model,
    messages: input.messages,
    ...(input.temperature === undefined ? {} : { temperature: input.temperature }),
    ...(input.max_tokens === undefined ? {} : { max_tokens: input.max_tokens }),
    stream: true,
    stream_options: { include_usage: true },
  });
}

export async function* streamGatewayChat(request: GatewayChatRequest): AsyncGenerator<GatewayChatItem> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = AbortSignal.any([request.clientGone, timeout]);
  const interrupted = (): GatewayChatItem =>
    request.clientGone.aborted
      ? { kind: 'abandoned' }
      : {
          kind: 'failed',
          status: null,
          code: 'gateway_timeout',
          message: `The gateway did not finish within ${Math.round(request.timeoutMs / 1000)} s.`,
        };

  let response: Response;
  try {
    response = await fetch(`${request.gatewayUrl.replace(/\/+$/, '')}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${request.token}`,
        'content-type': 'application/json',
        // A playground answer should come from the model, not from yesterday's cache.
        'cache-control': 'no-store',
        'x-request-id': request.requestId,
      },
      body: requestBody(request.input),
      redirect: 'manual',
      signal,
    });
  } catch {
    yield signal.aborted
      ? interrupted()
      : {
          kind: 'failed',
          status: null,
          code: 'gateway_unavailable',
          message:
            'The gateway is not reachable from this api process. Run the api together with the gateway, or set GATEWAY_INTERNAL_URL.',
        };
    return;
  }

  if (!response.ok || response.body === null) {
    const text = await response.text().catch(() => '');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined; // not JSON: the status says enough
    }
    yield failureOf(body, response.status);
    return;
  }
  yield {
    kind: 'accepted',
    provider: response.headers.get('x-portcullis-provider'),
    attempts: intOrNull(Number(response.headers.get('x-portcullis-attempts') ?? 'NaN')),
  };

  const parser = createSseParser();
  const decoder = new TextDecoder();
  let finishReason: string | null = null;
  let servedModel: string | null = null;
  let usage: { inputTokens: number; outputTokens: number } | null = null;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) {
        if (event.data === '[DONE]') {
          yield { kind: 'finished', reason: finishReason, servedModel, usage };
          return;
        }
        let frame: unknown;
        try {
          frame = JSON.parse(event.data);
        } catch {
          continue; // the gateway sends JSON only; anything else carries nothing for the user
        }
        if (!isObject(frame)) continue;
        if (isObject(frame.error)) {
          yield failureOf(frame, null);
          return;
        }
        if (typeof frame.model === 'string' && frame.model !== '') servedModel = frame.model;
        if (isObject(frame.usage)) {
          const input = intOrNull(frame.usage.prompt_tokens);
          const output = intOrNull(frame.usage.completion_tokens);
          if (input !== null && output !== null) usage = { inputTokens: input, outputTokens: output };
        }
        const choice = Array.isArray(frame.choices) && isObject(frame.choices[0]) ? frame.choices[0] : undefined;
        if (choice === undefined) continue;
        finishReason = stringOr(choice.finish_reason, finishReason);
        const text = isObject(choice.delta) ? choice.delta.content : undefined;
        if (typeof text === 'string' && text !== '') yield { kind: 'text', text };
      }
    }
  } catch {
    yield signal.aborted
      ? interrupted()
      : { kind: 'failed', status: null, code: 'upstream_stream_cut', message: 'The gateway’s stream broke off before the answer ended.' };
    return;
  } finally {
    // An early return (error frame, [DONE]) or an abort: stop reading what nobody will use.
    reader.cancel().catch(() => undefined);
  }
  yield { kind: 'failed', status: null, code: 'upstream_stream_cut', message: 'The gateway’s stream ended before the answer did.' };
}
