/**
 * GET /v1/models and /v1/models/{id}: only what the caller's project may use — catalog models of
 * the providers it has keys for, minus what org policy or the project's model list excludes —
 * plus the project's aliases.
 */
import type { Context } from 'hono';
import { HttpError } from '../../http/errors.js';
import { modelsOf, type CatalogModel } from '../../providers/catalog/catalog.js';
import { catalogCreated, renderModel, type RenderedModel } from '../models-list.js';
import type { ProjectContext } from '../context/project-context.js';
import type { GatewayEnv } from './gateway-env.js';
import { resolveRoute } from '../routing/resolve-route.js';
import { routingCatalog } from './route-request.js';

const listAllows = (allowed: readonly string[] | null, m: CatalogModel) =>
  allowed === null || allowed.includes(`${m.provider}/${m.id}`) || allowed.includes(m.id);

/** Catalog models the project may use (with `keyAllowed`, an API key's list, also narrowing); the api's model list uses it too. */
export function usableModels(project: ProjectContext, keyAllowed: readonly string[] | null): CatalogModel[] {
  const { allowedProviders, deniedProviders } = project.orgSettings;
  const providers = new Set(project.providerKeys.map((k) => k.provider));
  return [...providers]
    .filter((p) => !deniedProviders.includes(p) && (allowedProviders === null || allowedProviders.includes(p)))
    .flatMap((p) => modelsOf(p))
    .filter((m) => listAllows(project.projectSettings.allowedModels, m) && listAllows(keyAllowed, m));
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
