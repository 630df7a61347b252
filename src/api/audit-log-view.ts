/**
 * The audit log as the api shows it: the filters both the list and the export take, the list's
 * cursor, the event view, and the export formats (JSON Lines: one event view per line; CSV: the
 * same fields flattened, one event per record).
 */
import { cursorParam, encodeCursor } from './cursor.js';
import { z } from 'zod';
import { AUDIT_ACTIONS } from '../audit/actions.js';
import { csvRow } from '../audit/csv.js';
import type { AuditActionFilter, AuditEventFilter, AuditEventRow } from '../tenancy/audit-events.js';
import { timestampSchema } from './schemas.js';

export const MAX_LIST_LIMIT = 1000;
const ACTOR_TYPES = ['user', 'token', 'api_key', 'system'] as const;
const OUTCOMES = ['success', 'failure'] as const;
export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * An action name from the documented list, or `<prefix>.*` for every action under a prefix
 * (`api_key.*`). Anything that matches no known action is a 400: a misspelt filter must not look
 * like an empty trail.
 */
const actionSchema = z
  .string()
  .max(100)
  .transform((value, ctx): AuditActionFilter => {
    const prefix = value.endsWith('.*') ? value.slice(0, -2) : undefined;
    if (prefix === undefined && (AUDIT_ACTIONS as readonly string[]).includes(value)) return { kind: 'exact', value };
    if (prefix !== undefined && prefix !== '' && AUDIT_ACTIONS.some((action) => action.startsWith(`${prefix}.`)))
      return { kind: 'prefix', value: prefix };
    ctx.addIssue({ code: 'custom', message: 'is not an audit action, or a prefix of some, followed by .*' });
    return z.NEVER;
  })
  .meta({ description: 'An action (`api_key.created`), or every action under a prefix (`api_key.*`).' });

/** The filters (AND), as the query sends them. */
export const filterFields = {
  actorType: z.enum(ACTOR_TYPES).optional(),
  actorId: z.string().min(1).max(200).optional().meta({ description: 'A user id, token id or API key id; `cli@host` for the CLI.' }),
  action: actionSchema.optional(),
  targetType: z.string().min(1).max(50).optional(),
  targetId: z.string().min(1).max(200).optional(),
  outcome: z.enum(OUTCOMES).optional(),
  since: timestampSchema.optional().meta({ description: 'Inclusive, ISO 8601 with offset.' }),
  until: timestampSchema.optional().meta({ description: 'Exclusive, ISO 8601 with offset.' }),
};

type FilterQuery = z.output<z.ZodObject<typeof filterFields>>;

/** since ≤ until. */
export function refineWindow(query: { since?: string; until?: string }, ctx: z.RefinementCtx): void {
  if (query.since !== undefined && query.until !== undefined && Date.parse(query.since) > Date.parse(query.until))
    ctx.addIssue({ code: 'custom', path: ['until'], message: 'must not be before since' });
}

export function filterOf(query: FilterQuery): AuditEventFilter {
  const { since, until, ...exact } = query;
  const defined = Object.fromEntries(Object.entries(exact).filter(([, value]) => value !== undefined)) as Omit<
    AuditEventFilter,
    'since' | 'until'
  >;
  return {
    ...defined,
    ...(since !== undefined ? { since: new Date(since) } : {}),
    ...(until !== undefined ? { until: new Date(until) } : {}),
  };
}

/** The filters as the client sent them, for the export's own audit event. */
export function describeFilters(query: FilterQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    out[name] = typeof value === 'string' ? value : value.kind === 'prefix' ? `${value.value}.*` : value.value;
  }
  return out;
}

/** Opaque to clients (base64url JSON), so the paging key can change without breaking them. */
export function encodeSeqCursor(beforeSeq: number): string {
  return encodeCursor({ s: beforeSeq });
}

export const beforeSchema = cursorParam(z.object({ s: z.number().int().positive() }).strict(), (decoded) => decoded.s);

export const eventView = z.object({
  id: z.uuid(),
  seq: z.number().int().meta({ description: 'Position in the org’s audit hash chain.' }),
  occurredAt: timestampSchema,
  actor: z.object({
    type: z.enum(ACTOR_TYPES),
    id: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string().nullable() }).nullable(),
  outcome: z.enum(OUTCOMES),
  reason: z.string().nullable(),
  requestId: z.string().nullable(),
  diff: z.record(z.string(), z.unknown()).nullable(),
  hash: z.string().meta({ description: 'SHA-256 (hex) of this event’s link in the chain.' }),
});
export type EventView = z.input<typeof eventView>;

export function toEventView(row: AuditEventRow): EventView {
  return {
    id: row.id,
    seq: row.seq,
    occurredAt: row.occurredAt.toISOString(),
    actor: { type: row.actorType, id: row.actorId, ip: row.actorIp, userAgent: row.userAgent },
    action: row.action,
    target: row.targetType === null ? null : { type: row.targetType, id: row.targetId },
    outcome: row.outcome,
    reason: row.reason,
    requestId: row.requestId,
    diff: row.diff,
    hash: row.hash,
  };
}

const CSV_COLUMNS = [
  'seq',
  'id',
  'occurredAt',
  'actorType',
  'actorId',
  'actorIp',
  'actorUserAgent',
  'action',
  'targetType',
  'targetId',
  'outcome',
  'reason',
  'requestId',
  'diff',
  'hash',
] as const;

/** Per format: media type, file extension, header and one row's text. */
export const EXPORT_FORMAT: Readonly<
  Record<ExportFormat, { contentType: string; extension: string; header: string; line: (row: AuditEventRow) => string }>
> = {
  jsonl: {
    contentType: 'application/x-ndjson',
    extension: 'jsonl',
    header: '',
    line: (row) => `${JSON.stringify(toEventView(row))}\n`,
  },
  csv: {
    contentType: 'text/csv; charset=utf-8',
    extension: 'csv',
    header: csvRow(CSV_COLUMNS),
    line: (row) =>
      csvRow([
        row.seq,
        row.id,
        row.occurredAt.toISOString(),
        row.actorType,
        row.actorId,
        row.actorIp,
        row.userAgent,
        row.action,
        row.targetType,
        row.targetId,
        row.outcome,
        row.reason,
        row.requestId,
        row.diff === null ? null : JSON.stringify(row.diff),
        row.hash,
      ]),
  },
};
