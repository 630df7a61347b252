/**
 * Turns the `model` a client asked for into an ordered list of upstream attempts:
 *   - `provider/model` pins a provider (only when the prefix is a known provider id: model names
 *     such as `meta-llama/Llama-3.3-70B` contain slashes too);
 *   - a project alias expands to its ordered fallback list;
 *   - a bare model name is routed among the providers that serve it and for which the project has
 *     a key, cheapest first, healthy (circuit closed) before unhealthy.
 * Org policy (allowed/denied providers) and the project's allowed-model list apply to every
 * candidate. Each candidate names the provider key to use; project-scoped keys come first.
 */
import { PROVIDER_IDS, type ProviderId } from '../../providers/ids.js';
import type { CatalogModel } from '../../providers/catalog/catalog.js';
import type { ProjectContext, ProviderKeyRef } from '../context/project-context.js';

/** The part of the model catalog routing needs. */
export type RoutingCatalog = {
  /** Every provider entry serving this model id or alias. */
  providersOffering(model: string): CatalogModel[];
  find(provider: ProviderId, model: string): CatalogModel | undefined;
};

export type RouteCandidate = {
  provider: ProviderId;
  /** Model id to send upstream. */
  model: string;
  providerKey: ProviderKeyRef;
  /** How the client named it: the alias, or the model string itself. */
  via: string;
  catalog: CatalogModel | undefined;
};

export type RouteRefusal =
  | { kind: 'model_not_found'; message: string }
  | { kind: 'model_not_allowed'; message: string }
  | { kind: 'provider_not_allowed'; message: string }
  | { kind: 'no_provider_key'; message: string }
  /** A chat model on the embeddings endpoint or the other way round, or a provider without the endpoint. */
  | { kind: 'wrong_model_kind'; message: string };

export type RouteResult = { ok: true; candidates: RouteCandidate[] } | { ok: false; refusal: RouteRefusal };

export type RouteOptions = {
  /** Is the provider's circuit closed (healthy) for this key? */
  healthy?: (candidate: Omit<RouteCandidate, 'via'>) => boolean;
  /** Restrict to providers able to serve the endpoint (e.g. embeddings). */
  supports?: (provider: ProviderId) => boolean;
  /** Catalog mode the endpoint needs; catalog entries of another mode are not candidates. */
  mode?: 'chat' | 'embedding';
  /** The API key's own model list (null/absent: whatever the project allows). */
  keyAllowedModels?: readonly string[] | null;
};

function splitPinned(target: string): { provider: ProviderId; model: string } | undefined {
  const slash = target.indexOf('/');
  if (slash <= 0) return undefined;
  const prefix = target.slice(0, slash);
  const model = target.slice(slash + 1);
  return (PROVIDER_IDS as readonly string[]).includes(prefix) && model ? { provider: prefix as ProviderId, model } : undefined;
}

function providerAllowed(context: ProjectContext, provider: ProviderId): boolean {
  const { allowedProviders, deniedProviders } = context.orgSettings;
  if (deniedProviders.includes(provider)) return false;
  return allowedProviders === null || allowedProviders.includes(provider);
}

function inList(allowed: readonly string[] | null | undefined, requested: string, provider: ProviderId, model: string): boolean {
  if (allowed === null || allowed === undefined) return true;
  return allowed.includes(requested) || allowed.includes(`${provider}/${model}`) || allowed.includes(model);
}

/** Both the project's and the key's model lists must allow it. */
function modelAllowed(
  context: ProjectContext,
  requested: string,
  provider: ProviderId,
  model: string,
  keyAllowed: readonly string[] | null | undefined,
): boolean {
  return inList(context.projectSettings.allowedModels, requested, provider, model) && inList(keyAllowed, requested, provider, model);
}

// Unknown models (openai-compatible) sort last: a known price is preferred to a guess.
const price = (c: CatalogModel | undefined) => (c ? c.pricing.input + (c.pricing.output ?? 0) : Number.POSITIVE_INFINITY);

