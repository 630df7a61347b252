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
import { wireToolCallId } from './tool-call-id.js';

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
  // Top-level renames, so that a request written for OpenAI also works when routing sends it
  // to a provider that names the same parameter differently.
  rename(body, 'max_completion_tokens', dialect.maxTokensField);
  rename(body, 'seed', dialect.seedField);
  // The one message rewrite: providers with their own tool-call id syntax (Mistral: 9 letters or
  // digits) refuse a conversation that carries another provider's ids, which is exactly what an
  // alias falling back from one provider to another produces. Ids are mapped consistently.
  if (dialect.toolCallIds !== 'any' && Array.isArray(body.messages))
    body.messages = body.messages.map((m: unknown) => rewriteToolCallIds(m, dialect));
  return body;
}

function rewriteToolCallIds(message: unknown, dialect: ChatDialect): unknown {
  if (!isRecord(message)) return message;
  const out: Record<string, unknown> = { ...message };
  if (typeof out.tool_call_id === 'string') out.tool_call_id = wireToolCallId(out.tool_call_id, dialect);
  if (Array.isArray(out.tool_calls)) {
    out.tool_calls = out.tool_calls.map((call: unknown) =>
      isRecord(call) && typeof call.id === 'string' ? { ...call, id: wireToolCallId(call.id, dialect) } : call,
    );
  }
  return out;
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
