import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { findOrgIdByName, setOrgPlan } from '../db/definer.js';
import { organizations, type OrgPlan } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Tx } from '../db/types.js';
import { recordAudit } from '../audit/record.js';
import type { ActionContext } from '../audit/context.js';
import { canonicalJson } from '../gateway/cache/canonical-json.js';
import { addMember } from './members.js';
import type { OrgSettings } from './settings.js';

export type Organization = typeof organizations.$inferSelect;

/** Org names are unique case-insensitively across the instance (the lookup precedes knowing the id). */
export function findOrganizationId(db: ScopedDatabase, name: string): Promise<string | undefined> {
  return db.withRole((tx) => findOrgIdByName(tx, name));
}

/**
 * Creates an org inside its own tenant scope (the RLS check on organizations.id holds from the
 * first row). Returns the new id; runs in the caller's transaction if one is open for that id.
 * `owner`: the user creating it for themself (`POST /api/orgs`) becomes its owner in the same
 * transaction, so no org is ever left without one.
 */
export async function createOrganization(
  db: ScopedDatabase,
  input: { name: string; plan: OrgPlan; owner?: { userId: string; email: string } },
  ctx: ActionContext,
): Promise<string> {
  const id = randomUUID();
  await db.withTenant(id, async (tx) => {
    await tx.insert(organizations).values({ id, name: input.name, plan: 'free' });
    await recordAudit(tx, {
      orgId: id,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'org.created',
      target: { type: 'org', id },
      diff: { name: input.name },
    });
    if (input.plan !== 'free') await changePlan(tx, id, 'free', input.plan, ctx);
    if (input.owner) await addMember(tx, { orgId: id, userId: input.owner.userId, email: input.owner.email, role: 'owner' }, ctx);
  });
  return id;
}

export async function getOrganization(tx: Tx, orgId: string): Promise<Organization | undefined> {
  const [row] = await tx.select().from(organizations).where(eq(organizations.id, orgId)).limit(1);
  return row;
}

/** Plans are the instance admin's decision: callers must have checked that before calling. */
export async function changePlan(tx: Tx, orgId: string, from: OrgPlan, to: OrgPlan, ctx: ActionContext): Promise<void> {
  if (from === to) return;
  if (!(await setOrgPlan(tx, orgId, to))) throw new Error(`organization ${orgId} not found`);
  await recordAudit(tx, {
    orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'org.plan_changed',
    target: { type: 'org', id: orgId },
    diff: { plan: { from, to } },
  });
}

/** Replaces the org's settings (provider policy); validated by the caller's schema, audited with the diff. */
export async function updateOrganizationSettings(tx: Tx, org: Organization, settings: OrgSettings, ctx: ActionContext): Promise<boolean> {
  if (canonicalJson(org.settings) === canonicalJson(settings)) return false;
  await tx.update(organizations).set({ settings, updatedAt: new Date() }).where(eq(organizations.id, org.id));
  await recordAudit(tx, {
    orgId: org.id,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'org.updated',
    target: { type: 'org', id: org.id },
    diff: { settings: { from: org.settings, to: settings } },
  });
  return true;
}