/** Expands one target (pinned or bare) into candidates, without policy filtering. */
function expandTarget(target: string, context: ProjectContext, catalog: RoutingCatalog): Omit<RouteCandidate, 'via'>[] {
  const keysOf = (provider: ProviderId) => context.providerKeys.filter((k) => k.provider === provider);
  const pinned = splitPinned(target);
  if (pinned) {
    const entry = catalog.find(pinned.provider, pinned.model);
    return keysOf(pinned.provider).map((providerKey) => ({
      provider: pinned.provider,
      model: entry?.id ?? pinned.model,
      providerKey,
      catalog: entry,
    }));
  }
  const offering = catalog.providersOffering(target);
  const fromCatalog = offering.flatMap((entry) =>
    keysOf(entry.provider).map((providerKey) => ({ provider: entry.provider, model: entry.id, providerKey, catalog: entry })),
  );
  // Models the catalog does not know can only be served by generic OpenAI-compatible endpoints
  // (a local Ollama or vLLM serves whatever it loaded).
  const generic =
    offering.length === 0
      ? keysOf('openai-compatible').map((providerKey) => ({
          provider: 'openai-compatible' as const,
          model: target,
          providerKey,
          catalog: undefined,
        }))
      : [];
  return [...fromCatalog, ...generic].sort((a, b) => price(a.catalog) - price(b.catalog));
}

export function resolveRoute(requested: string, context: ProjectContext, catalog: RoutingCatalog, options: RouteOptions = {}): RouteResult {
  const alias = context.projectSettings.aliases[requested];
  const targets = alias ?? [requested];
  const candidates: RouteCandidate[] = [];
  let known = false;
  let refusedByPolicy: RouteRefusal | undefined;
  for (const target of targets) {
    const pinned = splitPinned(target);
    if (pinned || catalog.providersOffering(target).length > 0) known = true;
    for (const candidate of expandTarget(target, context, catalog)) {
      if (candidate.provider === 'openai-compatible') known = true;
      if (options.mode && candidate.catalog && candidate.catalog.mode !== options.mode) {
        refusedByPolicy ??= {
          kind: 'wrong_model_kind',
          message: `${candidate.provider}/${candidate.model} is ${candidate.catalog.mode === 'embedding' ? 'an embedding model' : 'a chat model'}; this endpoint needs ${options.mode === 'embedding' ? 'an embedding model' : 'a chat model'}.`,
        };
        continue;
      }
      if (options.supports && !options.supports(candidate.provider)) {
        refusedByPolicy ??= { kind: 'wrong_model_kind', message: `${candidate.provider} does not offer this endpoint.` };
        continue;
      }
      if (!providerAllowed(context, candidate.provider)) {
        refusedByPolicy ??= {
          kind: 'provider_not_allowed',
          message: `Your organization does not allow the provider ${candidate.provider}.`,
        };
        continue;
      }
      if (!modelAllowed(context, requested, candidate.provider, candidate.model, options.keyAllowedModels)) {
        refusedByPolicy ??= { kind: 'model_not_allowed', message: `The model ${requested} is not allowed for this project or API key.` };
        continue;
      }
      candidates.push({ ...candidate, via: alias ? requested : target });
    }
  }
  if (candidates.length > 0) {
    if (!alias && options.healthy) {
      // Stable partition: healthy first, each group keeping its price order. An alias keeps the
      // order its owner chose; the circuit breaker still skips open circuits at call time.
      const healthy = options.healthy;
      candidates.sort((a, b) => Number(!healthy(a)) - Number(!healthy(b)));
    }
    return { ok: true, candidates };
  }
  if (refusedByPolicy) return { ok: false, refusal: refusedByPolicy };
  if (!known && !alias)
    return {
      ok: false,
      refusal: { kind: 'model_not_found', message: `The model ${requested} does not exist or is not served by any configured provider.` },
    };
  return { ok: false, refusal: { kind: 'no_provider_key', message: `No provider key is configured for ${requested} in this project.` } };
}
