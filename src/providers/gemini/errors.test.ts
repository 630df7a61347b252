import { describe, expect, it } from 'vitest';
import { geminiAdapter } from './index.js';
import { scrubSecrets } from './errors.js';

const google = (code: number, status: string, message: string, details?: unknown[]) =>
  JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } });
const info = (status: number, body: string, headers: Record<string, string> = {}) =>
  geminiAdapter.errorInfo(status, new Headers(headers), body);

describe('geminiAdapter.errorInfo', () => {
  it.each([
    [400, 'INVALID_ARGUMENT', 'invalid_request_error', 'invalid_argument', false],
    [400, 'FAILED_PRECONDITION', 'invalid_request_error', 'failed_precondition', false],
    [403, 'PERMISSION_DENIED', 'permission_error', 'permission_denied', false],
    [404, 'NOT_FOUND', 'not_found_error', 'not_found', false],
    [429, 'RESOURCE_EXHAUSTED', 'rate_limit_error', 'resource_exhausted', true],
    [500, 'INTERNAL', 'api_error', 'internal', true],
    [503, 'UNAVAILABLE', 'api_error', 'unavailable', true],
    [504, 'DEADLINE_EXCEEDED', 'api_error', 'deadline_exceeded', true],
  ])('HTTP %i %s → %s / %s, retryable %s', (status, googleStatus, type, code, retryable) => {
    expect(info(status, google(status, googleStatus, 'Something happened.'))).toEqual({
      status,
      type,
      code,
      message: 'Something happened.',
      retryable,
    });
  });

  it('reads RetryInfo.retryDelay, rounding up, and caps it', () => {
    const body = google(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan.', [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [{ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }],
      },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34.4s' },
    ]);
    expect(info(429, body)).toMatchObject({ status: 429, retryable: true, retryAfterSeconds: 35 });
    const huge = google(429, 'RESOURCE_EXHAUSTED', 'x', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '999999s' }]);
    expect(info(429, huge).retryAfterSeconds).toBe(3600);
  });

  it('falls back to the retry-after header', () => {
    expect(info(503, google(503, 'UNAVAILABLE', 'The model is overloaded.'), { 'retry-after': '7' }).retryAfterSeconds).toBe(7);
    expect(info(503, google(503, 'UNAVAILABLE', 'x'), { 'retry-after': 'soon' }).retryAfterSeconds).toBeUndefined();
  });

  it('reports a rejected key (Google: 400 API_KEY_INVALID) as a non-retryable 401, without echoing the key', () => {
    const body = google(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
      { '@type': 'type.googleapis.com/google.rpc.DebugInfo', detail: 'Invalid API key: AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI' },
    ]);
    const result = info(400, body);
    expect(result).toEqual({
      status: 401,
      type: 'authentication_error',
      code: 'api_key_invalid',
      message: 'API key not valid. Please pass a valid API key.',
      retryable: false,
    });
    expect(JSON.stringify(result)).not.toContain('AIzaSyDd');
  });

  it('scrubs keys and tokens from messages', () => {
    const result = info(
      400,
      google(400, 'INVALID_ARGUMENT', 'Bad key AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI at https://x/y?key=secret&alt=sse'),
    );
    expect(result.message).toBe('Bad key AIza…[redacted] at https://x/y?key=[redacted]&alt=sse');
    expect(scrubSecrets('Bearer ya29.a0AfH6SMBx-token_value here')).toBe('Bearer ya29.…[redacted] here');
  });

  it('reads the array-wrapped body of the non-SSE stream endpoint', () => {
    expect(info(429, `[${google(429, 'RESOURCE_EXHAUSTED', 'Quota.')}]`)).toMatchObject({ code: 'resource_exhausted', message: 'Quota.' });
  });

  it('never shows a body that is not a Google error, and bounds the message', () => {
    expect(info(502, '<html><body>Bad gateway AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI</body></html>')).toEqual({
      status: 502,
      type: 'api_error',
      code: 'http_502',
      message: 'gemini returned HTTP 502',
      retryable: true,
    });
    expect(info(400, '{"error":"flat string"}').message).toBe('gemini returned HTTP 400');
    expect(info(400, google(400, 'INVALID_ARGUMENT', 'x'.repeat(5000))).message).toHaveLength(1000);
    expect(info(400, google(400, 'Not A Status\n', 'm')).code).toBe('http_400');
  });
});
