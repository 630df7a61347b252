/**
 * The org's audit chain head: the position and hash of its latest audit event. An org that
 * records it somewhere the operator cannot rewrite (a ticket, a notary, its own SIEM) can later
 * prove that the trail it is shown still ends where it did — `portcullis audit verify` checks
 * every link up to the head.
 */
import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { GENESIS_HASH } from '../../audit/chain.js';
import { auditEvents } from '../../db/schema/index.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type ApiRoute } from '../registry.js';
import { orgParams } from '../schemas.js';

const headView = z.object({
  /** Events in the chain (the latest one's position); 0 before the first. */
  seq: z.number().int(),
  /** SHA-256 (hex) of the latest event's link; 64 zeros before the first. */
  hash: z.string(),
  occurredAt: z.string().nullable(),
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
        const [latest] = await deps.db.withTenant(params.orgId, (tx) =>
          tx
            .select({ seq: auditEvents.seq, hash: auditEvents.hash, occurredAt: auditEvents.occurredAt })
            .from(auditEvents)
            .where(eq(auditEvents.orgId, params.orgId))
            .orderBy(desc(auditEvents.seq))
            .limit(1),
        );
        return latest
          ? { seq: latest.seq, hash: latest.hash, occurredAt: latest.occurredAt.toISOString() }
          : { seq: 0, hash: GENESIS_HASH, occurredAt: null };
      },
    }),
  ];
}
