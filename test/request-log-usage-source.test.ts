/**
 * Every request log row says who produced its token counts (request_logs.usage_source): the
 * provider's usage report, or the gateway's count of what a cut stream delivered; none for rows
 * without usage. Checked on the stored row and through the api (list, one row, CSV export), which
 * is where an auditor reconciling a bill against the provider's invoice reads it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiClient, mintToken, type ApiClient } from './support/api.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import { waitForLog } from './support/resilience.js';

const CHAT = '/v1/chat/completions';
const MODEL = 'openai/gpt-5.4-mini';
const ANSWER = 'The keeper lit every lamp along the coast, one after another, until dawn. '.repeat(4);

type LogView = { id: string; requestId: string; status: number; inputTokens: number | null; usageSource: string | null };

let fx: GatewayFixture;
let owner: ApiClient;

async function send(body: Record<string, unknown>, label: string): Promise<{ id: string; status: number; cache: string | null }> {
  const id = `${label}-${randomUUID()}`;
  const response = await fetch(`${fx.gatewayUrl}${CHAT}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fx.apiKey}`, 'content-type': 'application/json', 'x-request-id': id },
    body: JSON.stringify(body),
  });
  // Read to the end (a cut stream ends with an error frame): the log is finished when the stream is.
  await response.text().catch(() => '');
  return { id, status: response.status, cache: response.headers.get('x-portcullis-cache') };
}

const chat = (content: string, stream = false) => ({ model: MODEL, messages: [{ role: 'user', content }], stream });

async function listed(requestId: string): Promise<LogView> {
  const list = await owner.get<{ requestLogs: LogView[] }>(`/api/orgs/${fx.orgId}/request-logs?requestId=${encodeURIComponent(requestId)}`);
  expect(list.status, list.text).toBe(200);
  expect(list.body.requestLogs).toHaveLength(1);
  return list.body.requestLogs[0]!;
}

beforeAll(async () => {
  fx = await startGatewayFixture({ withApi: true, projectSettings: { cache: { enabled: true, ttlSeconds: 600 } } });
  const base = { orgId: fx.orgId, orgName: fx.orgName, projectId: '', testProjectId: '', memberId: '' };
  owner = apiClient(fx.server, await mintToken(fx.server, base, 'owner'));
}, 120_000);

afterAll(async () => fx?.stop());

beforeEach(() => fx.openai.reset());

describe('request_logs.usage_source', { timeout: 60_000 }, () => {
  it("a non-streamed answer is 'provider'; the same request answered from the cache has no usage and no source", async () => {
    const prompt = `cache me ${randomUUID()}`;
    fx.openai.reply({ text: 'cached answer', usage: { input: 21, output: 4 } });
    const miss = await send(chat(prompt), 'json');
    expect(miss).toMatchObject({ status: 200, cache: 'MISS' });
    expect(await waitForLog(fx, miss.id)).toMatchObject({ inputTokens: 21, outputTokens: 4, usageSource: 'provider' });

    const hit = await send(chat(prompt), 'hit');
    expect(hit).toMatchObject({ status: 200, cache: 'HIT' });
    expect(await waitForLog(fx, hit.id)).toMatchObject({ cacheStatus: 'hit', inputTokens: null, usageSource: null });
  });

  it("a completed stream is 'provider'; a stream cut before the provider's usage is 'gateway'", async () => {
    fx.openai.reply({ text: ANSWER, usage: { input: 999, output: 5000 } });
    const complete = await send(chat(`complete ${randomUUID()}`, true), 'complete');
    expect(await waitForLog(fx, complete.id)).toMatchObject({ status: 200, outputTokens: 5000, usageSource: 'provider' });

    fx.openai.reply({ text: ANSWER, chunks: 10, usage: { input: 999, output: 5000 } });
    fx.openai.fail({ kind: 'die-mid-stream', afterEvents: 6 });
    const cut = await send(chat(`cut ${randomUUID()}`, true), 'cut');
    const row = await waitForLog(fx, cut.id);
    expect(row).toMatchObject({ status: 502, errorCode: 'upstream_stream_cut', usageSource: 'gateway' });
    // The counted figure, not the provider's (which never arrived).
    expect(row.outputTokens).toBeGreaterThan(0);
    expect(row.outputTokens).toBeLessThan(5000);
  });

  it('a refused request has no usage and no source', async () => {
    const refused = await send({ model: MODEL, messages: 'not a list' }, 'refused');
    expect(refused.status).toBe(400);
    expect(await waitForLog(fx, refused.id)).toMatchObject({ status: 400, inputTokens: null, usageSource: null });
    expect(fx.openai.requests).toHaveLength(0);
  });

  it('the api lists it, shows it on one row and exports it as the last CSV column', async () => {
    fx.openai.reply({ text: 'listed answer', usage: { input: 8, output: 3 } });
    const answered = await send(chat(`listed ${randomUUID()}`), 'listed');
    fx.openai.reply({ text: ANSWER, chunks: 10, usage: { input: 999, output: 5000 } });
    fx.openai.fail({ kind: 'die-mid-stream', afterEvents: 6 });
    const cut = await send(chat(`listed cut ${randomUUID()}`, true), 'listed-cut');
    const refused = await send({ model: MODEL, messages: 'not a list' }, 'listed-refused');
    await Promise.all([answered, cut, refused].map((r) => waitForLog(fx, r.id)));

    expect(await listed(answered.id)).toMatchObject({ status: 200, usageSource: 'provider' });
    const cutView = await listed(cut.id);
    expect(cutView).toMatchObject({ status: 502, usageSource: 'gateway' });
    const refusedView = await listed(refused.id);
    expect(refusedView).toMatchObject({ status: 400, usageSource: null });

    const one = await owner.get<{ requestLog: LogView }>(`/api/orgs/${fx.orgId}/request-logs/${cutView.id}`);
    expect(one.status, one.text).toBe(200);
    expect(one.body.requestLog.usageSource).toBe('gateway');

    const csv = await owner.get(`/api/orgs/${fx.orgId}/request-logs/export?format=csv`);
    expect(csv.status).toBe(200);
    const [header, ...records] = csv.text.trimEnd().split('\r\n');
    expect(header!.split(',').at(-1)).toBe('usage_source');
    const lastCell = (requestId: string) =>
      records
        .find((line) => line.includes(`,${requestId},`))
        ?.split(',')
        .at(-1);
    expect(lastCell(answered.id)).toBe('provider');
    expect(lastCell(cut.id)).toBe('gateway');
    expect(lastCell(refused.id)).toBe('');
  });
});
