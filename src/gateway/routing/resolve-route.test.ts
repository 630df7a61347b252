/**
 * Routing decisions on a catalog built here, so that prices and providers are exactly what each
 * case needs (the shipped catalog rarely offers one bare model at several prices).
 */
import { describe, expect, it } from 'vitest';
import { guardrailPolicySchema } from '../../guardrails/engine/policy.js';
import type { CatalogModel } from '../../providers/catalog/catalog.js';
import type { ProviderId } from '../../providers/ids.js';
import type { UpstreamErrorInfo } from '../../providers/types.js';
import { parseOrgSettings, parseProjectSettings } from '../../tenancy/settings.js';
import type { ProjectContext, ProviderKeyRef } from '../context/project-context.js';
import { breakerKeyFor } from '../pipeline/attempts.js';
import { createCircuitBreakerRegistry } from '../upstream/circuit-breaker.js';
import { resolveRoute, type RouteOptions, type RoutingCatalog } from './resolve-route.js';

function model(provider: ProviderId, id: string, input: number, output: number, aliases?: string[]): CatalogModel {
  return {
    provider,
    id,
    ...(aliases ? { aliases } : {}),
    mode: 'chat',
    contextWindow: 128_000,
    maxOutputTokens: 8_192,
    capabilities: ['streaming'],
    pricing: { input, output },
  };
}

// One open-weights model served by three providers at three prices (per million tokens), listed
// here in neither price nor alphabetical order, so only a price sort can produce the cheap order.
const MODELS: CatalogModel[] = [
  model('together', 'shared-70b', 0.88, 0.88),
  model('groq', 'shared-70b', 0.59, 0.79),
  model('deepseek', 'shared-70b', 0.27, 1.1),
  model('openai', 'solo-mini', 0.25, 2),
  model('anthropic', 'solo-haiku', 1, 5),
  // One model on Azure and OpenAI (Azure cheaper here, so the order shows price, not listing), one
  // only OpenAI lists, and an embedding model.
  model('azure-openai', 'gpt-mini', 0.7, 4.5),
  model('openai', 'gpt-mini', 0.75, 4.5),
  model('openai', 'gpt-big', 5, 30),
  { ...model('openai', 'embed-small', 0.02, 0), mode: 'embedding' },
];

const catalog: RoutingCatalog = {
  providersOffering: (name) => MODELS.filter((m) => m.id === name || m.aliases?.includes(name)),
  find: (provider, name) => MODELS.find((m) => m.provider === provider && (m.id === name || m.aliases?.includes(name))),
};

const key = (provider: ProviderId, projectScoped = false): ProviderKeyRef => ({
  id: `${provider}-key${projectScoped ? '-project' : ''}`,
  provider,
  label: provider,
  baseUrl: null,
  options: {},
  projectScoped,
});

function context(
  options: { keys?: ProviderKeyRef[]; org?: Record<string, unknown>; project?: Record<string, unknown> } = {},
): ProjectContext {
  return {
    orgId: 'org',
    projectId: 'project',
    projectMode: 'live',
    plan: 'enterprise',
    orgSettings: parseOrgSettings('org', options.org ?? {}),
    projectSettings: parseProjectSettings('project', options.project ?? {}),
    providerKeys: options.keys ?? (['together', 'groq', 'deepseek', 'openai', 'anthropic'] as const).map((p) => key(p)),
    guardrails: { policy: guardrailPolicySchema.parse({}), customRules: [], version: '0.0' },
    orgDeletionScheduledFor: null,
  };
}

function route(requested: string, ctx: ProjectContext = context(), options: RouteOptions = {}): string[] {
  const result = resolveRoute(requested, ctx, catalog, { mode: 'chat', ...options });
  if (!result.ok) throw new Error(`refused: ${result.refusal.kind}`);
  return result.candidates.map((c) => `${c.provider}/${c.model}`);
}

function refusal(requested: string, ctx: ProjectContext, options: RouteOptions = {}) {
  const result = resolveRoute(requested, ctx, catalog, { mode: 'chat', ...options });
  return result.ok ? undefined : result.refusal.kind;
}

