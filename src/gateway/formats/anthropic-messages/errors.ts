/**
 * The `event: error` frame that ends a Messages stream which failed after it started. The
 * Anthropic SDKs turn it into an APIError whose `type` is `error.type` (see @anthropic-ai/sdk
 * core/streaming.ts), so the type tells the client whether a retry may help.
 */
import { formatSse } from '../../../providers/sse.js';

const KNOWN_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'overloaded_error',
  'timeout_error',
]);

/** An Anthropic error type given as the code is kept; "overloaded" codes map to overloaded_error; the rest are api_error. */
export function errorTypeFor(code: string): string {
  if (KNOWN_TYPES.has(code)) return code;
  if (code.includes('overloaded')) return 'overloaded_error';
  if (code.includes('rate_limit')) return 'rate_limit_error';
  return 'api_error';
}

export function anthropicStreamErrorFrames(message: string, code: string): string[] {
  return [formatSse(JSON.stringify({ type: 'error', error: { type: errorTypeFor(code), message } }), 'error')];
}
