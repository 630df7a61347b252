/**
 * Span helpers for request code. Each is a plain call when tracing is off. What goes into
 * attributes is the caller's decision and the caller's responsibility: ids, counts, statuses,
 * codes — never request or response text, headers, or anything derived from a credential
 * (docs/observability.md lists what is recorded).
 */
import { context, INVALID_SPAN_CONTEXT, propagation, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { activeTracer, type TracedService } from './tracing.js';

/** What a step may do with its span: add attributes, mark it failed. */
export type StepSpan = Pick<Span, 'setAttribute' | 'setAttributes' | 'setStatus'>;

// The API's own non-recording span: attributes set on it go nowhere.
const NOT_RECORDING: StepSpan = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * The error's code when it has one (HttpError, UpstreamNetworkError kinds), else its class name.
 * Never the message: provider error messages can quote the request.
 */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code)) return code;
  return error instanceof Error ? error.constructor.name : 'unknown';
}

function failed(span: Span, error: unknown): void {
  span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/**
 * Runs `fn` inside a child span of the active one (sync or async `fn`; the span ends when it
 * returns or settles). A throw marks the span as failed with `error.type` and is rethrown.
 */
export function withSpan<T>(name: string, attributes: Attributes, fn: (span: StepSpan) => T, service: TracedService = 'gateway'): T {
  const tracer = activeTracer(service);
  if (!tracer) return fn(NOT_RECORDING);
  return tracer.startActiveSpan(name, { attributes }, (span) => {
    let result: T;
    try {
      result = fn(span);
    } catch (error) {
      failed(span, error);
      span.end();
      throw error;
    }
    if (!(result instanceof Promise)) {
      span.end();
      return result;
    }
    return result.then(
      (value: unknown) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failed(span, error);
        span.end();
        throw error;
      },
    ) as T;
  });
}

/** Adds attributes to the active span (the request's server span in middleware), if any. */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/**
 * The outgoing headers plus `traceparent` (and `tracestate`) of the active span, so the
 * provider's own tracing can join the trace. Unchanged when tracing is off.
 */
export function withTraceContext(headers: Record<string, string>): Record<string, string> {
  if (!trace.getActiveSpan()) return headers;
  const carrier = { ...headers };
  propagation.inject(context.active(), carrier);
  return carrier;
}
