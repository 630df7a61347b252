import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../gateway/canonical/types.js';
import { AZURE_DEFAULT_API_VERSION, azureOpenaiAdapter } from './index.js';

const request: ChatRequest = { model: 'x', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false };
const target = (baseUrl = 'https://contoso.openai.azure.com', options: Record<string, unknown> = {}) => ({
  baseUrl,
  apiKey: '0123456789abcdef0123456789abcdef',
  model: 'my gpt-4o',
  options,
});

describe('Azure OpenAI', () => {
  it('chat goes to the deployment path with the default GA api-version and an api-key header', () => {
    const req = azureOpenaiAdapter.chatRequest(request, target());
    expect(AZURE_DEFAULT_API_VERSION).toBe('2024-10-21');
    expect(req.url).toBe('https://contoso.openai.azure.com/openai/deployments/my%20gpt-4o/chat/completions?api-version=2024-10-21');
    expect(req.headers).toEqual({ 'content-type': 'application/json', 'api-key': '0123456789abcdef0123456789abcdef' });
    expect(req.headers).not.toHaveProperty('authorization');
  });

  it('honours options.apiVersion, and the v1 surface', () => {
    expect(azureOpenaiAdapter.chatRequest(request, target(undefined, { apiVersion: '2025-04-01-preview' })).url).toBe(
      'https://contoso.openai.azure.com/openai/deployments/my%20gpt-4o/chat/completions?api-version=2025-04-01-preview',
    );
    const v1 = azureOpenaiAdapter.chatRequest(request, target(undefined, { apiVersion: 'v1' }));
    expect(v1.url).toBe('https://contoso.openai.azure.com/openai/v1/chat/completions');
    expect(JSON.parse(v1.body!).model).toBe('my gpt-4o');
  });

  it.each([['2024-10-21&x=1'], ['../../x'], [42]])('refuses a malformed apiVersion %j', (apiVersion) => {
    expect(() => azureOpenaiAdapter.chatRequest(request, target(undefined, { apiVersion }))).toThrow(/apiVersion/);
  });

  it.each(['https://contoso.openai.azure.com/', 'https://contoso.openai.azure.com/openai', 'https://contoso.openai.azure.com/openai/v1/'])(
    'accepts the base URL %s as stored from the portal',
    (baseUrl) => {
      expect(azureOpenaiAdapter.chatRequest(request, target(baseUrl)).url).toMatch(
        /^https:\/\/contoso\.openai\.azure\.com\/openai\/deployments\//,
      );
    },
  );

  it('embeddings use the deployment path too', () => {
    const req = azureOpenaiAdapter.embeddingsRequest!({ model: 'x', input: ['a'] }, target());
    expect(req.url).toBe('https://contoso.openai.azure.com/openai/deployments/my%20gpt-4o/embeddings?api-version=2024-10-21');
    expect(req.headers['api-key']).toBeDefined();
  });

  it('the Responses API passthrough goes to the GA v1 path with the deployment as model', () => {
    const req = azureOpenaiAdapter.passthroughRequest!({
      format: 'openai-responses',
      body: { model: 'alias', input: 'Hi' },
      target: target(),
      stream: false,
    });
    expect(req.url).toBe('https://contoso.openai.azure.com/openai/v1/responses');
    expect(JSON.parse(req.body!)).toEqual({ model: 'my gpt-4o', input: 'Hi' });
    expect(req.headers['api-key']).toBe('0123456789abcdef0123456789abcdef');
  });

  it('chat passthrough uses the deployment path and forces streamed usage', () => {
    const req = azureOpenaiAdapter.passthroughRequest!({
      format: 'openai-chat',
      body: { model: 'alias', messages: [], stream: true },
      target: target(),
      stream: true,
    });
    expect(req.url).toContain('/openai/deployments/my%20gpt-4o/chat/completions?api-version=');
    expect(JSON.parse(req.body!).stream_options).toEqual({ include_usage: true });
  });

  it('capabilities and identity', () => {
    expect(azureOpenaiAdapter.id).toBe('azure-openai');
    expect(azureOpenaiAdapter.defaultBaseUrl).toBeUndefined();
    expect(azureOpenaiAdapter.capabilities).toEqual({
      native: ['openai-chat', 'openai-responses'],
      embeddings: true,
      countTokens: false,
      maxChoices: 128,
    });
  });

  it('Azure error bodies (code as a string, no type) are read and the key never shown', () => {
    const info = azureOpenaiAdapter.errorInfo(
      401,
      new Headers(),
      JSON.stringify({
        error: { code: '401', message: 'Access denied due to invalid subscription key 0123456789abcdef0123456789abcdef.' },
      }),
    );
    expect(info).toMatchObject({ status: 401, code: '401', type: 'authentication_error', retryable: false });
    expect(info.message).not.toContain('0123456789abcdef');
  });
});
