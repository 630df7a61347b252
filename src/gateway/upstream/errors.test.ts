import { describe, expect, it } from 'vitest';
import { UpstreamNetworkError, toUpstreamNetworkError } from './errors.js';
import { UnsafeUpstreamUrlError } from './ssrf.js';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('toUpstreamNetworkError', () => {
  it.each([
    ['ECONNREFUSED', 'connect'],
    ['ENOTFOUND', 'connect'],
    ['EAI_AGAIN', 'connect'],
    ['EHOSTUNREACH', 'connect'],
    ['UND_ERR_CONNECT_TIMEOUT', 'connect'],
    ['CERT_HAS_EXPIRED', 'connect'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'connect'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'connect'],
    ['ETIMEDOUT', 'timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'timeout'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['UND_ERR_SOCKET', 'reset'],
    ['HPE_INVALID_CONSTANT', 'reset'],
  ] as const)('maps %s to %s', (code, kind) => {
    const error = toUpstreamNetworkError(withCode(`${code} raw detail with Bearer sk-leak`, code), 'api.example.com');
    expect(error.kind).toBe(kind);
    expect(error.code).toBe(code);
    expect(error.host).toBe('api.example.com');
    expect(error.message).toContain('api.example.com');
    expect(error.message).not.toContain('sk-leak');
  });

  it('finds an SSRF refusal inside a cause chain or an AggregateError (Happy Eyeballs)', () => {
    const refusal = new UnsafeUpstreamUrlError('evil.example', 'resolves to a cloud metadata endpoint', 'metadata', '169.254.169.254');
    for (const wrapped of [
      refusal,
      new Error('connect failed', { cause: refusal }),
      new AggregateError([withCode('x', 'ECONNREFUSED'), refusal]),
    ]) {
      const error = toUpstreamNetworkError(wrapped, 'evil.example');
      expect(error.kind).toBe('refused-address');
      expect(error.message).toBe(refusal.message);
    }
  });

  it('takes the code of the first member of an AggregateError', () => {
    const error = toUpstreamNetworkError(new AggregateError([withCode('a', 'ECONNREFUSED'), withCode('b', 'ENETUNREACH')]), 'h');
    expect(error.kind).toBe('connect');
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('returns an UpstreamNetworkError unchanged', () => {
    const original = new UpstreamNetworkError('aborted', 'h', 'Request to h was cancelled');
    expect(toUpstreamNetworkError(original, 'other')).toBe(original);
  });

  it('rethrows programming errors instead of disguising them as network trouble', () => {
    const bug = withCode('invalid content-type header', 'UND_ERR_INVALID_ARG');
    expect(() => toUpstreamNetworkError(bug, 'h')).toThrow(bug);
  });

  it('treats an unknown failure as a reset', () => {
    expect(toUpstreamNetworkError(new Error('weird'), 'h').kind).toBe('reset');
  });
});
