/**
 * Members and invitations of an org.
 *
 * Rules beyond the permission table: only owners manage owners (promote to, demote or remove an
 * owner); nobody grants or invites a role above their own; the last owner can be neither demoted
 * nor removed (409 `last_owner`); any member may remove themselves (leave), even without
 * `members:write`, unless they are the last owner. Every change is audited in its transaction;
 * a role change or removal ends the member's sessions (tenancy/members.ts).
 *
 * Project-level access: a developer or viewer can be limited to some projects of the org
 * (`projectIds`; null for every project). Admins and owners never are (400 `project_access_role`),
 * and every listed id must be a project of this org (404 `project_not_found`, as for any id of another org). The registry and the
 * routes enforce the list on the member's next request.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { z } from 'zod';
import { can, canGrantRole, roleSchema, type Role } from '../../auth/permissions.js';
import { inProjectScope, type Principal, type ProjectScope } from '../../auth/principal.js';
import { members, projects, users } from '../../db/schema/index.js';
import type { Tx } from '../../db/types.js';
import { invitationMail } from '../../email/templates.js';
import { HttpError, badRequest, forbidden, notFound, serviceUnavailable, tooManyRequests } from '../../http/errors.js';
import { createInvitation, invitationLink, listPendingInvitations, revokeInvitation } from '../../tenancy/invitations.js';
import { isProjectRestrictable, normalizeProjectIds, ownerCount, removeMember, updateMember, type Member } from '../../tenancy/members.js';
import { announceReleased } from '../../tenancy/member-credentials.js';
import { signalRoleGranted } from '../../alerts/hooks.js';
import { getOrganization } from '../../tenancy/organizations.js';
import { getUser } from '../../tenancy/users.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { defineRoute, noContent, type ApiRoute } from '../registry.js';
import { orgParams, timestampSchema } from '../schemas.js';

const TAG = 'Members';
const memberParams = orgParams.extend({ memberId: z.uuid() });
const invitationParams = orgParams.extend({ invitationId: z.uuid() });

const memberView = z.object({
  id: z.uuid(),
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  projectIds: z
    .array(z.uuid())
    .nullable()
    .meta({ description: 'The only projects this developer or viewer may see and work in; null: every project of the org.' }),
  createdAt: timestampSchema,
});

/** Enough for any real team; a bound keeps one request's work (and the audit diff) small. */
const MAX_PROJECT_IDS = 100;

/** A project list as a request gives it: up to MAX_PROJECT_IDS ids, or null for every project. */
const projectIdsInput = z.array(z.uuid()).max(MAX_PROJECT_IDS).nullable();

const updateMemberBody = z
  .strictObject({
    role: roleSchema.optional(),
    projectIds: projectIdsInput.optional().meta({
      description:
        'Limit a developer or viewer to these projects (duplicates ignored; `[]`: none yet), or null for every project. ' +
        'Omitted: unchanged (cleared when the role becomes admin or owner).',
    }),
  })
  .refine((body) => body.role !== undefined || body.projectIds !== undefined, { message: 'role or projectIds is required' });

const invitationView = z.object({
  id: z.uuid(),
  email: z.string(),
  role: roleSchema,
  projectIds: z
    .array(z.uuid())
    .nullable()
    .meta({ description: 'The projects the invited developer or viewer will be limited to; null: every project of the org.' }),
  expiresAt: timestampSchema,
  createdAt: timestampSchema,
});

const createInvitationBody = z.strictObject({
  email: z.email().max(254),
  role: roleSchema,
  projectIds: projectIdsInput.optional().meta({
    description:
      'Limit the invited developer or viewer to these projects from their first request (duplicates ignored; `[]`: none yet); ' +
      'omitted or null: every project. Projects deleted before the invitation is accepted are left out of the list.',
  }),
});

const notRestrictable = (role: Role) =>
  badRequest(`Only developers and viewers can be limited to projects; a ${role} reaches every project.`, 'project_access_role');

const lastOwner = () =>
  new HttpError(409, 'invalid_request_error', 'last_owner', 'The organization needs at least one owner: make another member owner first.');
const ownersOnly = () => forbidden('Only an owner can promote to, demote or remove an owner.', 'owner_required');
const roleTooHigh = () => forbidden('You cannot grant a role above your own.', 'role_too_high');

async function memberRow(tx: Tx, orgId: string, memberId: string): Promise<Member> {
  const [row] = await tx
    .select()
    .from(members)
    .where(and(eq(members.orgId, orgId), eq(members.id, memberId)))
    .limit(1);
  if (!row) throw notFound('Member not found', 'member_not_found');
  return row;
}

/**
 * A member as the api shows them. A caller limited to some projects sees others' project lists cut
 * down to those projects: the ids of the rest are not theirs to learn.
 */
const memberOut = (member: Member, user: { email: string; name: string }, scope: ProjectScope = 'all') => ({
  id: member.id,
  userId: member.userId,
  email: user.email,
  name: user.name,
  role: member.role,
  projectIds: normalizeProjectIds(member.projectIds)?.filter((id) => inProjectScope(scope, id)) ?? null,
  createdAt: member.createdAt.toISOString(),
});

