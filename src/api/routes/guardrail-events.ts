/**
 * Guardrail events through the api: what the gateway's detectors found and did, per request,
 * and the counts per detector, category, action and direction (the org-facing metrics). Events
 * never hold the matched text: a value-free location, offsets and a keyed hash of the value.
 * A member limited to some projects sees only those projects' events. A `projectId` or `apiKeyId`
 * that is not the caller's to see (another org's, another project's, or none at all) is 404, as
 * everywhere else, rather than an empty list; `requestId` is only a filter: request ids are
 * trace strings a client may choose (`x-request-id`), not resources of one org.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { inProjectScope, type ProjectScope } from '../../auth/principal.js';
import { apiKeys, projects as projectsTable } from '../../db/schema/index.js';
import type { Tx } from '../../db/types.js';
import { GUARDRAIL_ACTIONS } from '../../guardrails/engine/policy.js';
import { DETECTORS } from '../../guardrails/types.js';
import { notFound } from '../../http/errors.js';
import {
  listGuardrailEvents,
  summarizeGuardrailEvents,
  type GuardrailEventCursor,
  type GuardrailEventFilter,
  type GuardrailEventRow,
} from '../../tenancy/guardrail-events.js';
import type { ApiDeps } from '../deps.js';
import { cursorParam, encodeCursor } from '../cursor.js';
import { defineRoute, type ApiRoute } from '../registry.js';
import { orgParams, timestampSchema } from '../schemas.js';

const TAG = 'Guardrails';
const DIRECTIONS = ['input', 'output'] as const;
const MAX_LIMIT = 1000;

/** Keyset position: the last event's time and id. */
function encodeEventCursor(cursor: GuardrailEventCursor): string {
  return encodeCursor({ t: cursor.createdAt, i: cursor.id });
}

const beforeSchema = cursorParam(z.object({ t: timestampSchema, i: z.uuid() }).strict(), (decoded): GuardrailEventCursor => ({
  createdAt: decoded.t,
  id: decoded.i,
}));

/** since ≤ until, checked on the filter fields both routes share. */
function refineWindow(query: { since?: string; until?: string }, ctx: z.RefinementCtx): void {
  if (query.since !== undefined && query.until !== undefined && Date.parse(query.since) > Date.parse(query.until))
    ctx.addIssue({ code: 'custom', path: ['until'], message: 'must not be before since' });
}

const windowFields = {
  projectId: z.uuid().optional(),
  since: timestampSchema.optional().meta({ description: 'Inclusive, ISO 8601 with offset.' }),
  until: timestampSchema.optional().meta({ description: 'Exclusive, ISO 8601 with offset.' }),
};

// Strict: a misspelt filter must be a 400, not a silently unfiltered answer.
const listQuerySchema = z
  .object({
    ...windowFields,
    apiKeyId: z.uuid().optional(),
    requestId: z.string().min(1).max(200).optional(),
    detector: z.enum(DETECTORS).optional(),
    action: z.enum(GUARDRAIL_ACTIONS).optional(),
    direction: z.enum(DIRECTIONS).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
    before: beforeSchema.optional(),
  })
  .strict()
  .superRefine(refineWindow);

const summaryQuerySchema = z.object(windowFields).strict().superRefine(refineWindow);

const eventView = z.object({
  id: z.uuid(),
  projectId: z.uuid().nullable(),
  apiKeyId: z.uuid().nullable(),
  requestId: z.string(),
  direction: z.enum(DIRECTIONS),
  detector: z.string(),
  rule: z.string().meta({ description: 'PII type, secret rule id, injection category or custom rule name.' }),
  category: z.string().nullable().meta({ description: 'PII type, injection category, `secret` or `custom`.' }),
  action: z.string(),
  location: z.string().meta({ description: 'Where in the request or response, e.g. `messages[2].content`; never the text.' }),
  start: z.number().int(),
  end: z.number().int(),
  valueHash: z.string().meta({
    description:
      'HMAC-SHA256 (hex) of the matched text under the org’s key, as the detectors read it (look-alike spaces, dashes and full-width forms as ASCII, invisible characters out): equal values, equal hashes.',
  }),
  createdAt: timestampSchema,
});

