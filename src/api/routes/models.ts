/**
 * The model catalog through the api, for the dashboard: every model with its capabilities, context
 * window and prices; with `projectId`, only what that project may use, by the same rule as the
 * gateway's `GET /v1/models` (providers it has keys for, minus what org policy or the project's
 * model list excludes). A `projectId` the caller cannot see is 404.
 */
import { z } from 'zod';
import { inProjectScope } from '../../auth/principal.js';
import { loadProjectContext, ProjectNotFoundError } from '../../gateway/context/project-context.js';
import { usableModels } from '../../gateway/pipeline/models-handler.js';
import { notFound } from '../../http/errors.js';
import { CAPABILITIES } from '../../providers/catalog/schema.js';
import { allModels, type CatalogModel } from '../../providers/catalog/catalog.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type ApiRoute } from '../registry.js';
import { orgParams } from '../schemas.js';

const rates = {
  inputPerMTok: z.number(),
  /** null: those tokens bill at the input rate. */
  cachedInputPerMTok: z.number().nullable(),
  cacheWritePerMTok: z.number().nullable(),
};

const modelView = z.object({
  id: z.string().meta({ description: '`provider/model`, as the gateway accepts and lists it.' }),
  provider: z.string(),
  model: z.string(),
  mode: z.enum(['chat', 'embedding']),
  contextWindow: z.number().int(),
  maxOutputTokens: z.number().int(),
  capabilities: z.array(z.enum(CAPABILITIES)),
  pricing: z.object({
    ...rates,
    outputPerMTok: z.number().nullable().meta({ description: 'null for embedding models.' }),
    longContext: z.object({ ...rates, outputPerMTok: z.number(), aboveInputTokens: z.number().int() }).nullable(),
    currency: z.literal('USD'),
  }),
  deprecated: z.boolean(),
});

function toModelView(m: CatalogModel): z.input<typeof modelView> {
  const { pricing: p } = m;
  return {
    id: `${m.provider}/${m.id}`,
    provider: m.provider,
    model: m.id,
    mode: m.mode,
    contextWindow: m.contextWindow,
    maxOutputTokens: m.maxOutputTokens,
    capabilities: [...m.capabilities],
    pricing: {
      inputPerMTok: p.input,
      outputPerMTok: p.output ?? null,
      cachedInputPerMTok: p.cachedInput ?? null,
      cacheWritePerMTok: p.cacheWrite ?? null,
      longContext:
        p.longContext === undefined
          ? null
          : {
              aboveInputTokens: p.longContext.aboveInputTokens,
              inputPerMTok: p.longContext.input,
              outputPerMTok: p.longContext.output,
              cachedInputPerMTok: p.longContext.cachedInput ?? null,
              cacheWritePerMTok: p.longContext.cacheWrite ?? null,
            },
      currency: 'USD',
    },
    deprecated: m.deprecated === true,
  };
}

export function modelRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'listModels',
      method: 'get',
      path: '/api/orgs/:orgId/models',
      tag: 'Models',
      summary: 'The model catalog: capabilities, context window, prices (USD per million tokens)',
      description:
        'Without `projectId`, every catalog model. With it, only the models that project may use, as the gateway’s ' +
        '`GET /v1/models` lists them for its keys: providers the project has a key for, minus what the org’s provider policy ' +
        'or the project’s `allowedModels` exclude. A `projectId` the caller cannot see is 404.',
      permission: 'projects:read',
      params: orgParams,
      query: z.object({ projectId: z.uuid().optional() }).strict(),
      status: 200,
      response: z.object({ models: z.array(modelView) }),
      async handler({ params, query, projects }) {
        const { projectId } = query;
        if (projectId === undefined) return { models: allModels().map(toModelView) };
        if (!inProjectScope(projects, projectId)) throw notFound('Project not found', 'project_not_found');
        try {
          const project = await loadProjectContext(deps.db, params.orgId, projectId);
          return { models: usableModels(project, null).map(toModelView) };
        } catch (error) {
          if (error instanceof ProjectNotFoundError) throw notFound('Project not found', 'project_not_found');
          throw error;
        }
      },
    }),
  ];
}
