/**
 * The org's audit trail through the api, for owners and admins:
 *
 * - the chain head: the position and hash of its latest audit event. An org that records it
 *   somewhere the operator cannot rewrite (a ticket, a notary, its own SIEM) can later prove that
 *   the trail it is shown still ends where it did — `portcullis audit verify` checks every link
 *   up to the head;
 * - the events, filtered, newest first, paged by cursor;
 * - an export (JSON Lines or CSV) of the filtered events in chain order, streamed in keyset
 *   batches so any size takes constant memory. The export is itself audited (`audit.exported`),
 *   before the first byte: reading the whole trail out is exactly what an intruder would do.
 */
import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { GENESIS_HASH, verifyTenantChain } from '../../audit/chain.js';
import { checkpointVerifierFromPublicKey } from '../../audit/checkpoint-signing.js';
import { keysetExportStream } from '../../audit/export-stream.js';
import { recordAudit } from '../../audit/record.js';
import { auditCheckpoints, auditEvents } from '../../db/schema/index.js';
import { auditEventBatch, auditHeadSeq, listAuditEvents } from '../../tenancy/audit-events.js';
import {
  beforeSchema,
  describeFilters,
  encodeSeqCursor,
  eventView,
  EXPORT_FORMAT,
  EXPORT_FORMATS,
  filterFields,
  filterOf,
  MAX_LIST_LIMIT,
  refineWindow,
  toEventView,
} from '../audit-log-view.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, streamedBody, type ApiRoute } from '../registry.js';
import { orgParams } from '../schemas.js';

/** Rows per export batch (one short transaction each): large enough to be quick, small enough to hold. */
const EXPORT_BATCH_SIZE = 1000;

// Strict: a misspelt filter must be a 400, not a silently unfiltered answer (or export).
const listQuerySchema = z
  .object({
    ...filterFields,
    limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(100),
    before: beforeSchema.optional(),
  })
  .strict()
  .superRefine(refineWindow);

const exportQuerySchema = z
  .object({ ...filterFields, format: z.enum(EXPORT_FORMATS) })
  .strict()
  .superRefine(refineWindow);

/** `20260102T030405Z`: sortable, and no character a filename or a header would need quoted. */
const fileStamp = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

const headView = z.object({
  /** Events in the chain (the latest one's position); 0 before the first. */
  seq: z.number().int(),
  /** SHA-256 (hex) of the latest event's link; 64 zeros before the first. */
  hash: z.string(),
  occurredAt: z.string().nullable(),
  /** Where retention last cut the chain (the events up to `seq` are gone), or null. */
  checkpoint: z
    .object({ seq: z.number().int(), hash: z.string(), prunedAt: z.string(), signature: z.string(), keyId: z.string() })
    .nullable(),
  /** The instance's key for checking checkpoint signatures (Ed25519, SPKI PEM). */
  checkpointKey: z.object({ keyId: z.string(), publicKeyPem: z.string() }).nullable(),
});

const verifyView = z.object({
  /** Whether every link from the checkpoint (or the first event) to the head holds. */
  ok: z.boolean(),
  /** Events verified (those after the latest retention checkpoint). */
  events: z.number().int(),
  head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
  checkpoint: z.object({ seq: z.number().int(), prunedAt: z.string(), keyId: z.string() }).optional(),
  /** The first broken link: its position and why (an edited, deleted or reordered event, a cut end, a bad checkpoint signature). */
  broken: z
    .object({
      seq: z.number().int(),
      reason: z.enum([
        'hash_mismatch',
        'prev_hash_mismatch',
        'seq_gap',
        'head_mismatch',
        'checkpoint_signature_invalid',
        'checkpoint_key_unknown',
      ]),
    })
    .optional(),
  verifiedAt: z.string(),
});

