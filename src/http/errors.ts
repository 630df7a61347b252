import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { z } from 'zod';
import { generateRequestId, REQUEST_ID_HEADER } from './request-id.js';
import type { AppEnv } from './types.js';
import { describeZodError } from './zod-message.js';

/**
 * An error whose message is written for the client. Never put request data, secrets or
 * upstream error text in `message`: it is returned verbatim.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: ContentfulStatusCode;
  readonly type: string;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Extra value-free members of the error object (e.g. which guardrail blocked a request). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    status: ContentfulStatusCode,
    type: string,
    code: string,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    if (status < 400 || status > 599) throw new RangeError(`HttpError status must be 4xx or 5xx, got ${status}`);
    this.status = status;
    this.type = type;
    this.code = code;
    this.headers = { ...options.headers };
    this.details = { ...options.details };
  }
}

// `type` values follow Anthropic's vocabulary, which also reads naturally in the OpenAI
// shape; both SDK families dispatch on the HTTP status, not on `type`.
export const badRequest = (message: string, code = 'invalid_request'): HttpError =>
  new HttpError(400, 'invalid_request_error', code, message);
export const unauthorized = (message = 'Authentication required', code = 'unauthorized'): HttpError =>
  new HttpError(401, 'authentication_error', code, message);
export const forbidden = (message = 'Not allowed', code = 'forbidden'): HttpError => new HttpError(403, 'permission_error', code, message);
export const notFound = (message = 'Not found', code = 'not_found'): HttpError => new HttpError(404, 'not_found_error', code, message);
export const payloadTooLarge = (message = 'Request body too large', code = 'payload_too_large'): HttpError =>
  new HttpError(413, 'request_too_large', code, message);
export const unsupportedMediaType = (message = 'Content-Type must be application/json', code = 'unsupported_media_type'): HttpError =>
  new HttpError(415, 'invalid_request_error', code, message);
export const tooManyRequests = (message = 'Rate limit exceeded', retryAfterSeconds?: number, code = 'rate_limit_exceeded'): HttpError =>
  new HttpError(429, 'rate_limit_error', code, message, {
    headers: retryAfterSeconds === undefined ? {} : { 'retry-after': String(Math.max(0, Math.ceil(retryAfterSeconds))) },
  });
export const serviceUnavailable = (message = 'Service unavailable', code = 'service_unavailable'): HttpError =>
  new HttpError(503, 'api_error', code, message);
export const internal = (message = 'Internal server error', code = 'internal_error'): HttpError =>
  new HttpError(500, 'api_error', code, message);

export type ErrorShape = 'openai' | 'anthropic';

/** Anthropic-compatible routes get Anthropic's error envelope; everything else OpenAI's. */
export function errorShapeFor(path: string): ErrorShape {
  return path === '/v1/messages' || path.startsWith('/v1/messages/') ? 'anthropic' : 'openai';
}

/** Renders an HttpError in the envelope that matches the route, with the request id header. */
export function errorResponse(c: Context, error: HttpError): Response {
  const requestId = requestIdOf(c);
  // 5xx bodies carry the id so a user can quote it to an operator, who finds the logged cause.
  const message = error.status >= 500 ? `${error.message} (request id ${requestId})` : error.message;
  const body =
    errorShapeFor(c.req.path) === 'anthropic'
      ? { type: 'error', error: { ...error.details, type: error.type, message } }
      : { error: { ...error.details, message, type: error.type, code: error.code } };
  return c.json(body, error.status, { ...error.headers, [REQUEST_ID_HEADER]: requestId });
}

export interface ErrorHandlerOptions {
  /** Used only when a request failed before `requestIdMiddleware` attached its logger. */
  fallbackLogger?: Logger;
}

/**
 * For `app.onError`. Only messages we wrote ourselves reach the client; anything unexpected
 * becomes a generic 500 and the real error goes to the log.
 */
export function createErrorHandler(options: ErrorHandlerOptions = {}): ErrorHandler<AppEnv> {
  return (err, c) => {
    const requestId = requestIdOf(c);
    const logger = loggerOf(c) ?? options.fallbackLogger?.child({ requestId });
    const httpError = toHttpError(err);
    if (httpError === undefined) {
      logger?.error({ err }, 'unhandled error');
      return errorResponse(c, new HttpError(500, 'api_error', 'internal_error', 'Internal server error'));
    }
    if (httpError.status >= 500) logger?.warn({ code: httpError.code, status: httpError.status }, 'request failed');
    return errorResponse(c, httpError);
  };
}

/** For `app.notFound`. Does not echo the path back. */
export const notFoundHandler: NotFoundHandler<AppEnv> = (c) => errorResponse(c, notFound('Unknown route'));

/** What the client is told for an error: its HttpError, or undefined for an unexpected error (a 500). */
export function toHttpError(err: Error): HttpError | undefined {
  if (err instanceof HttpError) return err;
  // `$ZodError` also matches errors from `zod/mini` and `zod/v4/core`.
  if (err instanceof z.core.$ZodError) {
    return badRequest(`Invalid request: ${describeZodError(err)}`, 'validation_error');
  }
  // Hono's built-in middleware throws these. Their messages can quote request headers
  // (e.g. the validator's "Invalid HTTP header: Content-Type=..."), so only the status is kept.
  // 5xx ones are treated as unexpected.
  if (err instanceof HTTPException && err.status >= 400 && err.status < 500) {
    return fromClientStatus(err.status, err.res?.headers.get('www-authenticate') ?? undefined);
  }
  return undefined;
}

function fromClientStatus(status: number, challenge: string | undefined): HttpError {
  switch (status) {
    case 400:
      return badRequest('Bad request');
    case 401: {
      const error = unauthorized();
      return challenge === undefined
        ? error
        : new HttpError(401, error.type, error.code, error.message, { headers: { 'www-authenticate': challenge } });
    }
    case 403:
      return forbidden();
    case 404:
      return notFound();
    case 413:
      return payloadTooLarge();
    case 415:
      return unsupportedMediaType('Unsupported content type');
    case 429:
      return tooManyRequests();
    default:
      return new HttpError(status as ContentfulStatusCode, 'invalid_request_error', 'invalid_request', 'Request failed');
  }
}

function requestIdOf(c: Context): string {
  const existing: unknown = c.get('requestId');
  if (typeof existing === 'string') return existing;
  // Only reachable if requestIdMiddleware did not run; still give the client something to quote.
  const generated = generateRequestId();
  c.set('requestId', generated);
  return generated;
}

function loggerOf(c: Context): Logger | undefined {
  const logger: unknown = c.get('logger');
  return typeof logger === 'object' && logger !== null ? (logger as Logger) : undefined;
}
