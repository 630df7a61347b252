import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from './index.js';

const info = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  anthropicAdapter.errorInfo(status, new Headers(headers), typeof body === 'string' ? body : JSON.stringify(body));
const anthropicError = (type: string, message: string) => ({ type: 'error', error: { type, message } });

describe('anthropic errorInfo', () => {
  it.each([
    [400, 'invalid_request_error', false],
    [401, 'authentication_error', false],
    [403, 'permission_error', false],
    [404, 'not_found_error', false],
    [413, 'request_too_large', false],
    [429, 'rate_limit_error', true],
    [500, 'api_error', true],
    [502, 'api_error', true],
    [503, 'api_error', true],
    [504, 'timeout_error', true],
    [529, 'overloaded_error', true],
  ])('status %d with type %s: retryable %s', (status, type, retryable) => {
    const result = info(status, anthropicError(type, 'Something happened.'));
    expect(result).toEqual({ status, type, code: type, message: 'Something happened.', retryable });
  });

  it('treats overloaded_error as retryable whatever the status', () => {
    expect(info(400, anthropicError('overloaded_error', 'busy')).retryable).toBe(true);
  });

  it('uses the machine-readable error code of newer API versions', () => {
    const body = {
      type: 'error',
      error: { type: 'invalid_request_error', message: 'too big', details: { error_code: 'image_dimensions_too_large' } },
    };
    expect(info(400, body).code).toBe('image_dimensions_too_large');
  });

  it.each([
    ['an HTML page', '<html>502 Bad Gateway</html>', 502, 'api_error'],
    ['an empty body', '', 429, 'rate_limit_error'],
    ['an OpenAI-shaped body', { error: 'nope' }, 401, 'authentication_error'],
    ['an unusual status', '{}', 418, 'invalid_request_error'],
  ])('falls back to the status for %s', (_name, body, status, type) => {
    expect(info(status, body)).toMatchObject({ status, type, code: type, message: `anthropic returned HTTP ${status}` });
  });

  it('never returns anything that looks like a key', () => {
    const message = 'invalid x-api-key: sk-ant-api03-AbC_dEf-123 (also Bearer abc.def and sk-proj-1234567890abcdefghij)';
    const result = info(401, anthropicError('authentication_error', message));
    expect(result.message).toBe('invalid x-api-key: [redacted] (also [redacted] and [redacted])');
    expect(result.message).not.toMatch(/sk-/);
  });

  it('strips control characters and bounds the length', () => {
    const result = info(400, anthropicError('invalid_request_error', `line1\nline2\u0000${'x'.repeat(1000)}`));
    expect(result.message.startsWith('line1 line2 ')).toBe(true);
    expect(result.message.length).toBeLessThanOrEqual(501);
  });

  it.each([
    [{ 'retry-after': '12' }, 12],
    [{ 'retry-after-ms': '1500', 'retry-after': '9' }, 1.5],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('reads retry-after from %j', (headers, seconds) => {
    expect(info(429, anthropicError('rate_limit_error', 'slow down'), headers).retryAfterSeconds).toBe(seconds);
  });

  it('reads an HTTP-date retry-after', () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    const seconds = info(429, anthropicError('rate_limit_error', 'x'), { 'retry-after': at }).retryAfterSeconds!;
    expect(seconds).toBeGreaterThan(25);
    expect(seconds).toBeLessThanOrEqual(30);
  });
});
