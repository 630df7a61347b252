/**
 * The fake itself must refuse what the real API refuses, or round-trip tests prove nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from './openai.js';

let openai: FakeOpenAI;
let azure: FakeOpenAI;

beforeAll(async () => {
  openai = await startFakeOpenAI();
  azure = await startFakeOpenAI({ flavour: 'azure', apiKey: 'azure-key' });
});
afterAll(async () => {
  await openai.close();
  await azure.close();
});

async function post(url: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { error?: { message: string; code: string | null; param?: string | null } } };
}

const auth = () => ({ authorization: `Bearer ${openai.apiKey}` });
const chat = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] };

describe('fake OpenAI validation', () => {
  it('401 without a key, and with a wrong key (quoted masked)', async () => {
    expect((await post(`${openai.baseUrl}/chat/completions`, chat, {})).status).toBe(401);
    const wrong = await post(`${openai.baseUrl}/chat/completions`, chat, { authorization: 'Bearer sk-nope-abcdefghijklmnop' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toBe('invalid_api_key');
    expect(wrong.body.error?.message).toMatch(/sk-nop\*+mnop/);
  });

  it.each([
    [{ messages: chat.messages }, 'model'],
    [{ model: 'gpt-4o' }, 'messages'],
    [{ ...chat, messages: [{ role: 'user' }] }, 'messages[0].content'],
    [{ ...chat, messages: [{ role: 'tool', tool_call_id: 'x', content: 'r' }] }, 'messages[0].role'],
    [{ ...chat, stream_options: { include_usage: true } }, 'stream_options'],
    [{ ...chat, metadata: { a: 'b' } }, 'metadata'],
  ])('400 for %j (param %s)', async (body, param) => {
    const res = await post(`${openai.baseUrl}/chat/completions`, body, auth());
    expect(res.status).toBe(400);
    expect(res.body.error?.param).toBe(param);
  });

  it('responses and embeddings need model and input', async () => {
    expect((await post(`${openai.baseUrl}/responses`, { input: 'x' }, auth())).status).toBe(400);
    expect((await post(`${openai.baseUrl}/responses`, { model: 'gpt-4o' }, auth())).status).toBe(400);
    expect((await post(`${openai.baseUrl}/embeddings`, { model: 'e' }, auth())).status).toBe(400);
  });

  it('lists models', async () => {
    const res = await fetch(`${openai.baseUrl}/models`, { headers: auth() });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    expect((await fetch(`${openai.baseUrl}/models`)).status).toBe(401);
  });

  it('Azure: api-version is required on deployment paths, and the key goes in api-key', async () => {
    const path = `${azure.baseUrl}/openai/deployments/d1/chat/completions`;
    expect((await post(path, chat, { 'api-key': 'azure-key' })).status).toBe(404);
    expect((await post(`${path}?api-version=2024-10-21`, chat, { 'api-key': 'azure-key' })).status).toBe(200);
    expect((await post(`${path}?api-version=2024-10-21`, chat, { authorization: 'Bearer azure-key' })).status).toBe(401);
    expect((await post(`${azure.baseUrl}/openai/v1/responses`, { model: 'd1', input: 'x' }, { 'api-key': 'azure-key' })).status).toBe(200);
  });
});
