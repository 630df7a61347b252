/**
 * Request logs through the api: one row per authenticated gateway request, newest first, paged by
 * cursor, filtered; one row with whether a body is stored; the stored bodies, decrypted (owners and
 * admins only, every read audited in the same transaction); and a streamed CSV export.
 *
 * A member limited to some projects sees only those projects' rows (rows without a project, if
 * any, are the org's and not theirs); a `projectId` or `apiKeyId` filter that is not the caller's
 * to see is 404, and so is a row of another project, exactly as for ids that exist nowhere.
 * Lists and the export never carry a body.
 */
import { and, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { csvRow } from '../../audit/csv.js';
import { recordAudit } from '../../audit/record.js';
import { inProjectScope, type ProjectScope } from '../../auth/principal.js';
import { apiKeys, projects as projectsTable, requestBodies, requestLogs, USAGE_SOURCES } from '../../db/schema/index.js';
import type { Tx } from '../../db/types.js';
import { bodyReader } from '../../governance/org-export/bodies.js';
import { notFound } from '../../http/errors.js';
import type { ApiDeps } from '../deps.js';
import { cursorParam, encodeCursor } from '../cursor.js';
import { defineRoute, streamedBody, type ApiRoute } from '../registry.js';
import { orgParams, timestampSchema } from '../schemas.js';

const TAG = 'Request logs';
const MAX_LIMIT = 1000;
const EXPORT_BATCH_SIZE = 1000;

/** Keyset position: the last row's time (as the database prints it, full precision) and id. */
type LogCursor = { at: string; id: string };

const cursorTime = z
  .string()
  .max(64)
  .regex(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)$/);

const beforeSchema = cursorParam(z.object({ t: cursorTime, i: z.uuid() }).strict(), (decoded): LogCursor => ({
  at: decoded.t,
  id: decoded.i,
}));
const encodeLogCursor = (cursor: LogCursor) => encodeCursor({ t: cursor.at, i: cursor.id });

const STATUS_FILTER = /^[1-5](\d\d|xx)$/;

function refineWindow(query: { from?: string; to?: string }, ctx: z.RefinementCtx): void {
  if (query.from !== undefined && query.to !== undefined && Date.parse(query.from) > Date.parse(query.to))
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
}

const filterFields = {
  projectId: z.uuid().optional(),
  apiKeyId: z.uuid().optional(),
  model: z.string().min(1).max(200).optional().meta({ description: 'The model the client asked for, exactly.' }),
  provider: z.string().min(1).max(100).optional(),
  status: z
    .string()
    .regex(STATUS_FILTER, 'must be an HTTP status (429) or a class (4xx)')
    .optional()
    .meta({ description: 'An HTTP status (`429`) or a class (`4xx`).' }),
  errorCode: z.string().min(1).max(200).optional(),
  // Only a filter, never a 404: request ids are trace strings a client may choose (`x-request-id`), not resources.
  requestId: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'The gateway request id (`x-request-id`), exactly: the one a response or the playground shows.' }),
  from: timestampSchema.optional().meta({ description: 'Inclusive, ISO 8601 with offset.' }),
  to: timestampSchema.optional().meta({ description: 'Exclusive, ISO 8601 with offset.' }),
};

type Filters = { [K in keyof typeof filterFields]?: string };

