/**
 * Anthropic error responses → UpstreamErrorInfo. The body is `{type:'error', error:{type,
 * message}}`; the message is kept (it tells the client what to fix) after removing anything
 * shaped like a credential and bounding its length.
 */
import { z } from 'zod';
import type { UpstreamErrorInfo } from '../types.js';

const errorBodySchema = z.looseObject({
  error: z.looseObject({
    type: z.string().optional(),
    message: z.string().optional(),
    // Newer API versions add a machine-readable code under `details`.
    details: z.looseObject({ error_code: z.string().optional() }).nullish(),
  }),
});

/** Statuses where another attempt (or another provider) may succeed; 529 is Anthropic's "overloaded". */
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504, 529]);

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const MAX_MESSAGE = 500;

// Credentials an upstream message could echo: Anthropic keys (sk-ant-…), other sk- keys, bearer
// tokens. Replaced wholesale: even a fragment of a key is not for the client's eyes.
const SECRET_PATTERNS = [/sk-ant-[A-Za-z0-9_-]*/g, /\bsk-[A-Za-z0-9_-]{16,}/g, /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi];

/** An upstream-written message made safe to show: no credentials, no control characters, bounded. */
export function safeUpstreamMessage(message: string): string {
  let out = message;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, '[redacted]');
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  out = out.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}…` : out;
}

export function anthropicErrorInfo(status: number, headers: Headers, body: string): UpstreamErrorInfo {
  const parsed = errorBodySchema.safeParse(safeJson(body));
  const error = parsed.success ? parsed.data.error : undefined;
  const type = error?.type ?? TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  const message = error?.message ? safeUpstreamMessage(error.message) : `anthropic returned HTTP ${status}`;
  const retryAfterSeconds = retryAfter(headers);
  return {
    status,
    type,
    code: error?.details?.error_code ?? type,
    message: message === '' ? `anthropic returned HTTP ${status}` : message,
    retryable: RETRYABLE_STATUSES.has(status) || type === 'overloaded_error',
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  };
}

/** `retry-after-ms` (more precise) wins over `retry-after`, which is seconds or an HTTP date. */
function retryAfter(headers: Headers): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms) / 1000;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