/**
 * Refuses ids that are not projects of this org with the 404 every route gives an id of another
 * org (checked before anything else about the request, so such an id is never told apart).
 */
async function assertOrgProjects(tx: Tx, orgId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await tx
    .select({ id: projects.id })
    .from(projects)
    .where(and(eq(projects.orgId, orgId), inArray(projects.id, [...ids])));
  const known = new Set(found.map((row) => row.id.toLowerCase()));
  // The same answer as an id that exists nowhere, without echoing it (the isolation suite checks both).
  if (ids.some((id) => !known.has(id))) throw notFound('Project not found', 'project_not_found');
}

const isSelf = (principal: Principal, member: Member) => principal.kind === 'session' && principal.userId === member.userId;

export function memberRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'listMembers',
      method: 'get',
      path: '/api/orgs/:orgId/members',
      tag: TAG,
      summary: 'Members of the organization',
      description: 'A caller limited to some projects sees only those in other members’ `projectIds`.',
      permission: 'members:read',
      params: orgParams,
      status: 200,
      response: z.object({ members: z.array(memberView) }),
      async handler({ params, projects: scope }) {
        const rows = await deps.db.withTenant(params.orgId, (tx) =>
          tx
            .select({ member: members, email: users.email, name: users.name })
            .from(members)
            .innerJoin(users, eq(users.id, members.userId))
            .where(eq(members.orgId, params.orgId))
            .orderBy(asc(sql`lower(${users.email})`)),
        );
        return { members: rows.map((r) => memberOut(r.member, r, scope)) };
      },
    }),
    defineRoute({
      operationId: 'updateMember',
      method: 'patch',
      path: '/api/orgs/:orgId/members/:memberId',
      tag: TAG,
      summary: "Change a member's role or project access",
      description:
        'A role change ends the member’s sessions; a change of `projectIds` alone applies from their next request. ' +
        'Only owners promote to or demote from owner, or change an owner; nobody grants a role above their own; ' +
        'the last owner cannot be demoted (409 `last_owner`). Only developers and viewers can be limited to projects ' +
        '(400 `project_access_role`); every id must be a project of this org (404 `project_not_found`).',
      permission: 'members:write',
      params: memberParams,
      body: updateMemberBody,
      status: 200,
      errors: [409],
      response: z.object({ member: memberView }),
      async handler({ params, body, role, ctx }) {
        const { out, grant } = await deps.db.withTenant(params.orgId, async (tx) => {
          if (body.projectIds) await assertOrgProjects(tx, params.orgId, normalizeProjectIds(body.projectIds) ?? []);
          const member = await memberRow(tx, params.orgId, params.memberId);
          const nextRole = body.role ?? member.role;
          if ((member.role === 'owner' || nextRole === 'owner') && role !== 'owner') throw ownersOnly();
          if (!canGrantRole(role, nextRole)) throw roleTooHigh();
          const projectIds = body.projectIds === undefined ? member.projectIds : normalizeProjectIds(body.projectIds);
          if (body.projectIds !== undefined && body.projectIds !== null && !isProjectRestrictable(nextRole))
            throw notRestrictable(nextRole);
          if (member.role === 'owner' && nextRole !== 'owner' && (await ownerCount(tx, params.orgId)) <= 1) throw lastOwner();
          const updated = await updateMember(tx, member, { role: nextRole, projectIds }, ctx);
          const user = await getUser(tx, member.userId);
          return {
            out: { member: memberOut(updated, { email: user?.email ?? '', name: user?.name ?? '' }) },
            grant: { orgId: params.orgId, userId: member.userId, from: member.role, to: nextRole },
          };
        });
        // After the commit: made admin or owner is a security-alert signal.
        signalRoleGranted(deps.securityAlerts, { ...grant, via: 'role_changed', actor: ctx.actor });
        return out;
      },
    }),
    defineRoute({
      operationId: 'removeMember',
      method: 'delete',
      path: '/api/orgs/:orgId/members/:memberId',
      tag: TAG,
      summary: 'Remove a member, or leave the organization',
      description:
        'Needs `members:write`, except to remove yourself (leave). Only owners remove owners; the last owner cannot be removed ' +
        '(409 `last_owner`). Ends the member’s sessions.',
      // Every member may leave; removing someone else needs members:write (checked in the handler).
      permission: 'org:read',
      params: memberParams,
      status: 204,
      errors: [409],
      response: noContent,
      async handler({ params, principal, role, ctx }) {
        const released = await deps.db.withTenant(params.orgId, async (tx) => {
          const member = await memberRow(tx, params.orgId, params.memberId);
          if (!isSelf(principal, member)) {
            if (!can(role, 'members:write'))
              throw forbidden(`This needs the members:write permission, which the ${role} role does not have.`, 'permission_denied');
            if (member.role === 'owner' && role !== 'owner') throw ownersOnly();
          }
          if (member.role === 'owner' && (await ownerCount(tx, params.orgId)) <= 1) throw lastOwner();
          return removeMember(tx, member, ctx);
        });
        await announceReleased(deps.bus, deps.logger, params.orgId, released);
        return undefined;
      },
    }),
    defineRoute({
      operationId: 'listInvitations',
      method: 'get',
      path: '/api/orgs/:orgId/invitations',
      tag: TAG,
      summary: 'Pending invitations',
      description: 'Invitations neither accepted, revoked nor expired. The link is never shown again: only its hash is stored.',
      permission: 'members:write',
      params: orgParams,
      status: 200,
      response: z.object({ invitations: z.array(invitationView) }),
      async handler({ params }) {
        const rows = await deps.db.withTenant(params.orgId, (tx) => listPendingInvitations(tx, params.orgId));
        return { invitations: rows.map(invitationOut) };
      },
    }),
    defineRoute({
      operationId: 'createInvitation',
      method: 'post',
      path: '/api/orgs/:orgId/invitations',
      tag: TAG,
      summary: 'Invite someone by email',
      description:
        'Mails a single-use link valid for 7 days (`/invite#token=…`). The role can be at most the inviter’s own. ' +
        '`projectIds` limits an invited developer or viewer to some projects (400 `project_access_role` for other roles; ' +
        '404 `project_not_found` for an id that is not a project of this org). ' +
        '503 `email_not_configured` when the instance cannot send mail.',
      permission: 'members:write',
      params: orgParams,
      body: createInvitationBody,
      status: 201,
      errors: [409, 429, 503],
      response: z.object({ invitation: invitationView }),
      async handler({ params, body, principal, role, ctx, c }) {
        const projectIds = normalizeProjectIds(body.projectIds ?? null);
        // Another org's project id gets the 404 of an id that exists nowhere before anything else is
        // judged, so no other answer tells the two apart (the isolation suite checks).
        if (projectIds !== null && projectIds.length > 0)
          await deps.db.withTenant(params.orgId, (tx) => assertOrgProjects(tx, params.orgId, projectIds));
        if (!canGrantRole(role, body.role)) throw roleTooHigh();
        if (projectIds !== null && !isProjectRestrictable(body.role)) throw notRestrictable(body.role);
        if (deps.mailer === undefined || deps.mailer.mode === 'disabled')
          throw serviceUnavailable('Email is not configured on this instance, so invitations cannot be sent.', 'email_not_configured');
        await throttleInvites(deps, c, principal);
        const { invitation, token, orgName, inviterName } = await deps.db.withTenant(params.orgId, async (tx) => {
          const existing = await tx
            .select({ id: members.id })
            .from(members)
            .innerJoin(users, eq(users.id, members.userId))
            .where(and(eq(members.orgId, params.orgId), sql`lower(${users.email}) = ${body.email.trim().toLowerCase()}`))
            .limit(1);
          if (existing.length > 0)
            throw new HttpError(409, 'invalid_request_error', 'already_member', 'Someone with this email address is already a member.');
          const inviter = principal.kind === 'session' ? await getUser(tx, principal.userId) : undefined;
          const org = await getOrganization(tx, params.orgId);
          const created = await createInvitation(
            tx,
            { orgId: params.orgId, email: body.email, role: body.role, invitedBy: inviter?.id ?? null, projectIds },
            ctx,
          );
          return { ...created, orgName: org?.name ?? 'an organization', inviterName: inviter?.name ?? 'An administrator' };
        });
        // After the commit: a mail is never sent for an invitation that does not exist. A failed
        // delivery leaves the invitation pending (revoke it and invite again).
        const mail = invitationMail({
          orgName,
          inviterName,
          role: invitation.role,
          link: invitationLink(deps.publicUrl ?? '', token),
          expiresAt: invitation.expiresAt,
        });
        await deps.mailer.send({ to: invitation.email, ...mail });
        return { invitation: invitationOut(invitation) };
      },
    }),
    defineRoute({
      operationId: 'revokeInvitation',
      method: 'delete',
      path: '/api/orgs/:orgId/invitations/:invitationId',
      tag: TAG,
      summary: 'Revoke a pending invitation',
      permission: 'members:write',
      params: invitationParams,
      status: 204,
      response: noContent,
      async handler({ params, ctx }) {
        const revoked = await deps.db.withTenant(params.orgId, (tx) => revokeInvitation(tx, params.orgId, params.invitationId, ctx));
        if (!revoked) throw notFound('Invitation not found', 'invitation_not_found');
        return undefined;
      },
    }),
  ];
}

function invitationOut(row: { id: string; email: string; role: Role; projectIds: string[] | null; expiresAt: Date; createdAt: Date }) {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    projectIds: normalizeProjectIds(row.projectIds),
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}

async function throttleInvites(deps: ApiDeps, c: Context<ApiEnv>, principal: Principal): Promise<void> {
  if (deps.inviteThrottle === undefined) return;
  const key = principal.kind === 'session' ? `user:${principal.userId}` : `token:${principal.tokenId}`;
  const result = await deps.inviteThrottle.consume(key);
  if (!result.allowed) {
    deps.logger.warn({ clientIp: c.get('clientIp') }, 'invitations throttled');
    throw tooManyRequests('Too many invitations sent. Wait before inviting more people.', result.retryAfterSeconds, 'too_many_invitations');
  }
}
