/**
 * Exactly one request log per authenticated request. The recorder is created right after
 * authentication; handlers fill in what they learn (model, provider, usage); it is finished once —
 * by the middleware when the response is a plain one, or by the stream when a streamed response
 * ends (finished, failed, or the client went away). A second finish is ignored.
 */
import type { Usage } from '../canonical/types.js';
import type { CacheStatus } from '../../db/schema/logs.js';
import type { GuardrailEventRecord } from '../guardrails/event-record.js';

export type RequestLogFields = {
  orgId: string;
  projectId: string;
  apiKeyId: string;
  requestId: string;
  endpoint: string;
  model: string | null;
  servedModel: string | null;
  provider: string | null;
  attempts: number;
  stream: boolean;
  status: number;
  errorCode: string | null;
  latencyMs: number;
  ttftMs: number | null;
  usage: Usage | null;
  costMicroUsd: number | null;
  /** 'gateway' when usage was counted from what a cut stream delivered (usage/delivered-usage.ts); stored as usage_source, 'provider' when unset. */
  usageSource?: 'provider' | 'gateway';
  cacheStatus: CacheStatus | null;
  /** Passed the limit checks: counts toward usage limits (and their rebuild from logs). */
  usageCounted: boolean;
  createdAt: Date;
  bodies?: { request: string; response: string | null };
  /** One per guardrail finding, input and output; written with the log row, in its transaction. */
  guardrailEvents?: GuardrailEventRecord[];
};

export type RequestLogSink = (fields: RequestLogFields) => void;

export class RequestLogRecorder {
  private readonly startedAt = performance.now();
  private finished = false;
  private readonly finishHooks: ((fields: RequestLogFields) => void)[] = [];
  /** Set by a handler that hands the response to a stream: the stream finishes the log. */
  deferred = false;
  readonly fields: Omit<RequestLogFields, 'status' | 'errorCode' | 'latencyMs'>;

  constructor(
    base: { orgId: string; projectId: string; apiKeyId: string; requestId: string; endpoint: string },
    private readonly sink: RequestLogSink,
  ) {
    this.fields = {
      ...base,
      model: null,
      servedModel: null,
      provider: null,
      attempts: 0,
      stream: false,
      ttftMs: null,
      usage: null,
      costMicroUsd: null,
      cacheStatus: null,
      usageCounted: false,
      createdAt: new Date(),
    };
  }

  /** Milliseconds since the request was authenticated. */
  elapsedMs(): number {
    return Math.round(performance.now() - this.startedAt);
  }

  markFirstToken(): void {
    this.fields.ttftMs ??= this.elapsedMs();
  }

  /** Runs once the request is over, with its final usage (e.g. settling the usage reservation). */
  onFinish(hook: (fields: RequestLogFields) => void): void {
    this.finishHooks.push(hook);
  }

  /** `latencyMs`: when the response ended, for a log finished later than that (after counting usage). */
  finish(status: number, errorCode: string | null = null, latencyMs = this.elapsedMs()): void {
    if (this.finished) return;
    this.finished = true;
    const fields = { ...this.fields, status, errorCode, latencyMs };
    this.sink(fields);
    for (const hook of this.finishHooks) hook(fields);
  }
}
