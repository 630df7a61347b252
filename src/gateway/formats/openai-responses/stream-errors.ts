/**
 * How a failed stream ends, in a shape every consumer notices:
 *
 * - `response.failed` carries the Response with `status: 'failed'` and its `error`: the lifecycle
 *   event agent frameworks and coding agents watch for.
 * - then an `error` event. The SDK types describe it flat (`code`, `message`, `param`), but OpenAI
 *   sends the fields nested under `error`, and openai-node's stream throws an APIError (with that
 *   message and code) only for an event whose data has an `error` member; for a flat one it just
 *   yields an event, and its `finalResponse()` would even resolve with the in-progress snapshot
 *   after a bare `response.failed`. So the event carries both shapes.
 */
import { formatSse } from '../../../providers/sse.js';
import type { WireErrorCode, WireStreamEventBody } from './wire.js';

export function errorEvent(code: string, message: string): WireStreamEventBody {
  return {
    type: 'error',
    code,
    message,
    param: null,
    error: { type: /rate.?limit/i.test(code) ? 'rate_limit_error' : 'server_error', code, message, param: null },
  };
}

/** ResponseError.code is a closed list: the canonical code survives in the `error` event. */
export function responseErrorCode(code: string): WireErrorCode {
  return /rate.?limit/i.test(code) ? 'rate_limit_exceeded' : 'server_error';
}

/**
 * For a stream that fails where no encoder state is at hand. Without it there is no sequence to
 * continue, so the event is numbered 0; when an encoder exists, feeding it a canonical `error`
 * event gives the complete, correctly numbered ending instead.
 */
export function streamErrorFrames(message: string, code: string): string[] {
  return [formatSse(JSON.stringify({ ...errorEvent(code, message), sequence_number: 0 }), 'error')];
}
