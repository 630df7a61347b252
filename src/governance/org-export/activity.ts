/**
 * The org's activity in the export: request logs (with their stored bodies, decrypted, only when
 * asked), guardrail events, monthly usage and the audit trail. The big tables are read in keyset
 * pages, one short transaction each. Audit events go through the audit log's own view
 * (api/audit-log-view.ts), so they read exactly as the audit export shows them.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { toEventView } from '../../api/audit-log-view.js';
import type { MasterKeyring } from '../../crypto/master-keyring.js';
import { queryRows } from '../../db/rows.js';
import { guardrailEvents, requestLogs } from '../../db/schema/index.js';
import type { ScopedDatabase } from '../../db/tenant.js';
import { auditEventBatch } from '../../tenancy/audit-events.js';
import { bodyReader } from './bodies.js';
import type { ExportRecord } from './configuration.js';
import { mapPages, pagesById } from './pages.js';

const BATCH = 1000;
/** Bodies can be megabytes each: far fewer logs per page when they come along. */
const BATCH_WITH_BODIES = 50;
const iso = (d: Date | null) => d?.toISOString() ?? null;

export type ActivityOptions = {
  /** Decrypt and include stored request/response bodies. */
  bodies: boolean;
  keyring: MasterKeyring;
  /** The audit trail up to here (the export's own `org.exported` event included). */
  throughSeq: number;
};

function requestLogPages(db: ScopedDatabase, orgId: string, options: ActivityOptions) {
  const readBodies = options.bodies ? bodyReader(orgId, options.keyring) : undefined;
  const read = (afterId: string | null, limit: number) =>
    db.withTenant(orgId, async (tx) => {
      const logs = await tx
        .select()
        .from(requestLogs)
        .where(and(eq(requestLogs.orgId, orgId), afterId === null ? undefined : gt(requestLogs.id, afterId)))
        .orderBy(asc(requestLogs.id))
        .limit(limit);
      const bodies = readBodies
        ? await readBodies(
            tx,
            logs.map((l) => l.id),
          )
        : undefined;
      return logs.map((log) => ({ log, bodies: bodies?.get(log.id) ?? null }));
    });
  const pages = pagesById(
    async (afterId, limit) => (await read(afterId, limit)).map((row) => ({ id: row.log.id, ...row })),
    options.bodies ? BATCH_WITH_BODIES : BATCH,
  );
  return mapPages(pages, (rows) =>
    rows.map(({ log, bodies }): ExportRecord => {
      const { orgId: _org, createdAt, ...fields } = log;
      return { type: 'request_log', ...fields, createdAt: iso(createdAt), ...(options.bodies ? { bodies } : {}) };
    }),
  );
}

function guardrailEventPages(db: ScopedDatabase, orgId: string) {
  const read = (afterId: string | null, limit: number) =>
    db.withTenant(orgId, (tx) =>
      tx
        .select()
        .from(guardrailEvents)
        .where(and(eq(guardrailEvents.orgId, orgId), afterId === null ? undefined : gt(guardrailEvents.id, afterId)))
        .orderBy(asc(guardrailEvents.id))
        .limit(limit),
    );
  return mapPages(pagesById(read, BATCH), (rows) =>
    rows.map(({ orgId: _org, createdAt, ...fields }): ExportRecord => ({ type: 'guardrail_event', ...fields, createdAt: iso(createdAt) })),
  );
}

type UsageRow = {
  month: string;
  project_id: string | null;
  api_key_id: string | null;
  requests: string | number;
  input_tokens: string | number | null;
  output_tokens: string | number | null;
  cost_micro_usd: string | number | null;
};

/** Usage per calendar month (UTC), project and API key, summed from the request logs (there is no other usage store). */
async function* usage(db: ScopedDatabase, orgId: string): AsyncGenerator<ExportRecord[]> {
  const rows = await db.withTenant(orgId, (tx) =>
    queryRows<UsageRow>(
      tx,
      sql`select to_char(date_trunc('month', created_at at time zone 'UTC'), 'YYYY-MM') as month, project_id, api_key_id,
            count(*) as requests, sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens, sum(cost_micro_usd) as cost_micro_usd
          from request_logs where org_id = ${orgId} and usage_counted
          group by 1, 2, 3 order by 1, 2, 3`,
    ),
  );
  const num = (v: string | number | null) => (v === null ? 0 : Number(v));
  yield rows.map((r): ExportRecord => ({
    type: 'usage',
    month: r.month,
    projectId: r.project_id,
    apiKeyId: r.api_key_id,
    requests: num(r.requests),
    inputTokens: num(r.input_tokens),
    outputTokens: num(r.output_tokens),
    costMicroUsd: num(r.cost_micro_usd),
  }));
}

async function* auditEventPages(db: ScopedDatabase, orgId: string, throughSeq: number): AsyncGenerator<ExportRecord[]> {
  let afterSeq = 0;
  for (;;) {
    const rows = await db.withTenant(orgId, (tx) => auditEventBatch(tx, orgId, {}, { afterSeq, throughSeq }, BATCH));
    if (rows.length > 0) yield rows.map((row): ExportRecord => ({ type: 'audit_event', ...toEventView(row) }));
    const last = rows.at(-1);
    if (rows.length < BATCH || last === undefined) return;
    afterSeq = last.seq;
  }
}

export async function* activityRecords(db: ScopedDatabase, orgId: string, options: ActivityOptions): AsyncGenerator<ExportRecord[]> {
  yield* requestLogPages(db, orgId, options);
  yield* guardrailEventPages(db, orgId);
  yield* usage(db, orgId);
  yield* auditEventPages(db, orgId, options.throughSeq);
}