describe('resolveRoute', () => {
  it('routes a bare model name among its providers, cheapest (input + output price) first', () => {
    // deepseek 0.27 + 1.10 = 1.37 < groq 0.59 + 0.79 = 1.38 < together 0.88 + 0.88 = 1.76
    expect(route('shared-70b')).toEqual(['deepseek/shared-70b', 'groq/shared-70b', 'together/shared-70b']);
  });

  it('moves a provider whose circuit breaker is open behind the healthy ones, keeping price order otherwise', () => {
    let time = 1_000_000;
    const breakers = createCircuitBreakerRegistry({ failureThreshold: 2, openMs: 60_000, now: () => time });
    const serverError: UpstreamErrorInfo = { status: 503, type: 'api_error', code: '', message: 'down', retryable: true };
    // The predicate the gateway uses (pipeline/route-request.ts): healthy means a closed circuit.
    const healthy: RouteOptions['healthy'] = (c) => breakers.state(breakerKeyFor(c)) === 'closed';
    expect(route('shared-70b', context(), { healthy })[0]).toBe('deepseek/shared-70b');

    const deepseek = { provider: 'deepseek' as const, providerKey: key('deepseek') };
    breakers.recordFailure(breakerKeyFor(deepseek), serverError);
    breakers.recordFailure(breakerKeyFor(deepseek), serverError);
    expect(breakers.state(breakerKeyFor(deepseek))).toBe('open');
    expect(route('shared-70b', context(), { healthy })).toEqual(['groq/shared-70b', 'together/shared-70b', 'deepseek/shared-70b']);

    // Once its probe succeeds, the circuit closes and price order is back.
    time += 60_001;
    expect(breakers.canAttempt(breakerKeyFor(deepseek))).toBe(true);
    breakers.recordSuccess(breakerKeyFor(deepseek));
    expect(route('shared-70b', context(), { healthy })[0]).toBe('deepseek/shared-70b');
  });

  it('a pinned provider/model goes to that provider only, even when another serves it cheaper', () => {
    expect(route('together/shared-70b')).toEqual(['together/shared-70b']);
    expect(route('groq/shared-70b', context(), { healthy: () => false })).toEqual(['groq/shared-70b']);
  });

  it('an alias keeps its owner’s fallback order (not price order), also when its first target is unhealthy', () => {
    const ctx = context({ project: { aliases: { smart: ['anthropic/solo-haiku', 'shared-70b', 'openai/solo-mini'] } } });
    const expected = ['anthropic/solo-haiku', 'deepseek/shared-70b', 'groq/shared-70b', 'together/shared-70b', 'openai/solo-mini'];
    expect(route('smart', ctx)).toEqual(expected);
    // The breaker skips an open circuit at call time; the alias order itself is the owner's choice.
    expect(route('smart', ctx, { healthy: (c) => c.provider !== 'anthropic' })).toEqual(expected);
    const result = resolveRoute('smart', ctx, catalog);
    expect(result.ok && result.candidates.every((c) => c.via === 'smart')).toBe(true);
  });

  it('an org deny-list (or allow-list) removes providers; denying every provider of a model is a refusal', () => {
    expect(route('shared-70b', context({ org: { deniedProviders: ['deepseek'] } }))).toEqual(['groq/shared-70b', 'together/shared-70b']);
    expect(route('shared-70b', context({ org: { allowedProviders: ['together', 'openai'] } }))).toEqual(['together/shared-70b']);
    expect(refusal('shared-70b', context({ org: { deniedProviders: ['deepseek', 'groq', 'together'] } }))).toBe('provider_not_allowed');
    expect(refusal('together/shared-70b', context({ org: { deniedProviders: ['together'] } }))).toBe('provider_not_allowed');
  });

  it('a provider the project has no key for is not a candidate; none at all is no_provider_key', () => {
    const onlyGroqAndTogether = context({ keys: [key('groq'), key('together')] });
    expect(route('shared-70b', onlyGroqAndTogether)).toEqual(['groq/shared-70b', 'together/shared-70b']);
    expect(refusal('solo-haiku', onlyGroqAndTogether)).toBe('no_provider_key');
    expect(refusal('openai/solo-mini', onlyGroqAndTogether)).toBe('no_provider_key');
  });

  it('an unknown bare model with no OpenAI-compatible key is model_not_found', () => {
    expect(refusal('no-such-model', context())).toBe('model_not_found');
  });
});

