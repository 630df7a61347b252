/**
 * `GET /api/orgs/:orgId/export`: the whole org as one JSON Lines download (GDPR portability for
 * the tenant, and what an owner takes along before deleting the org). Owner only (`org:write`): it
 * holds every member's email, the whole audit trail and, when asked, the prompts and answers
 * themselves — more than any admin reads through the api. Recorded as `org.exported` and committed
 * before the first byte, like `audit.exported`: an export that fails midway was still attempted.
 * Decrypted bodies are a read of stored bodies; the same event records that they were included.
 */
import { z } from 'zod';
import { recordAudit } from '../../audit/record.js';
import { ndjsonStream, orgExportRecords } from '../../governance/org-export/index.js';
import { auditHeadSeq } from '../../tenancy/audit-events.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, streamedBody, type ApiRoute } from '../registry.js';
import { orgParams } from '../schemas.js';

// Strict: a misspelt `include` must be a 400, not an export silently without bodies.
const exportQuerySchema = z
  .object({
    include: z
      .enum(['bodies'])
      .optional()
      .meta({ description: '`bodies`: also the stored request and response bodies, decrypted (projects that store them).' }),
  })
  .strict();

/** `20260102T030405Z`: sortable, and no character a filename or a header would need quoted. */
const fileStamp = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

export function orgExportRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'exportOrganization',
      method: 'get',
      path: '/api/orgs/:orgId/export',
      tag: 'Organizations',
      summary: 'Export all of the organization’s data as JSON Lines (streamed)',
      description:
        'One record per line, `{"type": …}`: `organization`, `project`, `member`, `invitation`, `api_key`, `admin_token`, ' +
        '`provider_key`, `guardrail_policy`, `request_log`, `guardrail_event`, `usage` (per month, project and key) and ' +
        '`audit_event` (as the audit export shows them). Never a secret: keys and tokens as metadata only. ' +
        '`include=bodies` adds the stored request and response bodies, decrypted, to each request log. ' +
        'Recorded as an `org.exported` event before the first byte.',
      permission: 'org:write',
      params: orgParams,
      query: exportQuerySchema,
      status: 200,
      response: streamedBody,
      produces: { 'application/x-ndjson': 'One record per line; the `type` field says which.' },
      async handler({ params, query, ctx, c }) {
        const bodies = query.include === 'bodies';
        const throughSeq = await deps.db.withTenant(params.orgId, async (tx) => {
          await recordAudit(tx, {
            orgId: params.orgId,
            actor: ctx.actor,
            requestId: ctx.requestId,
            action: 'org.exported',
            target: { type: 'org', id: params.orgId },
            diff: { format: 'jsonl', include: bodies ? ['bodies'] : [] },
          });
          // The trail as of the request, its own export event included.
          return auditHeadSeq(tx, params.orgId);
        });
        const records = orgExportRecords(deps.db, params.orgId, { bodies, keyring: deps.keyring, throughSeq });
        const stream = ndjsonStream(records, (error) => deps.logger.error({ err: error, orgId: params.orgId }, 'org export failed midway'));
        return c.body(stream, 200, {
          'content-type': 'application/x-ndjson',
          'content-disposition': `attachment; filename="org-${params.orgId}-${fileStamp(new Date())}.jsonl"`,
        });
      },
    }),
  ];
}
