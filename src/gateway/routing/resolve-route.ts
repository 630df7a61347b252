/**
 * Turns the `model` a client asked for into an ordered list of upstream attempts:
 *   - `provider/model` pins a provider (only when the prefix is a known provider id: model names
 *     such as `meta-llama/Llama-3.3-70B` contain slashes too);
 *   - a project alias expands to its ordered fallback list;
 *   - a bare model name is routed among the providers that serve it and for which the project has
 *     a key, cheapest first, healthy (circuit closed) before unhealthy.
 * Org policy (allowed/denied providers) and the project's allowed-model list apply to every
 * candidate. Each candidate names the provider key to use; project-scoped keys come first.
 * An Azure key that declares its deployments (options.deployments) serves exactly those: a model
 * resolves to the deployments mapped to it, a deployment name to itself, priced as its model.
 */
import { PROVIDER_IDS, type ProviderId } from '../../providers/ids.js';
import type { CatalogModel } from '../../providers/catalog/catalog.js';
import { azureDeployments, deploymentModel } from '../../providers/azure-openai/deployments.js';
import type { ProjectContext, ProviderKeyRef } from '../context/project-context.js';

/** The part of the model catalog routing needs. */
export type RoutingCatalog = {
  /** Every provider entry serving this model id or alias. */
  providersOffering(model: string): CatalogModel[];
  find(provider: ProviderId, model: string): CatalogModel | undefined;
};

export type RouteCandidate = {
  provider: ProviderId;
  /** Model id to send upstream (Azure: the deployment name). */
  model: string;
  providerKey: ProviderKeyRef;
  /** How the client named it: the alias, or the model string itself. */
  via: string;
  /** What prices it (an Azure deployment: the model it is mapped to). */
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

// An Azure deployment is allowed under its own name or its model's: a list names models, and a
// deployment is one more way to reach one.
function inList(allowed: readonly string[] | null | undefined, requested: string, provider: ProviderId, names: readonly string[]): boolean {
  if (allowed === null || allowed === undefined) return true;
  return allowed.includes(requested) || names.some((name) => allowed.includes(`${provider}/${name}`) || allowed.includes(name));
}

/** Both the project's and the key's model lists must allow it. */
function modelAllowed(
  context: ProjectContext,
  requested: string,
  candidate: Omit<RouteCandidate, 'via'>,
  keyAllowed: readonly string[] | null | undefined,
): boolean {
  const names = candidate.catalog && candidate.catalog.id !== candidate.model ? [candidate.model, candidate.catalog.id] : [candidate.model];
  return (
    inList(context.projectSettings.allowedModels, requested, candidate.provider, names) &&
    inList(keyAllowed, requested, candidate.provider, names)
  );
}

// Unknown models (openai-compatible) sort last: a known price is preferred to a guess.
const price = (c: CatalogModel | undefined) => (c ? c.pricing.input + (c.pricing.output ?? 0) : Number.POSITIVE_INFINITY);

type Expanded = Omit<RouteCandidate, 'via'>;

/**
 * The deployments of an Azure key that serve `name`: the deployment of that name, else those
 * mapped to the model `name` resolves to. Undefined when the key declares no deployments.
 */
function azureTargets(providerKey: ProviderKeyRef, name: string, catalog: RoutingCatalog): Expanded[] | undefined {
  const deployments = azureDeployments(providerKey.options);
  if (!deployments) return undefined;
  const own = deployments.filter((d) => d.name === name);
  const wanted = own.length > 0 ? undefined : deploymentModel(name, catalog)?.id;
  return (own.length > 0 ? own : deployments.filter((d) => wanted !== undefined && deploymentModel(d.model, catalog)?.id === wanted)).map(
    (d) => ({ provider: 'azure-openai' as const, model: d.name, providerKey, catalog: deploymentModel(d.model, catalog) }),
  );
}

/** Expands one target (pinned or bare) into candidates, without policy filtering. */
function expandTarget(target: string, context: ProjectContext, catalog: RoutingCatalog): Expanded[] {
  const keysOf = (provider: ProviderId) => context.providerKeys.filter((k) => k.provider === provider);
  const azureKeys = keysOf('azure-openai');
  // A custom deployment name belongs to the keys that declare it: a key without a map is not
  // assumed to have a deployment of that name too.
  const declared = (name: string) => azureKeys.some((k) => azureDeployments(k.options)?.some((d) => d.name === name) === true);
  const onKey = (providerKey: ProviderKeyRef, provider: ProviderId, name: string, entry: CatalogModel | undefined): Expanded[] =>
    (provider === 'azure-openai' ? azureTargets(providerKey, name, catalog) : undefined) ?? [
      { provider, model: entry?.id ?? name, providerKey, catalog: entry },
    ];
  const pinned = splitPinned(target);
  if (pinned) {
    const entry = catalog.find(pinned.provider, pinned.model);
    const keys = keysOf(pinned.provider);
    const usable =
      pinned.provider === 'azure-openai' && !entry && declared(pinned.model)
        ? keys.filter((k) => azureDeployments(k.options) !== undefined)
        : keys;
    return usable.flatMap((providerKey) => onKey(providerKey, pinned.provider, pinned.model, entry));
  }
  const offering = catalog.providersOffering(target);
  const fromCatalog = offering.flatMap((entry) =>
    keysOf(entry.provider).flatMap((providerKey) => onKey(providerKey, entry.provider, target, entry)),
  );
  // Azure keys with a map also serve, by name, models only the openai catalog lists (the Azure
  // catalog lags) and their own deployment names (what Azure SDK users send as `model`).
  const azureExtra = offering.some((entry) => entry.provider === 'azure-openai')
    ? []
    : azureKeys.flatMap((providerKey) => azureTargets(providerKey, target, catalog) ?? []);
  // Models the catalog does not know can only be served by generic OpenAI-compatible endpoints
  // (a local Ollama or vLLM serves whatever it loaded), unless the name is a declared deployment.
  const generic =
    offering.length === 0 && azureExtra.length === 0
      ? keysOf('openai-compatible').map((providerKey) => ({
          provider: 'openai-compatible' as const,
          model: target,
          providerKey,
          catalog: undefined,
        }))
      : [];
  return [...fromCatalog, ...azureExtra, ...generic].sort((a, b) => price(a.catalog) - price(b.catalog));
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
      known = true;
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
      if (!modelAllowed(context, requested, candidate, options.keyAllowedModels)) {
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