export function auditRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'getAuditChainHead',
      method: 'get',
      path: '/api/orgs/:orgId/audit/head',
      tag: 'Audit',
      summary: 'The head of the org’s audit hash chain, to anchor elsewhere',
      permission: 'audit:read',
      params: orgParams,
      status: 200,
      response: headView,
      async handler({ params }) {
        const { latest, checkpoint } = await deps.db.withTenant(params.orgId, async (tx) => {
          const [event] = await tx
            .select({ seq: auditEvents.seq, hash: auditEvents.hash, occurredAt: auditEvents.occurredAt })
            .from(auditEvents)
            .where(eq(auditEvents.orgId, params.orgId))
            .orderBy(desc(auditEvents.seq))
            .limit(1);
          const [cut] = await tx
            .select()
            .from(auditCheckpoints)
            .where(eq(auditCheckpoints.orgId, params.orgId))
            .orderBy(desc(auditCheckpoints.seq))
            .limit(1);
          return { latest: event, checkpoint: cut };
        });
        // Every event may be gone (all pruned): the checkpoint is then the head.
        const head = latest
          ? { seq: latest.seq, hash: latest.hash, occurredAt: latest.occurredAt.toISOString() }
          : checkpoint
            ? { seq: checkpoint.seq, hash: checkpoint.hash, occurredAt: null }
            : { seq: 0, hash: GENESIS_HASH, occurredAt: null };
        return {
          ...head,
          checkpoint: checkpoint
            ? {
                seq: checkpoint.seq,
                hash: checkpoint.hash,
                prunedAt: checkpoint.prunedAt.toISOString(),
                signature: checkpoint.signature,
                keyId: checkpoint.keyId,
              }
            : null,
          checkpointKey: deps.checkpointKey ?? null,
        };
      },
    }),
    defineRoute({
      operationId: 'verifyAuditChain',
      method: 'get',
      path: '/api/orgs/:orgId/audit/verify',
      tag: 'Audit',
      summary: 'Recomputes every link of the org’s audit hash chain and reports the first broken one',
      description:
        'Reads the chain from the latest retention checkpoint (its signature checked) to the head, in pages, and recomputes ' +
        'each hash, as `portcullis audit verify` does for one org. Its cost grows with the chain (about a second per 100,000 ' +
        'events); `ok: false` names the first broken link and why.',
      permission: 'audit:read',
      params: orgParams,
      status: 200,
      response: verifyView,
      async handler({ params }) {
        if (!deps.checkpointKey) throw new Error('the api has no checkpoint key to verify the audit chain with');
        const verifiers = [deps.checkpointKey, ...(deps.previousCheckpointKeys ?? [])].map(checkpointVerifierFromPublicKey);
        const report = await deps.db.withTenant(params.orgId, (tx) => verifyTenantChain(tx, params.orgId, verifiers));
        return { ...report, verifiedAt: new Date().toISOString() };
      },
    }),
    defineRoute({
      operationId: 'listAuditEvents',
      method: 'get',
      path: '/api/orgs/:orgId/audit/events',
      tag: 'Audit',
      summary: 'Audit events, newest first',
      description:
        'Filters combine with AND; unknown query parameters are a 400. Pass `nextCursor` as `before` for the next page ' +
        '(null on the last).',
      permission: 'audit:read',
      params: orgParams,
      query: listQuerySchema,
      status: 200,
      response: z.object({ events: z.array(eventView), nextCursor: z.string().nullable() }),
      async handler({ params, query }) {
        const { limit, before, ...filters } = query;
        const page = { limit, ...(before !== undefined ? { beforeSeq: before } : {}) };
        const { events, nextBeforeSeq } = await deps.db.withTenant(params.orgId, (tx) =>
          listAuditEvents(tx, params.orgId, filterOf(filters), page),
        );
        return { events: events.map(toEventView), nextCursor: nextBeforeSeq === null ? null : encodeSeqCursor(nextBeforeSeq) };
      },
    }),
    defineRoute({
      operationId: 'exportAuditEvents',
      method: 'get',
      path: '/api/orgs/:orgId/audit/export',
      tag: 'Audit',
      summary: 'Export audit events as JSON Lines or CSV (streamed)',
      description:
        'The events matching the filters, oldest first, up to the moment of the request (events written while it streams ' +
        'are not included). JSON Lines: one event per line, as the list shows it. CSV: a header, then one event per record ' +
        "(RFC 4180); a cell starting with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'` so spreadsheets " +
        'do not run it as a formula. Each export is recorded as an `audit.exported` event.',
      permission: 'audit:read',
      params: orgParams,
      query: exportQuerySchema,
      status: 200,
      response: streamedBody,
      produces: {
        'application/x-ndjson': 'format=jsonl: one event (as listed by listAuditEvents) per line.',
        'text/csv': 'format=csv: a header record, then one event per record; `diff` as JSON in one cell.',
      },
      async handler({ params, query, ctx, c }) {
        const { format, ...filters } = query;
        const filter = filterOf(filters);
        // Recorded, and committed, before the first byte: an export that fails midway was still attempted.
        // Its position bounds the export, so the download is the trail as of the request, not a moving target.
        const throughSeq = await deps.db.withTenant(params.orgId, async (tx) => {
          await recordAudit(tx, {
            orgId: params.orgId,
            actor: ctx.actor,
            requestId: ctx.requestId,
            action: 'audit.exported',
            target: { type: 'audit_log', id: null },
            diff: { format, filters: describeFilters(filters) },
          });
          return (await auditHeadSeq(tx, params.orgId)) - 1;
        });
        const { contentType, extension, header, line } = EXPORT_FORMAT[format];
        const stream = keysetExportStream({
          batch: (afterSeq, limit) =>
            deps.db.withTenant(params.orgId, (tx) => auditEventBatch(tx, params.orgId, filter, { afterSeq, throughSeq }, limit)),
          key: (row) => row.seq,
          startAfter: 0,
          batchSize: EXPORT_BATCH_SIZE,
          header,
          format: line,
          onError: (error) => deps.logger.error({ err: error, orgId: params.orgId }, 'audit export failed midway'),
        });
        return c.body(stream, 200, {
          'content-type': contentType,
          'content-disposition': `attachment; filename="audit-${params.orgId}-${fileStamp(new Date())}.${extension}"`,
        });
      },
    }),
  ];
}