describe('resolveRoute with Azure deployment maps', () => {
  const azure = (label: string, deployments?: Record<string, unknown>): ProviderKeyRef => ({
    id: `azure-${label}`,
    provider: 'azure-openai',
    label,
    baseUrl: 'https://contoso.openai.azure.com',
    options: deployments === undefined ? { apiVersion: '2024-10-21' } : { apiVersion: '2024-10-21', deployments },
    projectScoped: false,
  });
  const mapped = azure('mapped', { 'prod-gpt': 'gpt-mini', 'eu-gpt': 'gpt-mini', 'big-dep': 'gpt-big', embed: 'embed-small' });
  const plain = azure('plain');
  const ctx = (keys: ProviderKeyRef[], project: Record<string, unknown> = {}) => context({ keys, project });
  const candidates = (requested: string, c: ProjectContext, options: RouteOptions = {}) => {
    const result = resolveRoute(requested, c, catalog, { mode: 'chat', ...options });
    if (!result.ok) throw new Error(`refused: ${result.refusal.kind}`);
    return result.candidates.map((x) => ({
      key: x.providerKey.label,
      model: x.model,
      priced: x.catalog && `${x.catalog.provider}/${x.catalog.id}`,
    }));
  };

  it('a pinned deployment goes to that deployment, priced as its mapped model; keys that do not declare it are skipped', () => {
    expect(candidates('azure-openai/prod-gpt', ctx([plain, mapped, key('openai')]))).toEqual([
      { key: 'mapped', model: 'prod-gpt', priced: 'azure-openai/gpt-mini' },
    ]);
  });

  it('a bare model name reaches every deployment mapped to it (name order), and keys without a map keep the model-named deployment', () => {
    expect(candidates('gpt-mini', ctx([mapped, plain, key('openai')]))).toEqual([
      { key: 'mapped', model: 'eu-gpt', priced: 'azure-openai/gpt-mini' },
      { key: 'mapped', model: 'prod-gpt', priced: 'azure-openai/gpt-mini' },
      { key: 'plain', model: 'gpt-mini', priced: 'azure-openai/gpt-mini' },
      { key: 'openai', model: 'gpt-mini', priced: 'openai/gpt-mini' },
    ]);
    expect(route('azure-openai/gpt-mini', ctx([mapped, plain]))).toEqual([
      'azure-openai/eu-gpt',
      'azure-openai/prod-gpt',
      'azure-openai/gpt-mini',
    ]);
  });

  it('a key with a map serves only what it maps: an unmapped model skips it', () => {
    const onlyBig = azure('only-big', { 'big-dep': 'gpt-big' });
    expect(route('gpt-mini', ctx([onlyBig, key('openai')]))).toEqual(['openai/gpt-mini']);
    expect(refusal('azure-openai/gpt-mini', ctx([onlyBig]))).toBe('no_provider_key');
  });

  it('a model only the openai catalog lists is served by a deployment mapped to it, at the openai price', () => {
    expect(candidates('gpt-big', ctx([plain, mapped, key('openai')]))).toEqual([
      { key: 'openai', model: 'gpt-big', priced: 'openai/gpt-big' },
      { key: 'mapped', model: 'big-dep', priced: 'openai/gpt-big' },
    ]);
    expect(candidates('azure-openai/gpt-big', ctx([mapped]))).toEqual([{ key: 'mapped', model: 'big-dep', priced: 'openai/gpt-big' }]);
  });

  it('a bare deployment name routes to it (as Azure SDK users send it), not to an OpenAI-compatible endpoint', () => {
    expect(route('prod-gpt', ctx([mapped, key('openai-compatible')]))).toEqual(['azure-openai/prod-gpt']);
    expect(route('not-declared', ctx([mapped, key('openai-compatible')]))).toEqual(['openai-compatible/not-declared']);
  });

  it('the endpoint mode applies to the mapped model', () => {
    expect(refusal('azure-openai/embed', ctx([mapped]))).toBe('wrong_model_kind');
    expect(route('azure-openai/embed', ctx([mapped]), { mode: 'embedding' })).toEqual(['azure-openai/embed']);
  });

  it('model lists allow a deployment under its own name or its model’s', () => {
    expect(route('azure-openai/prod-gpt', ctx([mapped], { allowedModels: ['gpt-mini'] }))).toEqual(['azure-openai/prod-gpt']);
    expect(route('azure-openai/prod-gpt', ctx([mapped], { allowedModels: ['azure-openai/prod-gpt'] }))).toEqual(['azure-openai/prod-gpt']);
    expect(refusal('azure-openai/prod-gpt', ctx([mapped], { allowedModels: ['openai/gpt-mini'] }))).toBe('model_not_allowed');
    expect(route('azure-openai/prod-gpt', ctx([mapped]), { keyAllowedModels: ['gpt-big', 'gpt-mini'] })).toEqual(['azure-openai/prod-gpt']);
    expect(refusal('azure-openai/prod-gpt', ctx([mapped]), { keyAllowedModels: ['gpt-big'] })).toBe('model_not_allowed');
  });

  it('without a map, or with a stored map that does not parse, the deployment is named after the model (unpriced if unknown)', () => {
    expect(candidates('azure-openai/gpt-mini', ctx([plain]))).toEqual([
      { key: 'plain', model: 'gpt-mini', priced: 'azure-openai/gpt-mini' },
    ]);
    expect(candidates('azure-openai/prod-gpt', ctx([plain]))).toEqual([{ key: 'plain', model: 'prod-gpt', priced: undefined }]);
    const broken = azure('broken', { 'bad name': 'gpt-mini' });
    expect(route('azure-openai/gpt-mini', ctx([broken]))).toEqual(['azure-openai/gpt-mini']);
  });
});