function toEventView(row: GuardrailEventRow): z.input<typeof eventView> {
  return {
    id: row.id,
    projectId: row.projectId,
    apiKeyId: row.apiKeyId,
    requestId: row.requestId,
    direction: row.direction,
    detector: row.detector,
    rule: row.findingType,
    category: row.category,
    action: row.action,
    location: row.location,
    start: row.startOffset,
    end: row.endOffset,
    valueHash: row.valueHash,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * The project and API key a query names must be the caller's to see: the same 404 for another
 * org's, another project's and one that does not exist, so a filter is no existence oracle. A
 * deleted key is gone too; its events are still listed by project or request.
 */
async function assertFilterTargets(tx: Tx, query: { projectId?: string; apiKeyId?: string }, scope: ProjectScope): Promise<void> {
  if (query.projectId !== undefined) {
    const [project] = await tx.select({ id: projectsTable.id }).from(projectsTable).where(eq(projectsTable.id, query.projectId)).limit(1);
    if (!project || !inProjectScope(scope, project.id)) throw notFound('Project not found', 'project_not_found');
  }
  if (query.apiKeyId !== undefined) {
    const [key] = await tx.select({ projectId: apiKeys.projectId }).from(apiKeys).where(eq(apiKeys.id, query.apiKeyId)).limit(1);
    if (!key || !inProjectScope(scope, key.projectId)) throw notFound('API key not found', 'api_key_not_found');
  }
}

/** The filter fields both routes share. */
function filterOf(
  query: { projectId?: string; since?: string; until?: string },
  projects: ProjectScope,
): Omit<GuardrailEventFilter, 'apiKeyId' | 'requestId' | 'detector' | 'action' | 'direction'> {
  return {
    projects,
    ...(query.projectId !== undefined ? { projectId: query.projectId } : {}),
    ...(query.since !== undefined ? { since: new Date(query.since) } : {}),
    ...(query.until !== undefined ? { until: new Date(query.until) } : {}),
  };
}

export function guardrailEventRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'listGuardrailEvents',
      method: 'get',
      path: '/api/orgs/:orgId/guardrails/events',
      tag: TAG,
      summary: 'Guardrail events (findings and what was done), newest first',
      description:
        'One event per finding, never the matched text. Filters combine with AND; unknown query parameters are a 400. ' +
        'Pass `nextCursor` as `before` for the next page (null on the last). A member limited to some projects sees only theirs; ' +
        'a `projectId` or `apiKeyId` the caller cannot see is 404.',
      permission: 'guardrails:read',
      params: orgParams,
      query: listQuerySchema,
      status: 200,
      response: z.object({ events: z.array(eventView), nextCursor: z.string().nullable() }),
      async handler({ params, query, projects }) {
        const { apiKeyId, requestId, detector, action, direction } = query;
        const filter: GuardrailEventFilter = {
          ...filterOf(query, projects),
          ...(apiKeyId !== undefined ? { apiKeyId } : {}),
          ...(requestId !== undefined ? { requestId } : {}),
          ...(detector !== undefined ? { detector } : {}),
          ...(action !== undefined ? { action } : {}),
          ...(direction !== undefined ? { direction } : {}),
        };
        const page = { limit: query.limit, ...(query.before !== undefined ? { before: query.before } : {}) };
        const { events, next } = await deps.db.withTenant(params.orgId, async (tx) => {
          await assertFilterTargets(tx, query, projects);
          return listGuardrailEvents(tx, params.orgId, filter, page);
        });
        return { events: events.map(toEventView), nextCursor: next ? encodeEventCursor(next) : null };
      },
    }),
    defineRoute({
      operationId: 'summarizeGuardrailEvents',
      method: 'get',
      path: '/api/orgs/:orgId/guardrails/events/summary',
      tag: TAG,
      summary: 'Guardrail event counts by detector, category, action and direction',
      description: 'Over the whole history unless `since`/`until` narrow it; largest counts first.',
      permission: 'guardrails:read',
      params: orgParams,
      query: summaryQuerySchema,
      status: 200,
      response: z.object({
        counts: z.array(
          z.object({
            detector: z.string(),
            category: z.string().nullable(),
            action: z.string(),
            direction: z.enum(DIRECTIONS),
            count: z.number().int(),
          }),
        ),
      }),
      async handler({ params, query, projects }) {
        const filter = filterOf(query, projects);
        const counts = await deps.db.withTenant(params.orgId, async (tx) => {
          await assertFilterTargets(tx, query, projects);
          return summarizeGuardrailEvents(tx, params.orgId, filter);
        });
        return { counts };
      },
    }),
  ];
}
