/**
 * Google error responses → UpstreamErrorInfo. The body is `{ error: { code, message, status, details } }`
 * (wrapped in an array by the non-SSE streaming endpoint). Only `message` is shown, scrubbed of anything
 * key-shaped: Google's DebugInfo detail echoes the API key ("Invalid API key: AIza…"), so details are read
 * for their typed fields (ErrorInfo.reason, RetryInfo.retryDelay) and never copied into the message.
 *
 * Quirks handled: a wrong key is HTTP 400 INVALID_ARGUMENT with reason API_KEY_INVALID (reported here as 401
 * authentication_error, which is what it means for routing); a missing key is 403 PERMISSION_DENIED.
 */
import type { UpstreamErrorInfo } from '../types.js';
import { googleErrorSchema } from './wire-response.js';

const MAX_MESSAGE = 1000;
/** Seconds; a hostile or broken upstream must not be able to park a route for days. */
const MAX_RETRY_AFTER = 3600;
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

/** Removes Google API keys, OAuth access tokens and `key=` query values from text shown to clients. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/AIza[0-9A-Za-z_-]{20,}/g, 'AIza…[redacted]')
    .replace(/ya29\.[0-9A-Za-z_.-]+/g, 'ya29.…[redacted]')
    .replace(/([?&](?:key|access_token)=)[^&\s"']+/gi, '$1[redacted]');
}

function typeFor(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

function detailOfType(details: readonly unknown[], type: string): Record<string, unknown> | undefined {
  for (const detail of details) {
    if (typeof detail === 'object' && detail !== null && (detail as Record<string, unknown>)['@type'] === type) {
      return detail as Record<string, unknown>;
    }
  }
  return undefined;
}

/** protobuf Duration JSON ("12s", "34.4s"), rounded up. */
function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{1,9}(?:\.\d{1,9})?)s$/.exec(value);
  return match ? Math.ceil(Number(match[1])) : undefined;
}

function parseRetryAfterHeader(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function parseBody(body: string): unknown {
  try {
    const parsed: unknown = JSON.parse(body);
    return Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
  } catch {
    return undefined;
  }
}

export function errorInfo(status: number, headers: Headers, body: string): UpstreamErrorInfo {
  const parsed = googleErrorSchema.safeParse(parseBody(body));
  const error = parsed.success ? parsed.data.error : undefined;
  const details = error?.details ?? [];

  const reason = detailOfType(details, 'type.googleapis.com/google.rpc.ErrorInfo')?.reason;
  const reasonCode = typeof reason === 'string' && /^[A-Z0-9_]{1,64}$/.test(reason) ? reason : undefined;
  const statusCode = error?.status !== undefined && /^[A-Z_]{1,64}$/.test(error.status) ? error.status : undefined;
  const keyRejected = reasonCode?.startsWith('API_KEY_') === true;
  const effectiveStatus = keyRejected ? 401 : status;

  const retryDelay =
    parseDuration(detailOfType(details, 'type.googleapis.com/google.rpc.RetryInfo')?.retryDelay) ?? parseRetryAfterHeader(headers);
  // An upstream body is not trusted to be small or plain: bounded, single-spaced, and scrubbed.
  const message =
    error?.message !== undefined && error.message.trim() !== ''
      ? scrubSecrets(error.message.replace(/\s+/g, ' ').trim()).slice(0, MAX_MESSAGE)
      : `gemini returned HTTP ${status}`;

  return {
    status: effectiveStatus,
    type: typeFor(effectiveStatus),
    code: (reasonCode ?? statusCode ?? `http_${status}`).toLowerCase(),
    message,
    retryable: !keyRejected && RETRYABLE.has(status),
    ...(retryDelay !== undefined ? { retryAfterSeconds: Math.min(retryDelay, MAX_RETRY_AFTER) } : {}),
  };
}
