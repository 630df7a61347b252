/**
 * Native passthrough: an Anthropic-format client talking to Anthropic. The client's body is
 * forwarded with only `model` replaced (the routed upstream model), so every Messages feature —
 * server tools, betas, citations, containers — keeps working. The gateway still reads usage and
 * the served model from the answer, for limits and billing.
 */
import { z } from 'zod';
import type { Usage } from '../../gateway/canonical/types.js';
import type { SseEvent } from '../sse.js';
import type { ApiFormat, PassthroughRequestInput, PassthroughStreamObserver, UpstreamRequest } from '../types.js';
import { UnsupportedFeatureError } from '../types.js';
import { endpointUrl, upstreamHeaders } from './http.js';
import { parseJsonData, parseUpstream } from './read.js';
import { applyUsage, toCanonicalUsage, wireUsageSchema, zeroCounters } from './usage.js';

const VERSION = /^\d{4}-\d{2}-\d{2}$/;
const BETA = /^[A-Za-z0-9._-]+(\s*,\s*[A-Za-z0-9._-]+)*$/;
const MAX_BETA_LENGTH = 1024;

function requireMessagesFormat(format: ApiFormat): void {
  if (format !== 'anthropic-messages')
    throw new UnsupportedFeatureError('anthropic', format, `anthropic does not speak ${format} natively`);
}

/**
 * The client's `anthropic-version` is forwarded because it decides how the body is read (e.g.
 * 2026-10-21 rejects temperature; role "system" turns are newer); `anthropic-beta` because the
 * body may use beta features. Both are checked for syntax so nothing else rides along.
 */
function forwardedHeaders(clientHeaders: Readonly<Record<string, string>> | undefined): { version?: string; beta?: string } {
  const version = clientHeaders?.['anthropic-version']?.trim();
  const beta = clientHeaders?.['anthropic-beta']?.trim();
  if (version !== undefined && version !== '' && !VERSION.test(version)) {
    throw new UnsupportedFeatureError('anthropic', 'anthropic-version', 'the anthropic-version header must be a date such as 2023-06-01');
  }
  if (beta !== undefined && beta !== '' && (beta.length > MAX_BETA_LENGTH || !BETA.test(beta))) {
    throw new UnsupportedFeatureError(
      'anthropic',
      'anthropic-beta',
      'the anthropic-beta header must be a comma-separated list of beta names',
    );
  }
  return { ...(version ? { version } : {}), ...(beta ? { beta } : {}) };
}

export function anthropicPassthroughRequest(input: PassthroughRequestInput): UpstreamRequest {
  requireMessagesFormat(input.format);
  const countTokens = input.operation === 'count_tokens';
  const body: Record<string, unknown> = { ...input.body, model: input.target.model };
  if (!countTokens && input.stream) body.stream = true;
  return {
    url: endpointUrl(input.target, countTokens ? 'count_tokens' : 'messages'),
    method: 'POST',
    headers: upstreamHeaders(input.target, forwardedHeaders(input.clientHeaders)),
    body: JSON.stringify(body),
  };
}

const passthroughMessageSchema = z.looseObject({ model: z.string().optional(), usage: wireUsageSchema });

export function anthropicPassthroughResponseUsage(format: ApiFormat, body: unknown): { usage: Usage; model: string | undefined } {
  requireMessagesFormat(format);
  const message = parseUpstream(passthroughMessageSchema, body, 'message');
  return { usage: toCanonicalUsage(applyUsage(zeroCounters(), message.usage)), model: message.model };
}

const startSchema = z.looseObject({ message: z.looseObject({ model: z.string().optional(), usage: wireUsageSchema.nullish() }) });
const deltaSchema = z.looseObject({ usage: wireUsageSchema.nullish() });

/** Every event is forwarded unchanged; usage is read from message_start and message_delta. */
export function anthropicPassthroughStreamObserver(format: ApiFormat): PassthroughStreamObserver {
  requireMessagesFormat(format);
  let counters = zeroCounters();
  let model: string | undefined;
  let completed = false;
  let failure: { message: string; code: string } | undefined;
  return {
    observe(event: SseEvent) {
      if (event.event === 'error') {
        // Anthropic's in-band error (e.g. overloaded mid-stream): forwarded, and the answer is not complete.
        let type = 'api_error';
        let message = 'The provider reported an error in the stream.';
        try {
          const body = JSON.parse(event.data) as { error?: { type?: unknown; message?: unknown } };
          if (typeof body.error?.type === 'string') type = body.error.type;
          if (typeof body.error?.message === 'string') message = body.error.message.slice(0, 500);
        } catch {
          // unreadable error payload: keep the generic description
        }
        failure ??= { message, code: type };
      } else if (event.event === 'message_start') {
        const { message } = parseUpstream(startSchema, parseJsonData(event.data, 'message_start'), 'message_start');
        model = message.model ?? model;
        if (message.usage) counters = applyUsage(counters, message.usage);
      } else if (event.event === 'message_delta') {
        const { usage } = parseUpstream(deltaSchema, parseJsonData(event.data, 'message_delta'), 'message_delta');
        if (usage) counters = applyUsage(counters, usage);
      } else if (event.event === 'message_stop') {
        completed = true;
      }
      return { forward: true };
    },
    usage: () => toCanonicalUsage(counters),
    completed: () => completed && failure === undefined,
    servedModel: () => model,
    failure: () => failure,
  };
}
