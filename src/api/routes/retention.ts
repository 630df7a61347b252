/**
 * The org's retention settings (governance/retention-policy.ts): audit events by plan (only an
 * Enterprise org chooses its own days), request logs and bodies by the org's own setting, and the
 * zero-retention mode. A change is audited (`retention.changed`) in the same transaction and
 * reaches every gateway at once (`org.changed`: zero retention turns stored bodies and the cache off).
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { recordAudit } from '../../audit/record.js';
import { announce } from '../../credentials/announce.js';
import { organizations } from '../../db/schema/index.js';
import { auditRetentionDays, MAX_AUDIT_DAYS, MIN_AUDIT_DAYS, type RetentionSettings } from '../../governance/retention-policy.js';
import { HttpError, notFound } from '../../http/errors.js';
import { getOrganization } from '../../tenancy/organizations.js';
import { parseOrgSettings } from '../../tenancy/settings.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type ApiRoute } from '../registry.js';
import { orgParams } from '../schemas.js';

const retentionView = z.object({
  plan: z.string(),
  /** Days audit events are kept, as applied (the plan's, or the Enterprise org's own). */
  auditDays: z.number().int(),
  /** The Enterprise org's own audit days; null = the plan default. */
  auditDaysSetting: z.number().int().nullable(),
  requestLogDays: z.number().int(),
  zeroRetention: z.boolean(),
});

const retentionUpdate = z
  .object({
    auditDays: z.number().int().min(MIN_AUDIT_DAYS).max(MAX_AUDIT_DAYS).nullable().optional(),
    requestLogDays: z.number().int().min(1).max(MAX_AUDIT_DAYS).optional(),
    zeroRetention: z.boolean().optional(),
  })
  .strict();

function view(plan: Parameters<typeof auditRetentionDays>[0], retention: RetentionSettings): z.infer<typeof retentionView> {
  return {
    plan,
    auditDays: auditRetentionDays(plan, retention),
    auditDaysSetting: retention.auditDays,
    requestLogDays: retention.requestLogDays,
    zeroRetention: retention.zeroRetention,
  };
}

export function retentionRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'getRetention',
      method: 'get',
      path: '/api/orgs/:orgId/retention',
      tag: 'Organizations',
      summary: 'How long the org’s audit events, request logs and bodies are kept',
      permission: 'org:read',
      params: orgParams,
      status: 200,
      response: retentionView,
      async handler({ params }) {
        const org = await deps.db.withTenant(params.orgId, (tx) => getOrganization(tx, params.orgId));
        if (!org) throw notFound();
        return view(org.plan, parseOrgSettings(org.id, org.settings).retention);
      },
    }),
    defineRoute({
      operationId: 'setRetention',
      method: 'put',
      path: '/api/orgs/:orgId/retention',
      tag: 'Organizations',
      summary: 'Change the org’s retention (audited)',
      description:
        'Fields left out stay as they are. `auditDays` (30 days to 7 years) is for Enterprise orgs only: Free keeps audit events 30 days, ' +
        'Pro 90 (400 `retention_not_configurable` otherwise). `zeroRetention`: no bodies stored, no response cache.',
      permission: 'org:write',
      params: orgParams,
      body: retentionUpdate,
      status: 200,
      response: retentionView,
      async handler({ params, body, ctx }) {
        const result = await deps.db.withTenant(params.orgId, async (tx) => {
          const org = await getOrganization(tx, params.orgId);
          if (!org) throw notFound();
          if (body.auditDays !== undefined && body.auditDays !== null && org.plan !== 'enterprise')
            throw new HttpError(
              400,
              'invalid_request_error',
              'retention_not_configurable',
              `Audit retention is fixed on the ${org.plan} plan (${auditRetentionDays(org.plan, { auditDays: null, requestLogDays: 30, zeroRetention: false })} days); Enterprise orgs choose their own.`,
            );
          const settings = parseOrgSettings(org.id, org.settings);
          const next: RetentionSettings = {
            auditDays: body.auditDays === undefined ? settings.retention.auditDays : body.auditDays,
            requestLogDays: body.requestLogDays ?? settings.retention.requestLogDays,
            zeroRetention: body.zeroRetention ?? settings.retention.zeroRetention,
          };
          const changed = JSON.stringify(next) !== JSON.stringify(settings.retention);
          if (changed) {
            await tx
              .update(organizations)
              .set({ settings: { ...settings, retention: next }, updatedAt: new Date() })
              .where(eq(organizations.id, org.id));
            await recordAudit(tx, {
              orgId: org.id,
              actor: ctx.actor,
              requestId: ctx.requestId,
              action: 'retention.changed',
              target: { type: 'org', id: org.id },
              diff: { from: settings.retention, to: next },
            });
          }
          return { changed, body: view(org.plan, next) };
        });
        if (result.changed) await announce(deps.bus, { type: 'org.changed', orgId: params.orgId }, deps.logger);
        return result.body;
      },
    }),
  ];
}
