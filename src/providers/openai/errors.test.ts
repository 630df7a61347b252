import { describe, expect, it } from 'vitest';
import { openAiErrorInfo, retryAfterSeconds, scrubSecrets, streamErrorEvent } from './errors.js';
import { openaiAdapter } from './index.js';

const body = (message: string, type: string, code: string | null, param: string | null = null) =>
  JSON.stringify({ error: { message, type, param, code } });

describe('OpenAI error mapping', () => {
  it.each([
    [
      400,
      body("Invalid value for 'temperature'.", 'invalid_request_error', 'invalid_value', 'temperature'),
      false,
      'invalid_request_error',
      'invalid_value',
    ],
    [
      401,
      body(
        'Incorrect API key provided: sk-proj-********************abcd. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_request_error',
        'invalid_api_key',
      ),
      false,
      'invalid_request_error',
      'invalid_api_key',
    ],
    [
      403,
      body('Project does not have access to model', 'invalid_request_error', 'model_not_found'),
      false,
      'invalid_request_error',
      'model_not_found',
    ],
    [
      404,
      body('The model `gpt-9` does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found'),
      false,
      'invalid_request_error',
      'model_not_found',
    ],
    [408, '', true, 'timeout_error', 'timeout_error'],
    [409, '', true, 'conflict_error', 'conflict_error'],
    [429, body('Rate limit reached for gpt-4o', 'requests', 'rate_limit_exceeded'), true, 'requests', 'rate_limit_exceeded'],
    [500, body('The server had an error while processing your request.', 'server_error', null), true, 'server_error', 'server_error'],
    [503, 'upstream connect error', true, 'api_error', 'api_error'],
  ])('status %i → retryable %s', (status, text, retryable, type, code) => {
    const info = openaiAdapter.errorInfo(status, new Headers(), text);
    expect(info).toMatchObject({ status, retryable, type, code });
    expect(info.message).not.toMatch(/sk-/);
  });

  it('keeps the provider message but scrubs the quoted key', () => {
    const info = openAiErrorInfo(
      401,
      new Headers(),
      body(
        'Incorrect API key provided: sk-proj-abc********************wxyz. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_request_error',
        'invalid_api_key',
      ),
    );
    expect(info.message).toBe(
      'Incorrect API key provided: [redacted]. You can find your API key at https://platform.openai.com/account/api-keys.',
    );
  });

  it('reads retry-after-ms before retry-after, and HTTP dates', () => {
    expect(openAiErrorInfo(429, new Headers({ 'retry-after': '20', 'retry-after-ms': '1500' }), '').retryAfterSeconds).toBe(1.5);
    expect(openAiErrorInfo(429, new Headers({ 'retry-after': '20' }), '').retryAfterSeconds).toBe(20);
    expect(retryAfterSeconds(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4_000)).toBe(6);
    expect(openAiErrorInfo(429, new Headers({ 'retry-after': 'soon' }), '').retryAfterSeconds).toBeUndefined();
    expect(openAiErrorInfo(500, new Headers(), '')).not.toHaveProperty('retryAfterSeconds');
  });

  it('reads the other shapes compatible servers use', () => {
    expect(
      openAiErrorInfo(400, new Headers(), JSON.stringify({ object: 'error', message: 'bad', type: 'invalid_request_error', code: null }))
        .message,
    ).toBe('bad');
    expect(openAiErrorInfo(400, new Headers(), JSON.stringify({ error: 'model not loaded' })).message).toBe('model not loaded');
    // FastAPI validation errors (Mistral 422): locations and messages, never the echoed input.
    const detail = openAiErrorInfo(
      422,
      new Headers(),
      JSON.stringify({
        detail: [
          { type: 'extra_forbidden', loc: ['body', 'stream_options'], msg: 'Extra inputs are not permitted', input: 'SECRET PROMPT' },
        ],
      }),
    );
    expect(detail.message).toBe('body.stream_options: Extra inputs are not permitted');
    expect(detail.code).toBe('invalid_request_error');
  });

  it('keeps identifier-shaped codes and replaces a sentence in `code` (xAI) with the type', () => {
    const xai = openAiErrorInfo(
      400,
      new Headers(),
      JSON.stringify({ code: 'Client specified an invalid argument', error: 'Argument not supported on this model: stop' }),
    );
    expect(xai).toMatchObject({ code: 'invalid_request_error', message: 'Argument not supported on this model: stop' });
    const numeric = openAiErrorInfo(404, new Headers(), JSON.stringify({ error: { message: 'no such model', code: 404 } }));
    expect(numeric.code).toBe('404');
    const named = openAiErrorInfo(400, new Headers(), JSON.stringify({ error: { message: 'too long', code: 'context_length_exceeded' } }));
    expect(named.code).toBe('context_length_exceeded');
    const keyInCode = openAiErrorInfo(401, new Headers(), JSON.stringify({ error: { message: 'no', code: 'sk-proj-abcdefghijklmnop' } }));
    expect(keyInCode.code).toBe('authentication_error');
    expect(streamErrorEvent({ message: 'overloaded', code: 'The service is currently unavailable' })).toMatchObject({
      code: 'upstream_error',
    });
    expect(streamErrorEvent({ message: 'overloaded', type: 'server_error' })).toMatchObject({ code: 'server_error' });
  });

  it('falls back to a generic message for a body it cannot read', () => {
    expect(openAiErrorInfo(502, new Headers(), '<html>Bad gateway</html>').message).toBe('Upstream request failed with status 502');
  });

  it('bounds the message and removes control characters', () => {
    const info = openAiErrorInfo(400, new Headers(), body(`a\u0000b ${'x '.repeat(3000)}`, 'invalid_request_error', null));
    expect(info.message.startsWith('a b')).toBe(true);
    expect(info.message.length).toBeLessThanOrEqual(1001);
  });

  it.each([
    ['sk-abcdef1234567890', '[redacted]'],
    ['key sk-proj-AbC_123-xyz used', 'key [redacted] used'],
    ['gsk_abcdefghijkl', '[redacted]'],
    ['xai-abcdefghijkl', '[redacted]'],
    ['Authorization: Bearer abcdefghijklmnop', 'Authorization: [redacted]'],
    ['azure key 0123456789abcdef0123456789abcdef rejected', 'azure key [redacted] rejected'],
    ['request id req_0123456789abcdef0123456789abcdef', 'request id req_0123456789abcdef0123456789abcdef'],
    ['the task-runner failed', 'the task-runner failed'],
  ])('scrubSecrets(%j) = %j', (input, expected) => {
    expect(scrubSecrets(input)).toBe(expected);
  });
});
