/**
 * The access review through the api, for owners and admins (`audit:read`, like the trail): every
 * member with their role, project access, second factors, last sign-in and last activity, every
 * admin token, and the pending invitations, with who and what has gone unused for `inactiveDays`
 * flagged (src/tenancy/access-review.ts says where each date comes from).
 *
 * Two routes over one report: JSON (checked against its schema like every JSON route) and a CSV
 * download for the auditor's spreadsheet. Both are bounded by the org's size, so neither streams.
 * Each generation is audited (`access_review.generated`) in the transaction that reads it: a list
 * of everyone with access and their security posture is worth knowing who pulled.
 */
import { z } from 'zod';
import { recordAudit } from '../../audit/record.js';
import type { ActionContext } from '../../audit/context.js';
import { roleSchema } from '../../auth/permissions.js';
import { buildAccessReview, type AccessReview } from '../../tenancy/access-review.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, streamedBody, type ApiRoute } from '../registry.js';
import { orgParams, timestampSchema } from '../schemas.js';
import { accessReviewCsv } from './access-review-csv.js';

const TAG = 'Audit';

const inactiveDaysField = z.coerce
  .number()
  .int()
  .min(1)
  .max(3650)
  .default(90)
  .meta({ description: 'Days without a sign-in or activity after which a member or live admin token is flagged inactive.' });

// Strict: a misspelt parameter must be a 400, not a report over a window nobody asked for.
const reviewQuery = z.object({ inactiveDays: inactiveDaysField }).strict();
const exportQuery = z.object({ inactiveDays: inactiveDaysField, format: z.enum(['csv']) }).strict();

const at = timestampSchema;
const maybeAt = timestampSchema.nullable();

const projectAccessView = z
  .union([z.literal('all'), z.array(z.object({ id: z.uuid(), name: z.string() }))])
  .meta({ description: "'all', or the projects a developer or viewer is (or, invited, will be) limited to." });

const reviewView = z.object({
  generatedAt: at,
  inactiveDays: z.number().int(),
  members: z.array(
    z.object({
      userId: z.string(),
      name: z.string(),
      email: z.string(),
      role: roleSchema,
      projectAccess: projectAccessView,
      twoFactor: z.boolean(),
      passkeys: z.number().int(),
      joinedAt: at,
      lastSignInAt: maybeAt.meta({
        description: 'Latest session start still on record or passkey sign-in; sessions are deleted at sign-out and expiry.',
      }),
      lastActivityAt: maybeAt.meta({ description: 'Latest event by this member in the org’s audit trail.' }),
      inactive: z.boolean(),
    }),
  ),
  adminTokens: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      role: roleSchema,
      createdAt: at,
      expiresAt: maybeAt,
      revokedAt: maybeAt,
      lastUsedAt: maybeAt,
      inactive: z.boolean().meta({ description: 'Live (neither revoked nor expired) and unused for inactiveDays.' }),
    }),
  ),
  pendingInvitations: z.array(
    z.object({ email: z.string(), role: roleSchema, projectAccess: projectAccessView, invitedAt: at, expiresAt: at }),
  ),
});

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

function toView(review: AccessReview): z.input<typeof reviewView> {
  return {
    generatedAt: review.generatedAt.toISOString(),
    inactiveDays: review.inactiveDays,
    members: review.members.map((m) => ({
      ...m,
      joinedAt: m.joinedAt.toISOString(),
      lastSignInAt: iso(m.lastSignInAt),
      lastActivityAt: iso(m.lastActivityAt),
    })),
    adminTokens: review.adminTokens.map((t) => ({
      ...t,
      createdAt: t.createdAt.toISOString(),
      expiresAt: iso(t.expiresAt),
      revokedAt: iso(t.revokedAt),
      lastUsedAt: iso(t.lastUsedAt),
    })),
    pendingInvitations: review.pendingInvitations.map((i) => ({
      ...i,
      invitedAt: i.invitedAt.toISOString(),
      expiresAt: i.expiresAt.toISOString(),
    })),
  };
}

/** Reads the review and records that it was generated, in one transaction. */
async function generate(deps: ApiDeps, orgId: string, inactiveDays: number, format: 'json' | 'csv', ctx: ActionContext) {
  return deps.db.withTenant(orgId, async (tx) => {
    const review = await buildAccessReview(tx, orgId, inactiveDays);
    await recordAudit(tx, {
      orgId,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'access_review.generated',
      target: { type: 'access_review', id: null },
      diff: {
        format,
        inactiveDays,
        members: review.members.length,
        inactiveMembers: review.members.filter((m) => m.inactive).length,
        adminTokens: review.adminTokens.length,
        pendingInvitations: review.pendingInvitations.length,
      },
    });
    return review;
  });
}

/** `20260102T030405Z`: sortable, and nothing a filename would need quoted. */
const fileStamp = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

export function accessReviewRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'getAccessReview',
      method: 'get',
      path: '/api/orgs/:orgId/access-review',
      tag: TAG,
      summary: 'Access review: members, admin tokens and invitations, with inactive ones flagged',
      description:
        'Every member (role, project access, two-factor, passkeys, last sign-in, last activity), every admin token and the ' +
        'pending invitations. Inactive: no sign-in, activity, joining (or token use, creation) within `inactiveDays`. ' +
        'Each report is recorded as an `access_review.generated` event.',
      permission: 'audit:read',
      params: orgParams,
      query: reviewQuery,
      status: 200,
      response: reviewView,
      async handler({ params, query, ctx }) {
        return toView(await generate(deps, params.orgId, query.inactiveDays, 'json', ctx));
      },
    }),
    defineRoute({
      operationId: 'exportAccessReview',
      method: 'get',
      path: '/api/orgs/:orgId/access-review/export',
      tag: TAG,
      summary: 'Access review as CSV',
      description:
        'The same report as one CSV (RFC 4180) with a `kind` column (`member`, `admin_token`, `invitation`); a cell starting ' +
        "with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'` so spreadsheets do not run it as a formula. " +
        'Recorded as an `access_review.generated` event.',
      permission: 'audit:read',
      params: orgParams,
      query: exportQuery,
      status: 200,
      response: streamedBody,
      produces: { 'text/csv': 'A header record, then one record per member, admin token and pending invitation.' },
      async handler({ params, query, ctx, c }) {
        const review = await generate(deps, params.orgId, query.inactiveDays, query.format, ctx);
        return c.body(accessReviewCsv(review), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="access-review-${params.orgId}-${fileStamp(review.generatedAt)}.csv"`,
        });
      },
    }),
  ];
}
