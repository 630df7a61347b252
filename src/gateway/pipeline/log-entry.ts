import type { RequestLogEntry } from '../request-log/types.js';
import type { RequestLogFields } from './log-recorder.js';

/** A finished recorder's fields as the request_logs row the writer appends. */
export function toLogEntry(fields: RequestLogFields): RequestLogEntry {
  const usage = fields.usage;
  return {
    orgId: fields.orgId,
    projectId: fields.projectId,
    apiKeyId: fields.apiKeyId,
    requestId: fields.requestId,
    endpoint: fields.endpoint,
    model: fields.model,
    servedModel: fields.servedModel,
    provider: fields.provider,
    attempts: fields.attempts,
    stream: fields.stream,
    status: fields.status,
    errorCode: fields.errorCode,
    latencyMs: fields.latencyMs,
    ttftMs: fields.ttftMs,
    inputTokens: usage?.inputTokens ?? null,
    outputTokens: usage?.outputTokens ?? null,
    cachedInputTokens: usage?.cachedInputTokens ?? null,
    cacheWriteInputTokens: usage?.cacheWriteInputTokens ?? null,
    reasoningTokens: usage?.reasoningTokens ?? null,
    costMicroUsd: fields.costMicroUsd,
    cacheStatus: fields.cacheStatus,
    // Usage is the provider's unless a handler says the gateway counted it (a cut stream); a row
    // without usage (cache hit, refusal) has no source.
    usageSource: usage ? (fields.usageSource ?? 'provider') : null,
    usageCounted: fields.usageCounted,
    createdAt: fields.createdAt,
    ...(fields.bodies ? { bodies: fields.bodies } : {}),
    ...(fields.guardrailEvents?.length ? { guardrailEvents: fields.guardrailEvents } : {}),
  };
}
