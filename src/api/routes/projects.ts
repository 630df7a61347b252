import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { inProjectScope } from '../../auth/principal.js';
import { isUniqueViolation } from '../../credentials/db-errors.js';
import { PROJECT_MODES, projects } from '../../db/schema/index.js';
import { HttpError, badRequest, notFound } from '../../http/errors.js';
import { limitsSchema } from '../../tenancy/limits.js';
import { createProject, deleteProject, findProjectByName, type Project } from '../../tenancy/projects.js';
import { announce } from '../../credentials/announce.js';
import { parseProjectSettings } from '../../tenancy/settings.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type ApiRoute } from '../registry.js';
import { orgParams, projectParams, timestampSchema } from '../schemas.js';

export const projectViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  mode: z.enum(PROJECT_MODES).meta({ description: '`live` projects issue `pc_live_` keys, `test` projects `pc_test_` keys.' }),
  limits: limitsSchema,
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});

export function toProjectView(project: Project): z.output<typeof projectViewSchema> {
  return {
    id: project.id,
    name: project.name,
    mode: project.mode,
    limits: parseProjectSettings(project.id, project.settings).limits,
    createdAt: project.createdAt.toISOString(),
    updatedAt: project.updatedAt.toISOString(),
  };
}

const createProjectSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    mode: z.enum(PROJECT_MODES).default('live'),
  })
  .strict();

const nameTaken = () =>
  new HttpError(409, 'invalid_request_error', 'name_taken', 'This organization already has a project with that name.');

export function projectRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'listProjects',
      method: 'get',
      path: '/api/orgs/:orgId/projects',
      tag: 'Projects',
      summary: 'Projects of the organization',
      description: 'A member limited to some projects sees only those.',
      permission: 'projects:read',
      params: orgParams,
      status: 200,
      response: z.object({ projects: z.array(projectViewSchema) }),
      async handler({ params, projects: scope }) {
        const rows = await deps.db.withTenant(params.orgId, (tx) => tx.select().from(projects).orderBy(asc(projects.name)));
        // A member limited to some projects sees only those: the others' names are not theirs to know.
        return { projects: rows.filter((row) => inProjectScope(scope, row.id)).map(toProjectView) };
      },
    }),
    defineRoute({
      operationId: 'createProject',
      method: 'post',
      path: '/api/orgs/:orgId/projects',
      tag: 'Projects',
      summary: 'Create a project',
      permission: 'projects:write',
      params: orgParams,
      body: createProjectSchema,
      status: 201,
      errors: [409],
      response: z.object({ project: projectViewSchema }),
      async handler({ params, body, ctx }) {
        try {
          const project = await deps.db.withTenant(params.orgId, async (tx) => {
            if (await findProjectByName(tx, params.orgId, body.name)) throw nameTaken();
            return createProject(tx, { orgId: params.orgId, name: body.name, mode: body.mode }, ctx);
          });
          // Nothing caches a project that did not exist: no event to announce.
          return { project: toProjectView(project) };
        } catch (error) {
          if (isUniqueViolation(error)) throw nameTaken();
          throw error;
        }
      },
    }),
    defineRoute({
      operationId: 'getProject',
      method: 'get',
      path: '/api/orgs/:orgId/projects/:projectId',
      tag: 'Projects',
      summary: 'One project',
      permission: 'projects:read',
      params: projectParams,
      status: 200,
      response: z.object({ project: projectViewSchema }),
      async handler({ params }) {
        const [project] = await deps.db.withTenant(params.orgId, (tx) =>
          tx.select().from(projects).where(eq(projects.id, params.projectId)).limit(1),
        );
        if (!project) throw notFound('Project not found', 'project_not_found');
        return { project: toProjectView(project) };
      },
    }),
    defineRoute({
      operationId: 'deleteProject',
      method: 'delete',
      path: '/api/orgs/:orgId/projects/:projectId',
      tag: 'Projects',
      summary: 'Delete a project',
      description:
        '`confirm` must be the project’s exact name. Its API keys (refused by every gateway at once), provider-key ' +
        'assignments and guardrail overrides are deleted with it; its request logs stay. Its id leaves the `projectIds` of ' +
        'members and pending invitations (an emptied list stays empty: no project, not every project). Audited `project.deleted`.',
      permission: 'projects:write',
      params: projectParams,
      body: z.strictObject({ confirm: z.string().max(200) }),
      status: 200,
      response: z.object({ deleted: z.object({ id: z.uuid(), name: z.string(), apiKeys: z.number().int() }) }),
      async handler({ params, body, ctx }) {
        const { project, apiKeyIds } = await deps.db.withTenant(params.orgId, async (tx) => {
          const [row] = await tx.select().from(projects).where(eq(projects.id, params.projectId)).for('update');
          if (!row) throw notFound('Project not found', 'project_not_found');
          if (body.confirm !== row.name)
            throw badRequest("The confirmation must be the project's exact name (case included).", 'confirmation_mismatch');
          return { project: row, ...(await deleteProject(tx, row, ctx)) };
        });
        // Every replica drops the project's context and each removed key's cached verification.
        await announce(deps.bus, { type: 'org.changed', orgId: params.orgId }, deps.logger);
        await Promise.all(
          apiKeyIds.map((apiKeyId) => announce(deps.bus, { type: 'api_key.changed', orgId: params.orgId, apiKeyId }, deps.logger)),
        );
        return { deleted: { id: project.id, name: project.name, apiKeys: apiKeyIds.length } };
      },
    }),
  ];
}
