/**
 * Usage over time for the dashboard's charts: requests, tokens, cost, errors, latency percentiles,
 * cache hits and guardrail blocks per UTC hour or day, from the request logs and guardrail events.
 *
 * Same rules as the request logs (request-logs.ts): a member limited to some projects counts only
 * those projects' rows, and a `projectId` or `apiKeyId` that is not the caller's to see is 404,
 * exactly as one that exists nowhere. The window is bounded so that one answer stays small.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { inProjectScope, type ProjectScope } from '../../auth/principal.js';
import { apiKeys, projects as projectsTable } from '../../db/schema/index.js';
import type { Tx } from '../../db/types.js';
import { notFound } from '../../http/errors.js';
import { usageTimeseries, type TimeseriesPoint } from '../../usage/timeseries-query.js';
import { alignWindow, TIMESERIES_BUCKETS, windowProblem } from '../../usage/timeseries-window.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type ApiRoute } from '../registry.js';
import { orgParams, timestampSchema } from '../schemas.js';

// Strict: a misspelt filter must be a 400, not a silently unfiltered chart.
const timeseriesQuerySchema = z
  .object({
    from: timestampSchema.meta({ description: 'Inclusive, ISO 8601 with offset; moved back to the start of its UTC hour or day.' }),
    to: timestampSchema.meta({ description: 'Exclusive, ISO 8601 with offset; moved forward to the end of its UTC hour or day.' }),
    bucket: z.enum(TIMESERIES_BUCKETS).meta({ description: 'UTC hours (at most 31 days) or UTC days (at most 400 days).' }),
    projectId: z.uuid().optional(),
    apiKeyId: z.uuid().optional(),
    model: z.string().min(1).max(200).optional().meta({ description: 'The model the client asked for, exactly.' }),
  })
  .strict()
  .superRefine((query, ctx) => {
    const problem = windowProblem(alignWindow(new Date(query.from), new Date(query.to), query.bucket));
    if (problem !== null) ctx.addIssue({ code: 'custom', path: ['to'], message: problem });
  });

const pointFields = {
  requests: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costUsd: z.number().meta({ description: 'From the model catalog, in US dollars.' }),
  errors: z.number().int().meta({ description: 'Requests answered with a status of 400 or more, or carrying an error code.' }),
  latencyP50Ms: z.number().int().nullable().meta({ description: 'Median latency (null without requests).' }),
  latencyP95Ms: z.number().int().nullable(),
  cacheHits: z.number().int(),
  cacheableRequests: z.number().int().meta({ description: 'Requests the response cache looked up (hits and misses).' }),
  guardrailBlocks: z.number().int().meta({ description: 'Requests (or answers) a guardrail blocked.' }),
};

const timeseriesResponseSchema = z.object({
  bucket: z.enum(TIMESERIES_BUCKETS),
  from: timestampSchema,
  to: timestampSchema,
  buckets: z.array(z.object({ start: timestampSchema, ...pointFields })).meta({ description: 'Every bucket of the window, oldest first.' }),
  totals: z.object(pointFields),
  models: z.array(z.string()).meta({ description: 'Models asked for in the window under the other filters (for a model filter).' }),
});

function viewOf(point: TimeseriesPoint) {
  const { costMicroUsd, ...rest } = point;
  return { ...rest, costUsd: costMicroUsd / 1_000_000 };
}

/** The same 404 for another org's, another project's and a nonexistent project or key: no existence oracle. */
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

export function usageTimeseriesRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'getUsageTimeseries',
      method: 'get',
      path: '/api/orgs/:orgId/usage/timeseries',
      tag: 'Usage and limits',
      summary: 'Usage over time per UTC hour or day: requests, tokens, cost, errors, latency, cache hits, guardrail blocks',
      description:
        'Every bucket of the window is present (zeros when nothing happened); `totals` covers the whole window (its percentiles ' +
        'are of the window, not averages of the buckets). From the request logs, which the gateway writes a few seconds behind. ' +
        'Filters combine with AND; unknown query parameters are a 400. A member limited to some projects counts only theirs; a ' +
        '`projectId` or `apiKeyId` the caller cannot see is 404.',
      permission: 'usage:read',
      params: orgParams,
      query: timeseriesQuerySchema,
      status: 200,
      response: timeseriesResponseSchema,
      async handler({ params, query, projects }) {
        const window = alignWindow(new Date(query.from), new Date(query.to), query.bucket);
        const filter = {
          projects,
          ...(query.projectId !== undefined ? { projectId: query.projectId } : {}),
          ...(query.apiKeyId !== undefined ? { apiKeyId: query.apiKeyId } : {}),
          ...(query.model !== undefined ? { model: query.model } : {}),
        };
        const series = await deps.db.withTenant(params.orgId, async (tx) => {
          await assertFilterTargets(tx, query, projects);
          return usageTimeseries(tx, params.orgId, window, filter);
        });
        return {
          bucket: window.bucket,
          from: window.from.toISOString(),
          to: window.to.toISOString(),
          buckets: series.buckets.map(({ start, ...point }) => ({ start: start.toISOString(), ...viewOf(point) })),
          totals: viewOf(series.totals),
          models: series.models,
        };
      },
    }),
  ];
}
