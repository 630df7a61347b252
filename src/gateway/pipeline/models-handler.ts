/**
 * GET /v1/models and /v1/models/{id}: only what the caller's project may use — catalog models of
 * the providers it has keys for (and the Azure deployments its keys declare), minus what org
 * policy or the project's model list excludes — plus the project's aliases.
 */
import type { Context } from 'hono';
import { HttpError } from '../../http/errors.js';
import { modelsOf, type CatalogModel } from '../../providers/catalog/catalog.js';
import { catalogCreated, renderModel, type RenderedModel } from '../models-list.js';
import type { ProjectContext, ProviderKeyRef } from '../context/project-context.js';
import { azureDeployments, deploymentModel } from '../../providers/azure-openai/deployments.js';
import type { GatewayEnv } from './gateway-env.js';
import { resolveRoute } from '../routing/resolve-route.js';
import { routingCatalog } from './route-request.js';

const listAllows = (allowed: readonly string[] | null, m: CatalogModel) =>
  allowed === null || allowed.includes(`${m.provider}/${m.id}`) || allowed.includes(m.id);

/** What is listed, and the catalog model it is (differs for an Azure deployment, which lists under its own name). */
type Listed = { listed: CatalogModel; model: CatalogModel };

/**
 * The Azure part of the list. A key without a deployment map reaches every azure-openai catalog
 * model (deployments named after models); a key with one reaches its mapped models, and each
 * declared deployment is listed as `azure-openai/<deployment>` with its model's metadata and price.
 */
function azureModels(keys: readonly ProviderKeyRef[]): Listed[] {
  const maps = keys.filter((k) => k.provider === 'azure-openai').map((k) => azureDeployments(k.options));
  const deployments = maps
    .flatMap((map) => map ?? [])
    .flatMap((d) => {
      const model = deploymentModel(d.model, routingCatalog);
      return model ? [{ name: d.name, model }] : [];
    });
  const mapped = new Set(deployments.map((d) => d.model.id));
  const listed: Listed[] = modelsOf('azure-openai')
    .filter((m) => maps.includes(undefined) || mapped.has(m.id))
    .map((m) => ({ listed: m, model: m }));
  const ids = new Set(listed.map((l) => l.listed.id));
  for (const { name, model } of deployments) {
    if (ids.has(name)) continue; // named after its model (already listed), or declared on two keys
    ids.add(name);
    const { aliases: _aliases, ...entry } = model;
    listed.push({ listed: { ...entry, provider: 'azure-openai', id: name }, model });
  }
  return listed;
}

/**
 * Catalog models the project may use (with `keyAllowed`, an API key's list, also narrowing), Azure
 * deployments as entries of their own; the api's model list and the playground use it too.
 */
export function usableModels(project: ProjectContext, keyAllowed: readonly string[] | null): CatalogModel[] {
  const { allowedProviders, deniedProviders } = project.orgSettings;
  const providers = new Set(project.providerKeys.map((k) => k.provider));
  // As routing does: a deployment is allowed under its own name or its model's.
  const allows = ({ listed, model }: Listed) =>
    [project.projectSettings.allowedModels, keyAllowed].every((list) => listAllows(list, listed) || listAllows(list, model));
  return [...providers]
    .filter((p) => !deniedProviders.includes(p) && (allowedProviders === null || allowedProviders.includes(p)))
    .flatMap((p) => (p === 'azure-openai' ? azureModels(project.providerKeys) : modelsOf(p).map((m) => ({ listed: m, model: m }))))
    .filter(allows)
    .map((l) => l.listed);
}

/** Aliases the key can actually use: those that resolve to at least one allowed candidate. */
function aliasModels(project: ProjectContext, keyAllowed: readonly string[] | null): RenderedModel[] {
  const usable = Object.entries(project.projectSettings.aliases).filter(
    ([name]) => resolveRoute(name, project, routingCatalog, { keyAllowedModels: keyAllowed }).ok,
  );
  return usable.map(([name, targets]) => ({
    id: name,
    object: 'model' as const,
    created: catalogCreated(),
    owned_by: 'portcullis',
    mode: 'chat' as const,
    context_window: null,
    max_output_tokens: null,
    capabilities: [],
    pricing: null,
    fallbacks: targets,
  })) as unknown as RenderedModel[];
}

export function handleListModels(c: Context<GatewayEnv>) {
  const project = c.get('project');
  c.get('log').fields.model = null;
  return c.json({
    object: 'list',
    data: [
      ...usableModels(project, c.get('apiKey').allowedModels).map((m) => renderModel(m)),
      ...aliasModels(project, c.get('apiKey').allowedModels),
    ],
  });
}

export function handleGetModel(c: Context<GatewayEnv>, id: string) {
  const project = c.get('project');
  const alias = aliasModels(project, c.get('apiKey').allowedModels).find((m) => m.id === id);
  if (alias) return c.json(alias);
  const model = usableModels(project, c.get('apiKey').allowedModels).find((m) => `${m.provider}/${m.id}` === id || m.id === id);
  if (!model)
    throw new HttpError(404, 'not_found_error', 'model_not_found', `The model ${id} does not exist or is not available to this project.`);
  return c.json(renderModel(model));
}
