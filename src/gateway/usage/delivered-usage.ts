/**
 * Usage of a streamed request that ended without the provider's final usage (the client hung up,
 * the upstream cut the stream, a guardrail stopped it): billed on what was actually delivered,
 * counted with the provider's own tokenization where one is available.
 *   - OpenAI, Azure OpenAI: tiktoken (usage arrives only in the last chunk, so a cut stream has
 *     none): output = the delivered text, input = the prompt as OpenAI's cookbook counts it.
 *   - Anthropic: its count_tokens endpoint for the delivered output; input is message_start's.
 *   - Everyone else (Gemini reports cumulative usage in every chunk; Mistral, Groq, DeepSeek, xAI,
 *     Together and generic OpenAI-compatible servers have no public tokenizer or count endpoint):
 *     what the provider reported, not counted.
 * A count never lowers a figure the provider reported.
 */
import type { ChatRequest, Usage } from '../canonical/types.js';
import type { ProviderId } from '../../providers/ids.js';
import type { DeliveredText } from './delivered-text.js';
import { countPromptTokens, countTexts } from './openai-tokenizer.js';
import { CountFailedError, type ProviderCounter } from './provider-count.js';

export type UsageSource = 'provider' | 'gateway';
export type CountedUsage = { usage: Usage; source: UsageSource };

type Counting = 'tokenizer' | 'count_endpoint' | 'none';

const COUNTING: Record<ProviderId, Counting> = {
  openai: 'tokenizer',
  'azure-openai': 'tokenizer',
  anthropic: 'count_endpoint',
  gemini: 'none',
  mistral: 'none',
  groq: 'none',
  deepseek: 'none',
  xai: 'none',
  together: 'none',
  'openai-compatible': 'none',
};

/** Whether the gateway counts this provider's cut streams (and so needs their delivered text recorded). */
export const countsDelivered = (provider: ProviderId): boolean => COUNTING[provider] !== 'none';

export type DeliveredUsageInput = {
  provider: ProviderId;
  /** The model as OpenAI names it (its tokenizer family); for Azure, the catalog model, not the deployment. */
  model: string;
  reported: Usage;
  /** Read when the stream ended: frames the processor produces after that (closing frames for a client already gone) never reached anyone. */
  delivered: DeliveredText;
  /** The prompt as sent upstream (after input guardrails). */
  request: ChatRequest;
  /** The provider's count endpoint, for 'count_endpoint' providers. */
  counter: ProviderCounter | undefined;
  /** Told why a count failed (no text, no secrets); the reported usage is billed instead. */
  onCountFailed(reason: string): void;
};

async function countWithTokenizer(input: DeliveredUsageInput): Promise<Usage> {
  const { reported, delivered } = input;
  // OpenAI sends usage once, in the last chunk: when it arrived it is final and exact.
  if (reported.outputTokens > 0) return reported;
  const [[outputTokens, reasoningTokens], inputTokens] = await Promise.all([
    countTexts(input.model, [delivered.output, delivered.reasoning]),
    reported.inputTokens > 0 ? reported.inputTokens : countPromptTokens(input.model, input.request),
  ]);
  return {
    ...reported,
    inputTokens,
    outputTokens: outputTokens!,
    reasoningTokens: Math.max(reported.reasoningTokens, reasoningTokens!),
  };
}

async function countWithEndpoint(input: DeliveredUsageInput): Promise<Usage> {
  const { reported, counter } = input;
  if (!counter) throw new CountFailedError('no count endpoint');
  const [outputTokens, inputTokens] = await Promise.all([
    counter.output(input.delivered.output),
    // Anthropic reports the input in message_start, before any byte reaches the client.
    reported.inputTokens > 0 ? reported.inputTokens : counter.prompt(input.request),
  ]);
  // message_start carries a placeholder output count; message_delta the real one, when it came.
  return { ...reported, inputTokens, outputTokens: Math.max(reported.outputTokens, outputTokens) };
}

/** Never rejects: whatever goes wrong, the reported usage is what is billed. */
export async function deliveredUsage(input: DeliveredUsageInput): Promise<CountedUsage> {
  const counting = COUNTING[input.provider];
  if (counting === 'none') return { usage: input.reported, source: 'provider' };
  try {
    const usage = counting === 'tokenizer' ? await countWithTokenizer(input) : await countWithEndpoint(input);
    return { usage, source: usage === input.reported ? 'provider' : 'gateway' };
  } catch (error) {
    input.onCountFailed(error instanceof CountFailedError ? error.reason : error instanceof Error ? error.name : 'unknown error');
    return { usage: input.reported, source: 'provider' };
  }
}

const pending = new Set<Promise<unknown>>();

/** Runs a count whose result finishes a request log; `idle()` waits for all of them (clean shutdown). */
export function trackCount<T>(count: Promise<T>): Promise<T> {
  pending.add(count);
  void count.finally(() => pending.delete(count)).catch(() => undefined);
  return count;
}

/** Resolves once every count started so far has settled (they are bounded by their timeouts). */
export async function deliveredCountsIdle(): Promise<void> {
  await Promise.allSettled([...pending]);
}
