import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { announce } from '../../credentials/announce.js';
import { sha256Hex } from '../../crypto/hash.js';
import { projects } from '../../db/schema/index.js';
import { canonicalJson } from '../../gateway/cache/canonical-json.js';
import { HttpError, notFound } from '../../http/errors.js';
import { updateProjectSettings } from '../../tenancy/projects.js';
import { parseProjectSettings, projectSettingsSchema, type ProjectSettings } from '../../tenancy/settings.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type ApiRoute } from '../registry.js';
import { projectParams } from '../schemas.js';

const settingsResponseSchema = z.object({
  settings: projectSettingsSchema,
  version: z.string().meta({ description: 'Changes whenever the settings change; send it back as `If-Match` to refuse lost updates.' }),
});

/** A short digest of the settings as the gateway reads them (defaults applied). */
function versionOf(settings: ProjectSettings): string {
  return sha256Hex(canonicalJson(settings)).slice(0, 16);
}

/** `If-Match: "v"`, `If-Match: v` or `If-Match: *` (any version); absent: no check. */
function matches(ifMatch: string | undefined, version: string): boolean {
  if (ifMatch === undefined) return true;
  return ifMatch
    .split(',')
    .map((tag) =>
      tag
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .some((tag) => tag === '*' || tag === version);
}

const versionConflict = () =>
  new HttpError(
    409,
    'invalid_request_error',
    'version_conflict',
    'The project settings changed since you read them (If-Match does not match); read them again and retry.',
  );

/**
 * The project's gateway settings (cache, body logging, allowed models, aliases, timeouts,
 * retries, limits), read and replaced as a whole. Validated by the schema bootstrap uses and
 * written by the same function (`project.updated`, with the settings diff, in the same
 * transaction); `org.changed` afterwards makes every gateway replica reload the project context.
 */
export function projectSettingsRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'getProjectSettings',
      method: 'get',
      path: '/api/orgs/:orgId/projects/:projectId/settings',
      tag: 'Projects',
      summary: 'The gateway settings of a project',
      description: 'Defaults are filled in. `version` (also the `ETag` header) identifies this state for `If-Match` on PUT.',
      permission: 'projects:read',
      params: projectParams,
      status: 200,
      response: settingsResponseSchema,
      async handler({ params, c }) {
        const [project] = await deps.db.withTenant(params.orgId, (tx) =>
          tx.select().from(projects).where(eq(projects.id, params.projectId)).limit(1),
        );
        if (!project) throw notFound('Project not found', 'project_not_found');
        const settings = parseProjectSettings(project.id, project.settings);
        const version = versionOf(settings);
        c.header('etag', `"${version}"`);
        return { settings, version };
      },
    }),
    defineRoute({
      operationId: 'setProjectSettings',
      method: 'put',
      path: '/api/orgs/:orgId/projects/:projectId/settings',
      tag: 'Projects',
      summary: 'Replace the gateway settings of a project',
      description:
        'Replaces the whole settings object (omitted fields take their defaults; unknown fields are refused): response cache, ' +
        '`logBodies`, `allowedModels`, `aliases` (each an ordered fallback list), `timeoutMs` (per attempt), `requestTimeoutMs` (whole request), `maxRetries`, `limits`. ' +
        'Every gateway replica applies the change at once. Audited `project.updated` with the settings before and after. ' +
        'With `If-Match` (a `version` from GET), a change made in between is refused with 409 `version_conflict`.',
      permission: 'projects:write',
      params: projectParams,
      body: projectSettingsSchema,
      status: 200,
      errors: [409],
      response: settingsResponseSchema,
      async handler({ params, body, ctx, c }) {
        const ifMatch = c.req.header('if-match');
        const changed = await deps.db.withTenant(params.orgId, async (tx) => {
          const [project] = await tx.select().from(projects).where(eq(projects.id, params.projectId)).for('update');
          if (!project) throw notFound('Project not found', 'project_not_found');
          const current = parseProjectSettings(project.id, project.settings);
          if (!matches(ifMatch, versionOf(current))) throw versionConflict();
          if (canonicalJson(current) === canonicalJson(body)) return false;
          return updateProjectSettings(tx, project, body, ctx);
        });
        if (changed) await announce(deps.bus, { type: 'org.changed', orgId: params.orgId }, deps.logger);
        const version = versionOf(body);
        c.header('etag', `"${version}"`);
        return { settings: body, version };
      },
    }),
  ];
}
