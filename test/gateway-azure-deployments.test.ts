/**
 * Azure deployments named freely by the operator (`prod-gpt`), declared on the provider key as
 * `options.deployments`: the official OpenAI SDK pointed at the gateway reaches the deployment's
 * path on the Azure fake, the request log carries the mapped catalog model's cost, spend limits can
 * price it, and /v1/models lists it. The fixture's own Azure key (no map) stays in the project, so
 * the tests also show that a declared deployment name is not sent to a key that never declared it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseBootstrapText, BootstrapDocumentError } from '../src/bootstrap/document.js';
import { computeCostMicroUsd } from '../src/providers/catalog/cost.js';
import { findModel } from '../src/providers/catalog/catalog.js';
import { renderModel } from '../src/gateway/models-list.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import { keyWithLimits } from './support/limits.js';
import { applyOrgDocument, waitForLog } from './support/resilience.js';
import { collect, onlyRequest, resetFakes, sdkClient } from './support/sdk.js';

const FIXTURE_TIMEOUT = 120_000;
const TEST_TIMEOUT = 30_000;
const MINI = findModel('azure-openai', 'gpt-5.4-mini')!;
const USAGE = { input: 1_200, output: 300, cached: 200 };
const EXPECTED_COST = computeCostMicroUsd(MINI.pricing, {
  inputTokens: 1_200,
  outputTokens: 300,
  cachedInputTokens: 200,
  cacheWriteInputTokens: 0,
  reasoningTokens: 0,
});

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture();
  await applyOrgDocument(fx, {
    providerKeys: [
      {
        provider: 'azure-openai',
        label: 'azure-prod',
        key: fx.azure.apiKey,
        baseUrl: fx.azure.baseUrl,
        options: { apiVersion: '2024-10-21', deployments: { 'prod-gpt': 'gpt-5.4-mini', embed: 'text-embedding-3-small' } },
      },
    ],
  });
}, FIXTURE_TIMEOUT);
afterAll(() => fx?.stop());
beforeEach(() => resetFakes(fx));

describe('Azure deployment maps through the gateway', () => {
  it(
    'azure-openai/prod-gpt reaches /openai/deployments/prod-gpt and is logged at the gpt-5.4-mini price',
    async () => {
      expect(EXPECTED_COST).toBeGreaterThan(0);
      fx.azure.reply({ text: 'from prod-gpt', model: 'gpt-5.4-mini-2026-03-17', usage: USAGE });
      const { data, response } = await sdkClient(fx)
        .chat.completions.create({ model: 'azure-openai/prod-gpt', messages: [{ role: 'user', content: 'Hi' }] })
        .withResponse();
      expect(data.choices[0]?.message.content).toBe('from prod-gpt');
      expect(response.headers.get('x-portcullis-provider')).toBe('azure-openai');
      const upstream = onlyRequest(fx.azure);
      expect(upstream.path).toBe('/openai/deployments/prod-gpt/chat/completions');
      expect(upstream.query.get('api-version')).toBe('2024-10-21');
      expect(upstream.headers['api-key']).toBe(fx.azure.apiKey);
      const log = await waitForLog(fx, response.headers.get('x-request-id')!);
      expect(log).toMatchObject({ status: 200, provider: 'azure-openai', costMicroUsd: EXPECTED_COST });
    },
    TEST_TIMEOUT,
  );

  it(
    'a streamed request to the bare deployment name is billed the same',
    async () => {
      fx.azure.reply({ text: 'streamed', usage: USAGE });
      const { data: stream, response } = await sdkClient(fx)
        .chat.completions.create({
          model: 'prod-gpt',
          messages: [{ role: 'user', content: 'Hi' }],
          stream: true,
          stream_options: { include_usage: true },
        })
        .withResponse();
      const chunks = await collect(stream);
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('streamed');
      expect(onlyRequest(fx.azure).path).toBe('/openai/deployments/prod-gpt/chat/completions');
      expect((await waitForLog(fx, response.headers.get('x-request-id')!)).costMicroUsd).toBe(EXPECTED_COST);
    },
    TEST_TIMEOUT,
  );

  it(
    'under a spend limit the deployment is priced (not refused as model_not_priced) and the reservation settles at its cost',
    async () => {
      const { token } = await keyWithLimits(fx, { usage: [{ metric: 'spend_usd', period: 'daily', limit: 5 }] });
      fx.azure.reply({ text: 'limited', usage: USAGE });
      const { response } = await sdkClient(fx, token)
        .chat.completions.create({ model: 'azure-openai/prod-gpt', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 500 })
        .withResponse();
      expect(onlyRequest(fx.azure).path).toBe('/openai/deployments/prod-gpt/chat/completions');
      expect(await waitForLog(fx, response.headers.get('x-request-id')!)).toMatchObject({
        costMicroUsd: EXPECTED_COST,
        usageCounted: true,
      });
    },
    TEST_TIMEOUT,
  );

  it(
    'embeddings go to the embedding deployment',
    async () => {
      const { response } = await sdkClient(fx).embeddings.create({ model: 'azure-openai/embed', input: 'hello' }).withResponse();
      expect(onlyRequest(fx.azure).path).toBe('/openai/deployments/embed/embeddings');
      expect((await waitForLog(fx, response.headers.get('x-request-id')!)).costMicroUsd).not.toBeNull();
    },
    TEST_TIMEOUT,
  );

  it(
    '/v1/models lists each deployment with its model’s metadata and pricing, and retrieves it',
    async () => {
      const client = sdkClient(fx);
      const listed = (await client.models.list()).data as unknown as Record<string, unknown>[];
      const prod = listed.find((m) => m.id === 'azure-openai/prod-gpt');
      const expected = renderModel({ ...MINI, id: 'prod-gpt' });
      expect(prod).toEqual(expected);
      expect(listed.find((m) => m.id === 'azure-openai/embed')).toMatchObject({ mode: 'embedding', owned_by: 'azure-openai' });
      // The fixture's key without a map still reaches every Azure catalog model.
      expect(listed.some((m) => m.id === 'azure-openai/gpt-5.5')).toBe(true);
      expect(await client.models.retrieve('azure-openai/prod-gpt')).toEqual(expected);
    },
    TEST_TIMEOUT,
  );
});

describe('declaring deployments', () => {
  const doc = (deployments: unknown) =>
    JSON.stringify({
      orgs: [
        {
          name: 'acme',
          providerKeys: [{ provider: 'azure-openai', key: 'k', baseUrl: 'https://acme.openai.azure.com', options: { deployments } }],
        },
      ],
    });

  it('a bootstrap file is held to the api’s rules (charset, catalog model)', () => {
    expect(parseBootstrapText(doc({ 'prod-gpt': 'gpt-5.4-mini' }), 'ok.json').orgs[0]!.providerKeys[0]!.options).toEqual({
      deployments: { 'prod-gpt': 'gpt-5.4-mini' },
    });
    for (const [deployments, message] of [
      [{ 'prod gpt': 'gpt-5.4-mini' }, /providerKeys\[0\]\.options \(org "acme"\): deployments: must map deployment names/],
      [
        { 'prod-gpt': 'gpt-9-imaginary' },
        /providerKeys\[0\]\.options \(org "acme"\): deployments: prod-gpt maps to a model the catalog does not list/,
      ],
    ] as const) {
      let thrown: unknown;
      try {
        parseBootstrapText(doc(deployments), 'bad.json');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(BootstrapDocumentError);
      expect((thrown as BootstrapDocumentError).problems.join('\n')).toMatch(message);
    }
  });
});
