import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeEmbedding, startFakeOpenAI, type FakeOpenAI } from '../../../test/fakes/openai.js';
import { decodeStream, readSse, send } from '../../../test/fakes/openai-client.js';
import type { ChatRequest } from '../../gateway/canonical/types.js';
import type { UpstreamTarget } from '../types.js';
import { azureOpenaiAdapter } from './index.js';

let fake: FakeOpenAI;
let target: UpstreamTarget;

beforeAll(async () => {
  fake = await startFakeOpenAI({ flavour: 'azure', apiKey: '0123456789abcdef0123456789abcdef' });
  target = { baseUrl: fake.baseUrl, apiKey: fake.apiKey, model: 'prod-gpt4o', options: {} };
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const request: ChatRequest = { model: 'alias', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false };

describe('Azure OpenAI round trips through the fake', () => {
  it('chat on the deployment path with api-version and api-key', async () => {
    fake.reply({ text: 'Hi from Azure', model: 'gpt-4o-2024-11-20', usage: { input: 9, output: 4, cached: 3 } });
    const res = await send(azureOpenaiAdapter.chatRequest(request, target));
    expect(res.status).toBe(200);
    const out = azureOpenaiAdapter.chatResponse(await res.json());
    expect(out.model).toBe('gpt-4o-2024-11-20');
    expect(out.usage).toMatchObject({ inputTokens: 9, outputTokens: 4, cachedInputTokens: 3 });
    const recorded = fake.requests[0]!;
    expect(recorded.path).toBe('/openai/deployments/prod-gpt4o/chat/completions');
    expect(recorded.query.get('api-version')).toBe('2024-10-21');
    expect(recorded.headers['api-key']).toBe(fake.apiKey);
    expect(recorded.headers.authorization).toBeUndefined();
  });

  it('streams past the prompt-filter chunk Azure sends first', async () => {
    fake.reply({ text: 'Streamed', model: 'gpt-4o-2024-11-20' });
    const res = await send(azureOpenaiAdapter.chatRequest({ ...request, stream: true }, target));
    const events = await decodeStream(res, azureOpenaiAdapter.chatStreamDecoder());
    expect(events[0]).toMatchObject({ type: 'start', model: 'gpt-4o-2024-11-20' });
    expect(events.flatMap((e) => (e.type === 'text_delta' ? [e.text] : [])).join('')).toBe('Streamed');
    expect(events.at(-1)).toMatchObject({ type: 'usage' });
  });

  it('chat passthrough: the observer reports the real model, not the empty prompt-filter one', async () => {
    const body = { model: 'alias', messages: [{ role: 'user', content: 'Hi' }], stream: true };
    fake.reply({ text: 'x', model: 'gpt-4o-2024-11-20' });
    const res = await send(azureOpenaiAdapter.passthroughRequest!({ format: 'openai-chat', body, target, stream: true }));
    const observer = azureOpenaiAdapter.passthroughStreamObserver!('openai-chat', { clientWantsUsage: false });
    const { events } = await readSse(res);
    const forwarded = events.filter((e) => observer.observe(e).forward);
    // The prompt-filter chunk has no usage and is forwarded; only the usage chunk is hidden.
    expect(events.length - forwarded.length).toBe(1);
    expect(observer.servedModel()).toBe('gpt-4o-2024-11-20');
    expect(observer.completed()).toBe(true);
  });

  it('embeddings on the deployment path', async () => {
    const res = await send(
      azureOpenaiAdapter.embeddingsRequest!({ model: 'x', input: ['a'], encodingFormat: 'base64', dimensions: 3 }, target),
    );
    expect(fake.requests[0]!.path).toBe('/openai/deployments/prod-gpt4o/embeddings');
    expect(azureOpenaiAdapter.embeddingsResponse!(await res.json()).data).toEqual([fakeEmbedding(0, 3)]);
  });

  it('Responses API on the v1 path with the deployment as model', async () => {
    fake.reply({ text: 'r', usage: { input: 4, output: 2 } });
    const res = await send(
      azureOpenaiAdapter.passthroughRequest!({ format: 'openai-responses', body: { model: 'alias', input: 'Hi' }, target, stream: false }),
    );
    expect(res.status).toBe(200);
    expect(fake.requests[0]!.path).toBe('/openai/v1/responses');
    expect((fake.requests[0]!.body as { model: string }).model).toBe('prod-gpt4o');
    expect(azureOpenaiAdapter.passthroughResponseUsage!('openai-responses', await res.json()).usage).toMatchObject({
      inputTokens: 4,
      outputTokens: 2,
    });
  });

  it('apiVersion v1 moves chat to the v1 surface', async () => {
    const res = await send(azureOpenaiAdapter.chatRequest(request, { ...target, options: { apiVersion: 'v1' } }));
    expect(res.status).toBe(200);
    expect(fake.requests[0]!.path).toBe('/openai/v1/chat/completions');
  });

  it('a wrong key: 401 with Azure’s body; the key never shows', async () => {
    const res = await send(azureOpenaiAdapter.chatRequest(request, { ...target, apiKey: 'ffffffffffffffffffffffffffffffff' }));
    expect(res.status).toBe(401);
    const info = azureOpenaiAdapter.errorInfo(res.status, res.headers, await res.text());
    expect(info).toMatchObject({ status: 401, retryable: false });
    expect(info.message).toContain('Access denied');
  });
});
