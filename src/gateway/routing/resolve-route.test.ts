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
