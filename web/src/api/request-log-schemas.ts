/**
 * The shapes of the request logs as the api returns them (src/api/routes/request-logs.ts), validated
 * on arrival. A listed row never carries a body; the bodies have their own schema and their own call,
 * and are never put in the query cache (see request-log-queries.ts).
 */
import { z } from 'zod/mini';

const count = z.nullable(z.number());

export const requestLogSchema = z.object({
  id: z.string(),
  projectId: z.nullable(z.string()),
  apiKeyId: z.nullable(z.string()),
  requestId: z.string(),
  endpoint: z.string(),
  /** What the client asked for (a model, `provider/model`, or an alias). */
  model: z.nullable(z.string()),
  /** What the provider reports having served. */
  servedModel: z.nullable(z.string()),
  provider: z.nullable(z.string()),
  attempts: z.number(),
  stream: z.boolean(),
  status: z.number(),
  errorCode: z.nullable(z.string()),
  latencyMs: count,
  ttftMs: count,
  inputTokens: count,
  outputTokens: count,
  cachedInputTokens: count,
  cacheWriteInputTokens: count,
  reasoningTokens: count,
  costUsd: count,
  cacheStatus: z.nullable(z.string()),
  /** Whose figures the tokens are: the provider's usage report, or the gateway's count of a stream cut before it. */
  usageSource: z.nullable(z.enum(['provider', 'gateway'])),
  createdAt: z.string(),
});
export type RequestLog = z.output<typeof requestLogSchema>;

export const requestLogPageSchema = z.object({ requestLogs: z.array(requestLogSchema), nextCursor: z.nullable(z.string()) });

export const oneRequestLogSchema = z.object({ requestLog: z.extend(requestLogSchema, { bodyStored: z.boolean() }) });
export type RequestLogDetail = z.output<typeof oneRequestLogSchema>['requestLog'];

/** GET …/body: decrypted, and audited by the api (request_log.body_read). */
export const requestLogBodySchema = z.object({ requestLogId: z.string(), request: z.string(), response: z.nullable(z.string()) });
export type RequestLogBody = z.output<typeof requestLogBodySchema>;
