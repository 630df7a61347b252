/**
 * The per-process cap on /v1 requests in progress (GATEWAY_MAX_IN_FLIGHT). Mounted before
 * authentication and body parsing: when the process is saturated, refusing must cost next to
 * nothing (no bcrypt, no JSON parse, no store round trip), or the refusals themselves become the
 * overload. A request holds its place from arrival until its response is over — a stream until it
 * ends or the client goes away, an error once it has been answered (http/response-done.ts).
 */
import type { MiddlewareHandler } from 'hono';
import { errorResponse, HttpError } from '../../http/errors.js';
import { untilResponseDone } from '../../http/response-done.js';
import type { AppEnv } from '../../http/types.js';

/** Seconds a refused client is asked to wait: places free as fast as requests finish. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 1;

export type InFlightCap = {
  middleware: MiddlewareHandler<AppEnv>;
  /** Requests holding a place now (for tests and metrics). */
  inFlight(): number;
};

export function createInFlightCap(maxInFlight: number): InFlightCap {
  if (!Number.isSafeInteger(maxInFlight) || maxInFlight <= 0)
    throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  let inFlight = 0;
  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (inFlight >= maxInFlight) {
      return errorResponse(
        c,
        new HttpError(503, 'overloaded_error', 'server_overloaded', 'The gateway is serving as many requests as it can; retry shortly.', {
          headers: { 'retry-after': String(OVERLOAD_RETRY_AFTER_SECONDS) },
        }),
      );
    }
    inFlight++;
    await untilResponseDone(c, next, () => {
      inFlight--;
    });
  };
  return { middleware, inFlight: () => inFlight };
}
