import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { apiKeys, invitations, members, projects, type ProjectMode } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { recordAudit } from '../audit/record.js';
import type { ActionContext } from '../audit/context.js';
import { canonicalJson } from '../gateway/cache/canonical-json.js';
import type { ProjectSettings } from './settings.js';

export type Project = typeof projects.$inferSelect;

export async function findProjectByName(tx: Tx, orgId: string, name: string): Promise<Project | undefined> {
  const [row] = await tx
    .select()
    .from(projects)
    .where(and(eq(projects.orgId, orgId), sql`lower(${projects.name}) = lower(${name})`))
    .limit(1);
  return row;
}

export async function createProject(
  tx: Tx,
  input: { orgId: string; name: string; mode: ProjectMode },
  ctx: ActionContext,
): Promise<Project> {
  const id = randomUUID();
  const [row] = await tx.insert(projects).values({ id, orgId: input.orgId, name: input.name, mode: input.mode }).returning();
  await recordAudit(tx, {
    orgId: input.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'project.created',
    target: { type: 'project', id },
    diff: { name: input.name, mode: input.mode },
  });
  return row!;
}

/** Replaces the project's settings (cache, body logging, models, aliases); audited with the diff. */
export async function updateProjectSettings(tx: Tx, project: Project, settings: ProjectSettings, ctx: ActionContext): Promise<boolean> {
  if (canonicalJson(project.settings) === canonicalJson(settings)) return false;
  await tx.update(projects).set({ settings, updatedAt: new Date() }).where(eq(projects.id, project.id));
  await recordAudit(tx, {
    orgId: project.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'project.updated',
    target: { type: 'project', id: project.id },
    diff: { settings: { from: project.settings, to: settings } },
  });
  return true;
}

/**
 * Deletes a project: its API keys, provider-key assignments and guardrail overrides go with it
 * (foreign keys cascade); its request logs stay (no foreign key), for usage history and audits.
 * Its id also leaves the project lists of members and pending invitations (arrays cannot have a
 * foreign key), so no list counts a project that is gone; a list left empty stays empty, never
 * "every project". Audited with what went; returns the removed keys' ids for the caller to announce
 * after commit.
 */
export async function deleteProject(tx: Tx, project: Project, ctx: ActionContext): Promise<{ apiKeyIds: string[] }> {
  const keys = await tx.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.projectId, project.id));
  const removed = await tx.delete(projects).where(eq(projects.id, project.id)).returning({ id: projects.id });
  if (removed.length !== 1) throw new Error(`project ${project.id} was not deleted`);
  const narrowedMembers = await tx
    .update(members)
    .set({ projectIds: sql`array_remove(${members.projectIds}, ${project.id}::uuid)` })
    .where(and(eq(members.orgId, project.orgId), sql`${project.id}::uuid = any(${members.projectIds})`))
    .returning({ id: members.id });
  const narrowedInvitations = await tx
    .update(invitations)
    .set({ projectIds: sql`array_remove(${invitations.projectIds}, ${project.id}::uuid)` })
    .where(and(eq(invitations.orgId, project.orgId), sql`${project.id}::uuid = any(${invitations.projectIds})`))
    .returning({ id: invitations.id });
  await recordAudit(tx, {
    orgId: project.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'project.deleted',
    target: { type: 'project', id: project.id },
    diff: {
      name: project.name,
      mode: project.mode,
      apiKeys: keys.length,
      ...(narrowedMembers.length > 0 ? { membersNarrowed: narrowedMembers.length } : {}),
      ...(narrowedInvitations.length > 0 ? { invitationsNarrowed: narrowedInvitations.length } : {}),
    },
  });
  return { apiKeyIds: keys.map((k) => k.id) };
}
