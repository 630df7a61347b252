/**
 * OpenAI-family error responses → UpstreamErrorInfo. The provider's own message is kept (it is the
 * most useful thing a client can see), minus anything that looks like a credential: OpenAI's 401
 * message quotes part of the key it was given, and a misconfigured proxy may quote more.
 */
import type { StreamEvent } from '../../gateway/canonical/types.js';
import type { UpstreamErrorInfo } from '../types.js';
import { isRecord } from './wire.js';

const MAX_MESSAGE = 1000;

const SECRET_PATTERNS: readonly RegExp[] = [
  // OpenAI (sk-, sk-proj-, masked sk-abc***xyz), Anthropic (sk-ant-), Groq (gsk_), xAI (xai-), Together (tgp_v1_).
  /\b(?:sk|gsk|xai|tgp_v1)[-_][A-Za-z0-9*_-]{3,}/g,
  // Bearer tokens quoted from a header.
  /\bBearer\s+[A-Za-z0-9._~+/=*-]{8,}/gi,
  // Long opaque tokens (Azure and Mistral keys are 32+ alphanumerics). Request ids joined by `_`
  // or `-` to a prefix (req_…, chatcmpl-…) do not match, so they stay quotable.
  /(?<![A-Za-z0-9_-])[A-Za-z0-9]{32,}(?![A-Za-z0-9_-])/g,
];

export function scrubSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, '[redacted]');
  return out;
}

function cleanMessage(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters have no place in a message shown to clients
  const flat = scrubSecrets(text).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ');
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE)}…` : flat;
}

const DEFAULT_TYPE: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  409: 'conflict_error',
  413: 'request_too_large',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

function defaultType(status: number): string {
  return DEFAULT_TYPE[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Seconds to wait, from `retry-after-ms` (OpenAI's precise variant) or `retry-after` (seconds or an HTTP date). */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms) / 1000;
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}

type ErrorFields = { message?: string; type?: string; code?: string };

/** The error fields from the shapes OpenAI-compatible servers use. */
function readErrorBody(body: string): ErrorFields {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return {};
  }
  if (!isRecord(json)) return {};
  const envelope = isRecord(json.error) ? json.error : json;
  const fields: ErrorFields = {};
  if (typeof json.error === 'string') fields.message = json.error;
  if (typeof envelope.message === 'string') fields.message = envelope.message;
  if (typeof envelope.type === 'string') fields.type = envelope.type;
  if (typeof envelope.code === 'string' || typeof envelope.code === 'number') fields.code = String(envelope.code);
  // FastAPI-style validation errors (Mistral 422): keep the locations and messages, never `input`.
  if (fields.message === undefined && Array.isArray(json.detail)) {
    const parts = json.detail.flatMap((d) => {
      if (!isRecord(d) || typeof d.msg !== 'string') return [];
      const loc = Array.isArray(d.loc) ? d.loc.filter((l) => typeof l === 'string' || typeof l === 'number').join('.') : '';
      return [loc ? `${loc}: ${d.msg}` : d.msg];
    });
    if (parts.length > 0) fields.message = parts.slice(0, 5).join('; ');
  } else if (fields.message === undefined && typeof json.detail === 'string') {
    fields.message = json.detail;
  }
  return fields;
}

/**
 * A provider's code when it is one (`context_length_exceeded`, `model_not_found`, 404): clients
 * branch on `error.code`, so a sentence there (xAI sends "Client specified an invalid argument",
 * its gRPC status text) is replaced by `fallback`; the sentence adds nothing the message lacks.
 */
function codeOr(raw: string | undefined, fallback: string): string {
  return raw !== undefined && /^[A-Za-z0-9_.:-]{1,100}$/.test(raw) && scrubSecrets(raw) === raw ? raw : fallback;
}

export function openAiErrorInfo(status: number, headers: Headers, body: string): UpstreamErrorInfo {
  const fields = readErrorBody(body);
  const type = fields.type ? cleanMessage(fields.type).slice(0, 100) : defaultType(status);
  const retryAfter = retryAfterSeconds(headers);
  return {
    status,
    type,
    code: codeOr(fields.code, type),
    message: fields.message ? cleanMessage(fields.message) : `Upstream request failed with status ${status}`,
    retryable: isRetryableStatus(status),
    ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
  };
}

/** An error object sent inside a stream (`data: {"error": …}`) → canonical `error` event. */
export function streamErrorEvent(error: unknown): StreamEvent {
  if (isRecord(error)) {
    const message = typeof error.message === 'string' ? cleanMessage(error.message) : 'The upstream stream failed';
    const code = codeOr(
      typeof error.code === 'string' ? error.code : undefined,
      codeOr(typeof error.type === 'string' ? error.type : undefined, 'upstream_error'),
    );
    return { type: 'error', message, code };
  }
  return { type: 'error', message: typeof error === 'string' ? cleanMessage(error) : 'The upstream stream failed', code: 'upstream_error' };
}
