/**
 * The model catalog through the management api: every catalog model with capabilities, context
 * window and prices; with `projectId`, exactly what the gateway's GET /v1/models lists for that
 * project's keys (providers it has keys for, narrowed by the project's allowedModels).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allModels } from '../src/providers/catalog/catalog.js';
import { apiClient, createOrg, mintToken, type ApiClient, type TestOrg } from './support/api.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';

type ModelView = {
  id: string;
  provider: string;
  model: string;
  mode: string;
  contextWindow: number;
  maxOutputTokens: number;
  capabilities: string[];
  pricing: { inputPerMTok: number; outputPerMTok: number | null; currency: string };
  deprecated: boolean;
};
type ModelList = { models: ModelView[] };

const ALLOWED = ['openai/gpt-5.4-mini', 'claude-haiku-4-5'];

let fx: GatewayFixture;
let viewer: ApiClient;
let otherOwner: ApiClient;
let other: TestOrg;
let projectId: string;

beforeAll(async () => {
  fx = await startGatewayFixture({ withApi: true, projectSettings: { allowedModels: ALLOWED } });
  const org = { orgId: fx.orgId, orgName: fx.orgName, projectId: '', testProjectId: '', memberId: '' };
  viewer = apiClient(fx.server, await mintToken(fx.server, org, 'viewer'));
  other = await createOrg(fx.server, 'models-other');
  otherOwner = apiClient(fx.server, await mintToken(fx.server, other, 'owner'));
  const projects = await viewer.get<{ projects: { id: string; name: string }[] }>(`/api/orgs/${fx.orgId}/projects`);
  projectId = projects.body.projects.find((p) => p.name === 'app')!.id;
}, 120_000);

afterAll(async () => fx?.stop());

describe('GET /api/orgs/:orgId/models', () => {
  it('lists the whole catalog with capabilities, context window and prices', async () => {
    const list = await viewer.get<ModelList>(`/api/orgs/${fx.orgId}/models`);
    expect(list.status, list.text).toBe(200);
    expect(list.body.models).toHaveLength(allModels().length);
    const mini = list.body.models.find((m) => m.id === 'openai/gpt-5.4-mini')!;
    expect(mini).toMatchObject({ provider: 'openai', model: 'gpt-5.4-mini', mode: 'chat', deprecated: expect.any(Boolean) });
    expect(mini.contextWindow).toBeGreaterThan(0);
    expect(mini.capabilities.length).toBeGreaterThan(0);
    expect(mini.pricing.inputPerMTok).toBeGreaterThan(0);
    expect(mini.pricing.currency).toBe('USD');
  });

  it('with projectId, lists only what the project may use: the same models as the gateway’s /v1/models', async () => {
    const list = await viewer.get<ModelList>(`/api/orgs/${fx.orgId}/models?projectId=${projectId}`);
    expect(list.status, list.text).toBe(200);
    const ids = list.body.models.map((m) => m.id).sort();
    expect(ids).toContain('openai/gpt-5.4-mini');
    expect(ids).toContain('anthropic/claude-haiku-4-5');
    expect(ids.every((id) => ALLOWED.some((allowed) => id === allowed || id.endsWith(`/${allowed}`)))).toBe(true);
    const gateway = await fetch(`${fx.gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${fx.apiKey}` } });
    const served = (await gateway.json()) as { data: { id: string; owned_by: string }[] };
    expect(ids).toEqual(
      served.data
        .filter((m) => m.owned_by !== 'portcullis')
        .map((m) => m.id)
        .sort(),
    );
  });

  it('answers 404 for another org, another org’s project, or a project that does not exist', async () => {
    expect((await otherOwner.get(`/api/orgs/${fx.orgId}/models`)).status).toBe(404);
    const foreign = await otherOwner.get(`/api/orgs/${other.orgId}/models?projectId=${projectId}`);
    expect(foreign.status).toBe(404);
    expect(foreign.error?.code).toBe('project_not_found');
    expect((await viewer.get(`/api/orgs/${fx.orgId}/models?projectId=${randomUUID()}`)).status).toBe(404);
    expect((await viewer.get(`/api/orgs/${fx.orgId}/models?projectId=nope`)).status).toBe(400);
  });
});
