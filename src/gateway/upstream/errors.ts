/**
 * Errors of the upstream HTTP client. Messages are safe to show to the tenant: they name the host
 * (never the full URL, whose query may hold a key), never a header, never the underlying error's
 * text. The underlying error is kept as `cause` for operators' logs.
 */
import { UnsafeUpstreamUrlError } from './ssrf.js';

/**
 * - connect: no connection was made (refused, DNS failure, connect timeout, TLS failure): the
 *   provider never saw the request, so another attempt cannot double-bill.
 * - timeout: the deadline or first-byte timeout passed after the request may have been sent.
 * - reset: the connection broke or the response was malformed.
 * - refused-address: the SSRF policy refused the URL or what it resolved to. Not retryable.
 * - aborted: the caller's signal fired (the client went away). Not retryable.
 */
export type UpstreamNetworkErrorKind = 'connect' | 'timeout' | 'reset' | 'refused-address' | 'aborted';

export class UpstreamNetworkError extends Error {
  constructor(
    readonly kind: UpstreamNetworkErrorKind,
    /** host[:port] of the upstream. */
    readonly host: string,
    message: string,
    options?: { cause?: unknown; code?: string },
  ) {
    super(message, { cause: options?.cause });
    this.name = 'UpstreamNetworkError';
    this.code = options?.code;
  }
  /** The system or undici error code (ECONNREFUSED, UND_ERR_SOCKET, ...), when there was one. */
  readonly code: string | undefined;
}

/** A non-streamed read exceeded the client's response size cap. Not retryable: the same request gets the same answer. */
export class UpstreamResponseTooLargeError extends Error {
  constructor(
    readonly host: string,
    readonly limitBytes: number,
  ) {
    super(`Response from ${host} exceeded ${limitBytes} bytes`);
    this.name = 'UpstreamResponseTooLargeError';
  }
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'EPROTO',
]);
const CONNECT_DETAILS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed temporarily',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
};
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
// Programming errors (an adapter built an invalid header, ...) are bugs, not network trouble:
// rethrown unchanged so they surface instead of being retried.
const BUG_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE']);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

// TLS failures come as OpenSSL or Node codes; all mean the handshake (part of connecting) failed.
function isTlsCode(code: string): boolean {
  return code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.includes('CERT') || code.startsWith('UNABLE_TO_');
}

/** The errors an error is made of: itself, its cause chain, and an AggregateError's members (Happy Eyeballs). */
function* constituents(error: unknown, depth = 0): Generator<unknown> {
  if (depth > 5) return;
  yield error;
  if (error instanceof AggregateError) for (const inner of error.errors) yield* constituents(inner, depth + 1);
  if (error instanceof Error && error.cause !== undefined) yield* constituents(error.cause, depth + 1);
}

/** Maps whatever undici or the socket threw to an UpstreamNetworkError (or rethrows a programming error). */
export function toUpstreamNetworkError(error: unknown, host: string): UpstreamNetworkError {
  for (const part of constituents(error)) {
    if (part instanceof UpstreamNetworkError) return part;
    if (part instanceof UnsafeUpstreamUrlError) return new UpstreamNetworkError('refused-address', host, part.message, { cause: error });
  }
  let code: string | undefined;
  for (const part of constituents(error)) {
    code = errorCode(part);
    if (code !== undefined) break;
  }
  if (code !== undefined && BUG_CODES.has(code)) throw error;
  if (code !== undefined && (CONNECT_CODES.has(code) || isTlsCode(code))) {
    const detail = CONNECT_DETAILS[code] ?? (isTlsCode(code) ? `TLS handshake failed (${code})` : code);
    return new UpstreamNetworkError('connect', host, `Could not connect to ${host}: ${detail}`, { cause: error, code });
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new UpstreamNetworkError('timeout', host, `${host} timed out`, { cause: error, code });
  }
  return new UpstreamNetworkError('reset', host, `Connection to ${host} failed before the response completed${code ? ` (${code})` : ''}`, {
    cause: error,
    code,
  });
}
