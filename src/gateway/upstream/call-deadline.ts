/**
 * The lifetime of one upstream call: one AbortController, fired by the overall deadline, the
 * first-byte timeout or the caller's signal, whose reason is the UpstreamNetworkError to report.
 * Once it has fired, that reason is the truth: whatever undici throws afterwards is a consequence.
 */
import { UpstreamNetworkError, toUpstreamNetworkError } from './errors.js';

export type CallTimers = {
  signal?: AbortSignal;
  timeoutMs: number;
  firstByteTimeoutMs?: number;
};

export type CallControl = {
  /** Pass to undici: aborting it tears down the request and its body. */
  signal: AbortSignal;
  /** Response headers arrived: the first-byte timeout no longer applies. */
  headersArrived(): void;
  /** The call is over (body read, cancelled or failed): clear timers and listeners. Idempotent. */
  settle(): void;
  /** The error to report for a failure of this call. */
  errorFor(error: unknown): unknown;
};

export function startCall(host: string, options: CallTimers): CallControl {
  const controller = new AbortController();
  const abortWith = (kind: 'timeout' | 'aborted', message: string, cause?: unknown): void => {
    if (!controller.signal.aborted) controller.abort(new UpstreamNetworkError(kind, host, message, { cause }));
  };
  // Unref'd: an in-flight socket keeps the process alive by itself, and a body nobody reads must
  // not hold up shutdown until its deadline.
  const deadline = setTimeout(
    () => abortWith('timeout', `${host} did not complete the response within ${options.timeoutMs} ms`),
    options.timeoutMs,
  ).unref();
  const firstByteTimeoutMs = options.firstByteTimeoutMs;
  let firstByte =
    firstByteTimeoutMs === undefined
      ? undefined
      : setTimeout(
          () => abortWith('timeout', `${host} did not start answering within ${firstByteTimeoutMs} ms`),
          firstByteTimeoutMs,
        ).unref();
  const onCallerAbort = (): void => abortWith('aborted', `Request to ${host} was cancelled`, options.signal?.reason);
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  return {
    signal: controller.signal,
    headersArrived(): void {
      clearTimeout(firstByte);
      firstByte = undefined;
    },
    settle(): void {
      clearTimeout(deadline);
      clearTimeout(firstByte);
      options.signal?.removeEventListener('abort', onCallerAbort);
    },
    errorFor(error: unknown): unknown {
      if (controller.signal.aborted) return controller.signal.reason;
      return toUpstreamNetworkError(error, host);
    },
  };
}
