/**
 * Native passthrough: the client already speaks this provider's format, so its body is forwarded
 * with only the model (and, for billing, the stream usage option) rewritten. Usage and the served
 * model are read back from the provider's answer without altering it.
 */
import { emptyUsage } from '../../gateway/canonical/types.js';
import type { Usage } from '../../gateway/canonical/types.js';
import type { ProviderId } from '../ids.js';
import type { ApiFormat, PassthroughRequestInput } from '../types.js';
import { UpstreamProtocolError } from '../types.js';
import type { ChatDialect } from './dialect.js';
import { chatUsage, chatUsageSchema, responsesUsage, responsesUsageSchema } from './usage.js';
import { isRecord } from './wire.js';

export function passthroughBody(input: PassthroughRequestInput, dialect: ChatDialect): Record<string, unknown> {
  const body: Record<string, unknown> = { ...input.body, model: input.target.model };
  if (input.format !== 'openai-chat') return body;
  if (input.stream) {
    if (dialect.streamUsageOption) {
      // Forced on so every streamed request is billable; the stream observer hides the extra
      // usage chunk from clients that did not ask for it.
      const existing = isRecord(body.stream_options) ? body.stream_options : {};
      body.stream_options = { ...existing, include_usage: true };
    } else {
      // Providers that reject the option send usage unasked (or not at all).
      delete body.stream_options;
    }
  }
  // Top-level renames only, so that a request written for OpenAI also works when routing sends it
  // to a provider that names the same parameter differently. Messages are never rewritten here.
  rename(body, 'max_completion_tokens', dialect.maxTokensField);
  rename(body, 'seed', dialect.seedField);
  return body;
}

function rename(body: Record<string, unknown>, from: string, to: string): void {
  if (from === to || !Object.hasOwn(body, from)) return;
  if (!Object.hasOwn(body, to)) body[to] = body[from];
  delete body[from];
}

export function passthroughUsage(provider: ProviderId, format: ApiFormat, body: unknown): { usage: Usage; model: string | undefined } {
  if (!isRecord(body)) throw new UpstreamProtocolError(provider, `unreadable response from ${provider}: not a JSON object`);
  const model = typeof body.model === 'string' ? body.model : undefined;
  return { usage: readUsage(provider, format, body.usage), model };
}

export function readUsage(provider: ProviderId, format: ApiFormat, usage: unknown): Usage {
  if (usage == null) return emptyUsage();
  if (format === 'openai-responses') {
    const parsed = responsesUsageSchema.safeParse(usage);
    if (!parsed.success) throw new UpstreamProtocolError(provider, `unreadable usage from ${provider}`);
    return responsesUsage(parsed.data);
  }
  const parsed = chatUsageSchema.safeParse(usage);
  if (!parsed.success) throw new UpstreamProtocolError(provider, `unreadable usage from ${provider}`);
  return chatUsage(parsed.data);
}
