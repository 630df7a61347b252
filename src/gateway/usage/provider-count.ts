/**
 * Counting with the provider's own token-counting endpoint (Anthropic's POST
 * /v1/messages/count_tokens), for providers whose tokenizer is not public. The endpoint counts a
 * request's input, so the delivered answer is counted as the difference between a conversation
 * ending in it and the same conversation without it: [user placeholder, assistant: delivered]
 * minus [user placeholder]. The difference includes the assistant turn's few framing tokens.
 */
import type { ChatRequest, Message } from '../canonical/types.js';
import type { ProviderAdapter, UpstreamTarget } from '../../providers/types.js';
import type { UpstreamClient } from '../upstream/http-client.js';

/** The count runs after the stream has ended; a slow endpoint must not hold the request log long. */
export const PROVIDER_COUNT_TIMEOUT_MS = 3_000;

const PLACEHOLDER: Message = { role: 'user', content: [{ type: 'text', text: 'Continue.' }] };

export class CountFailedError extends Error {
  constructor(readonly reason: string) {
    super(`token count failed: ${reason}`);
    this.name = 'CountFailedError';
  }
}

export type ProviderCounter = {
  /** Tokens of the prompt as sent. */
  prompt(request: ChatRequest): Promise<number>;
  /** Tokens of text the model produced. */
  output(text: string): Promise<number>;
};

export function providerCounter(adapter: ProviderAdapter, target: UpstreamTarget, upstream: UpstreamClient): ProviderCounter | undefined {
  if (!adapter.countTokensRequest || !adapter.countTokensResponse) return undefined;
  const count = async (request: ChatRequest): Promise<number> => {
    const response = await upstream.send(adapter.countTokensRequest!({ ...request, model: target.model }, target), {
      timeoutMs: PROVIDER_COUNT_TIMEOUT_MS,
    });
    const text = await response.body.text();
    if (response.status !== 200) throw new CountFailedError(`status ${response.status}`);
    try {
      return adapter.countTokensResponse!(JSON.parse(text) as unknown).inputTokens;
    } catch {
      throw new CountFailedError('unreadable answer');
    }
  };
  const conversation = (messages: Message[]): ChatRequest => ({ model: target.model, messages, stream: false });
  return {
    prompt: (request) => count({ ...request, stream: false }),
    async output(text) {
      // The API refuses a final assistant turn ending in whitespace; trailing whitespace is a token at most.
      const answer = text.trimEnd();
      if (answer === '') return 0;
      const [without, withAnswer] = await Promise.all([
        count(conversation([PLACEHOLDER])),
        count(conversation([PLACEHOLDER, { role: 'assistant', content: [{ type: 'text', text: answer }] }])),
      ]);
      return Math.max(0, withAnswer - without);
    },
  };
}