/** The filters an export used, for its audit event (the set ones only). */
function exportedFilters(filters: Filters): Record<string, string> {
  return Object.fromEntries(Object.entries(filters).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

// Strict: a misspelt filter must be a 400, not a silently unfiltered answer (or export).
const listQuerySchema = z
  .object({
    ...filterFields,
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
    before: beforeSchema.optional(),
  })
  .strict()
  .superRefine(refineWindow);

const exportQuerySchema = z
  .object({ ...filterFields, format: z.enum(['csv']) })
  .strict()
  .superRefine(refineWindow);

const logView = z.object({
  id: z.uuid(),
  projectId: z.uuid().nullable(),
  apiKeyId: z.uuid().nullable(),
  requestId: z.string(),
  endpoint: z.string(),
  model: z.string().nullable().meta({ description: 'What the client asked for (a model, `provider/model`, or an alias).' }),
  servedModel: z.string().nullable().meta({ description: 'The model the provider reports having served.' }),
  provider: z.string().nullable(),
  attempts: z.number().int().meta({ description: 'Upstream calls, retries and fallbacks included.' }),
  stream: z.boolean(),
  status: z.number().int(),
  errorCode: z.string().nullable(),
  latencyMs: z.number().int().nullable(),
  ttftMs: z.number().int().nullable(),
  inputTokens: z.number().int().nullable(),
  outputTokens: z.number().int().nullable(),
  cachedInputTokens: z.number().int().nullable(),
  cacheWriteInputTokens: z.number().int().nullable(),
  reasoningTokens: z.number().int().nullable(),
  costUsd: z.number().nullable().meta({ description: 'From the model catalog, in US dollars.' }),
  cacheStatus: z.string().nullable(),
  usageSource: z
    .enum(USAGE_SOURCES)
    .nullable()
    .meta({
      description:
        "Who counted the tokens: `provider` (the provider's usage report) or `gateway` (a stream cut before that report, " +
        'billed on what the gateway counted it delivered). Null without usage (cache hits, refusals) and for rows logged before it was recorded.',
    }),
  createdAt: timestampSchema,
});

const LOG_COLUMNS = {
  id: requestLogs.id,
  projectId: requestLogs.projectId,
  apiKeyId: requestLogs.apiKeyId,
  requestId: requestLogs.requestId,
  endpoint: requestLogs.endpoint,
  model: requestLogs.model,
  servedModel: requestLogs.servedModel,
  provider: requestLogs.provider,
  attempts: requestLogs.attempts,
  stream: requestLogs.stream,
  status: requestLogs.status,
  errorCode: requestLogs.errorCode,
  latencyMs: requestLogs.latencyMs,
  ttftMs: requestLogs.ttftMs,
  inputTokens: requestLogs.inputTokens,
  outputTokens: requestLogs.outputTokens,
  cachedInputTokens: requestLogs.cachedInputTokens,
  cacheWriteInputTokens: requestLogs.cacheWriteInputTokens,
  reasoningTokens: requestLogs.reasoningTokens,
  costMicroUsd: requestLogs.costMicroUsd,
  cacheStatus: requestLogs.cacheStatus,
  usageSource: requestLogs.usageSource,
  createdAt: requestLogs.createdAt,
  // Full precision for the cursor: a JavaScript Date keeps milliseconds only.
  cursorAt: sql<string>`${requestLogs.createdAt}::text`,
};

type LogRow = {
  [K in Exclude<keyof typeof LOG_COLUMNS, 'cursorAt'>]: (typeof requestLogs.$inferSelect)[K];
} & { cursorAt: string };

function toLogView(row: LogRow): z.input<typeof logView> {
  const { costMicroUsd, createdAt, cursorAt: _cursorAt, ...rest } = row;
  return { ...rest, costUsd: costMicroUsd === null ? null : costMicroUsd / 1_000_000, createdAt: createdAt.toISOString() };
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

function scopeCondition(scope: ProjectScope): SQL | undefined {
  if (scope === 'all') return undefined;
  return scope.size === 0 ? sql`false` : inArray(requestLogs.projectId, [...scope]);
}

function whereOf(orgId: string, filters: Filters, scope: ProjectScope, before?: LogCursor): SQL | undefined {
  const conditions: (SQL | undefined)[] = [eq(requestLogs.orgId, orgId), scopeCondition(scope)];
  if (filters.projectId !== undefined) conditions.push(eq(requestLogs.projectId, filters.projectId));
  if (filters.apiKeyId !== undefined) conditions.push(eq(requestLogs.apiKeyId, filters.apiKeyId));
  if (filters.model !== undefined) conditions.push(eq(requestLogs.model, filters.model));
  if (filters.provider !== undefined) conditions.push(eq(requestLogs.provider, filters.provider));
  if (filters.errorCode !== undefined) conditions.push(eq(requestLogs.errorCode, filters.errorCode));
  if (filters.requestId !== undefined) conditions.push(eq(requestLogs.requestId, filters.requestId));
  if (filters.status !== undefined) {
    if (filters.status.endsWith('xx')) {
      const low = Number(filters.status[0]) * 100;
      conditions.push(gte(requestLogs.status, low), lt(requestLogs.status, low + 100));
    } else conditions.push(eq(requestLogs.status, Number(filters.status)));
  }
  if (filters.from !== undefined) conditions.push(gte(requestLogs.createdAt, new Date(filters.from)));
  if (filters.to !== undefined) conditions.push(lt(requestLogs.createdAt, new Date(filters.to)));
  if (before !== undefined)
    conditions.push(
      or(
        sql`${requestLogs.createdAt} < ${before.at}::timestamptz`,
        and(sql`${requestLogs.createdAt} = ${before.at}::timestamptz`, lt(requestLogs.id, before.id)),
      ),
    );
  return and(...conditions);
}

async function pageOf(tx: Tx, orgId: string, filters: Filters, scope: ProjectScope, limit: number, before?: LogCursor) {
  const rows: LogRow[] = await tx
    .select(LOG_COLUMNS)
    .from(requestLogs)
    .where(whereOf(orgId, filters, scope, before))
    .orderBy(desc(requestLogs.createdAt), desc(requestLogs.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, next: rows.length > limit && last ? { at: last.cursorAt, id: last.id } : null };
}

/** One row of the org, or 404 (another org's, another project's, or none). */
async function logById(tx: Tx, orgId: string, id: string, scope: ProjectScope): Promise<LogRow> {
  const [row] = await tx
    .select(LOG_COLUMNS)
    .from(requestLogs)
    .where(and(eq(requestLogs.orgId, orgId), eq(requestLogs.id, id), scopeCondition(scope)))
    .limit(1);
  if (!row) throw notFound('Request log not found', 'request_log_not_found');
  return row;
}

const CSV_COLUMNS = [
  'id',
  'created_at',
  'project_id',
  'api_key_id',
  'request_id',
  'endpoint',
  'model',
  'served_model',
  'provider',
  'attempts',
  'stream',
  'status',
  'error_code',
  'latency_ms',
  'ttft_ms',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'cache_write_input_tokens',
  'reasoning_tokens',
  'cost_usd',
  'cache_status',
  // Last, so that readers of the earlier columns by position are unaffected.
  'usage_source',
] as const;

function csvLine(row: LogRow): string {
  const v = toLogView(row);
  return csvRow([
    v.id,
    v.createdAt,
    v.projectId,
    v.apiKeyId,
    v.requestId,
    v.endpoint,
    v.model,
    v.servedModel,
    v.provider,
    v.attempts,
    v.stream ? 'true' : 'false',
    v.status,
    v.errorCode,
    v.latencyMs,
    v.ttftMs,
    v.inputTokens,
    v.outputTokens,
    v.cachedInputTokens,
    v.cacheWriteInputTokens,
    v.reasoningTokens,
    v.costUsd,
    v.cacheStatus,
    v.usageSource,
  ]);
}

/** `20260102T030405Z`: sortable, and no character a filename or a header would need quoted. */
const fileStamp = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

const idParams = orgParams.extend({ requestLogId: z.uuid() });

export function requestLogRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'listRequestLogs',
      method: 'get',
      path: '/api/orgs/:orgId/request-logs',
      tag: TAG,
      summary: 'Request logs (one per gateway request), newest first',
      description:
        'Never a body. Filters combine with AND; unknown query parameters are a 400. Pass `nextCursor` as `before` for the next ' +
        'page (null on the last). A member limited to some projects sees only theirs; a `projectId` or `apiKeyId` the caller ' +
        'cannot see is 404.',
      permission: 'usage:read',
      params: orgParams,
      query: listQuerySchema,
      status: 200,
      response: z.object({ requestLogs: z.array(logView), nextCursor: z.string().nullable() }),
      async handler({ params, query, projects }) {
        const { limit, before, ...filters } = query;
        const { rows, next } = await deps.db.withTenant(params.orgId, async (tx) => {
          await assertFilterTargets(tx, filters, projects);
          return pageOf(tx, params.orgId, filters, projects, limit, before);
        });
        return { requestLogs: rows.map(toLogView), nextCursor: next ? encodeLogCursor(next) : null };
      },
    }),
    defineRoute({
      operationId: 'exportRequestLogs',
      method: 'get',
      path: '/api/orgs/:orgId/request-logs/export',
      tag: TAG,
      summary: 'Export request logs as CSV (streamed)',
      description:
        'The rows matching the filters (as for the list), newest first, never a body. A header record, then one row per record ' +
        "(RFC 4180); a cell starting with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'` so spreadsheets do not " +
        'run it as a formula. Each export is recorded as a `request_log.exported` audit event (its format and filters).',
      permission: 'usage:read',
      params: orgParams,
      query: exportQuerySchema,
      status: 200,
      response: streamedBody,
      produces: { 'text/csv': 'format=csv: a header record, then one request log per record.' },
      async handler({ params, query, projects, ctx, c }) {
        const { format, ...filters } = query;
        // Who took a copy of the org's traffic metadata, and which slice: recorded, and committed, before
        // the first byte (an export that fails midway was still attempted), in the transaction that checks the filters.
        await deps.db.withTenant(params.orgId, async (tx) => {
          await assertFilterTargets(tx, filters, projects);
          await recordAudit(tx, {
            orgId: params.orgId,
            actor: ctx.actor,
            requestId: ctx.requestId,
            action: 'request_log.exported',
            target: { type: 'request_log', id: null },
            diff: { format, filters: exportedFilters(filters) },
          });
        });
        // Rows written while the export streams are newer than its first row's time: left out.
        const startedAt = new Date();
        const encoder = new TextEncoder();
        let before: LogCursor | undefined;
        let pending = csvRow(CSV_COLUMNS);
        let cancelled = false;
        const stream = new ReadableStream<Uint8Array>(
          {
            async pull(controller) {
              try {
                const { rows, next } = await deps.db.withTenant(params.orgId, (tx) =>
                  pageOf(tx, params.orgId, { ...filters, to: filters.to ?? startedAt.toISOString() }, projects, EXPORT_BATCH_SIZE, before),
                );
                if (cancelled) return;
                const text = pending + rows.map(csvLine).join('');
                pending = '';
                if (text !== '') controller.enqueue(encoder.encode(text));
                if (next === null) controller.close();
                else before = next;
              } catch (error) {
                if (cancelled) return;
                deps.logger.error({ err: error, orgId: params.orgId }, 'request log export failed midway');
                controller.error(error);
              }
            },
            cancel() {
              cancelled = true;
            },
          },
          { highWaterMark: 0 },
        );
        return c.body(stream, 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="request-logs-${params.orgId}-${fileStamp(startedAt)}.csv"`,
        });
      },
    }),
    defineRoute({
      operationId: 'getRequestLog',
      method: 'get',
      path: '/api/orgs/:orgId/request-logs/:requestLogId',
      tag: TAG,
      summary: 'One request log, and whether its bodies are stored',
      permission: 'usage:read',
      params: idParams,
      status: 200,
      response: z.object({ requestLog: logView.extend({ bodyStored: z.boolean() }) }),
      async handler({ params, projects }) {
        const { row, bodyStored } = await deps.db.withTenant(params.orgId, async (tx) => {
          const row = await logById(tx, params.orgId, params.requestLogId, projects);
          const [body] = await tx
            .select({ id: requestBodies.id })
            .from(requestBodies)
            .where(and(eq(requestBodies.orgId, params.orgId), eq(requestBodies.requestLogId, row.id)))
            .limit(1);
          return { row, bodyStored: body !== undefined };
        });
        return { requestLog: { ...toLogView(row), bodyStored } };
      },
    }),
    defineRoute({
      operationId: 'getRequestLogBody',
      method: 'get',
      path: '/api/orgs/:orgId/request-logs/:requestLogId/body',
      tag: TAG,
      summary: 'The stored request and response bodies of one request, decrypted',
      description:
        'Only for projects that store bodies (`logBodies`); 404 `request_body_not_found` when none is stored. Every read is ' +
        'recorded as a `request_log.body_read` audit event, in the same transaction.',
      permission: 'request_bodies:read',
      params: idParams,
      status: 200,
      response: z.object({
        requestLogId: z.uuid(),
        request: z.string().meta({ description: 'The request body as the gateway received it (after input guardrails).' }),
        response: z
          .string()
          .nullable()
          .meta({ description: 'The response body, or null when none was stored (errors, streams cut short).' }),
      }),
      async handler({ params, projects, ctx }) {
        const read = bodyReader(params.orgId, deps.keyring);
        return deps.db.withTenant(params.orgId, async (tx) => {
          const row = await logById(tx, params.orgId, params.requestLogId, projects);
          const bodies = (await read(tx, [row.id])).get(row.id);
          if (bodies === undefined) throw notFound('No body is stored for this request', 'request_body_not_found');
          await recordAudit(tx, {
            orgId: params.orgId,
            actor: ctx.actor,
            requestId: ctx.requestId,
            action: 'request_log.body_read',
            target: { type: 'request_log', id: row.id },
            diff: { projectId: row.projectId },
          });
          return { requestLogId: row.id, request: bodies.request, response: bodies.response };
        });
      },
    }),
  ];
}
