import { describe, expect, it } from 'vitest';
import { UpstreamNetworkError } from '../gateway/upstream/errors.js';
import { HttpError } from '../http/errors.js';
import { endpointLabel, modelLabel, providerLabel } from './gateway-metrics.js';
import { limitKind } from './http-metrics.js';
import { upstreamFailureKind } from './upstream-metrics.js';

describe('bounded labels', () => {
  it('endpoint: the route pattern, never a path the client chose', () => {
    expect(endpointLabel('/v1/chat/completions')).toBe('/v1/chat/completions');
    expect(endpointLabel('/v1/models/openai/gpt-5.4-mini')).toBe('/v1/models/:id');
    expect(endpointLabel('/v1/whatever-the-client-sent')).toBe('other');
  });

  it('provider: a known provider id, else none', () => {
    expect(providerLabel('anthropic')).toBe('anthropic');
    expect(providerLabel('evil-provider')).toBe('none');
    expect(providerLabel(null)).toBe('none');
  });

  it('model: the catalog id (from an alias, a provider prefix or the served model), else other', () => {
    expect(modelLabel('openai', 'gpt-5.4-mini', null)).toBe('gpt-5.4-mini');
    expect(modelLabel('openai', 'openai/GPT-5.4-MINI', null)).toBe('gpt-5.4-mini');
    expect(modelLabel('none', 'openai/gpt-5.4-mini', null)).toBe('gpt-5.4-mini');
    expect(modelLabel('anthropic', 'my-project-alias', 'claude-haiku-4-5')).toBe('claude-haiku-4-5');
    expect(modelLabel('openai-compatible', 'llama-from-my-basement', 'llama-from-my-basement')).toBe('other');
    expect(modelLabel('none', null, null)).toBe('other');
  });

  it('upstream failure kind: one of a fixed set', () => {
    const info = (status: number, extra: Record<string, string> = {}) => ({
      status,
      type: 'api_error',
      code: '',
      message: 'm',
      retryable: false,
      ...extra,
    });
    expect(upstreamFailureKind(new UpstreamNetworkError('timeout', 'h', 'm'))).toBe('timeout');
    expect(upstreamFailureKind(new UpstreamNetworkError('refused-address', 'h', 'm'))).toBe('refused_address');
    expect(upstreamFailureKind(info(429))).toBe('rate_limited');
    expect(upstreamFailureKind(info(403))).toBe('auth');
    expect(upstreamFailureKind(info(529, { type: 'overloaded_error' }))).toBe('overloaded');
    expect(upstreamFailureKind(info(502, { code: 'upstream_redirect' }))).toBe('redirect');
    expect(upstreamFailureKind(info(503))).toBe('server_error');
    expect(upstreamFailureKind(info(400))).toBe('client_error');
  });

  it('limit kind: our limits by their error code; a provider 429 is not ours', () => {
    const error = (status: 429 | 503, code: string) => new HttpError(status, 'rate_limit_error', code, 'm');
    expect(limitKind(429, error(429, 'rate_limit_exceeded'))).toBe('rate');
    expect(limitKind(429, error(429, 'usage_limit_exceeded'))).toBe('usage');
    expect(limitKind(503, error(503, 'usage_store_unavailable'))).toBe('usage_store_unavailable');
    expect(limitKind(429, error(429, 'upstream_rate_limited'))).toBeUndefined();
    expect(limitKind(429, undefined)).toBe('other');
    expect(limitKind(404, undefined)).toBeUndefined();
  });
});
