/**
 * Guardrail policies as stored: one row per org (project_id null) and one per project override,
 * each with a `version` that goes up on every change (the response cache keys on it, so an
 * answer cached under an older policy is never served). Written in the caller's tenant
 * transaction with the audit event; validated by the engine's schemas before they get here.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { guardrailPolicies } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { canonicalJson } from '../gateway/cache/canonical-json.js';

export type GuardrailPolicyRow = typeof guardrailPolicies.$inferSelect;

export async function findGuardrailPolicy(tx: Tx, orgId: string, projectId: string | null): Promise<GuardrailPolicyRow | undefined> {
  const [row] = await tx
    .select()
    .from(guardrailPolicies)
    .where(
      and(
        eq(guardrailPolicies.orgId, orgId),
        projectId === null ? isNull(guardrailPolicies.projectId) : eq(guardrailPolicies.projectId, projectId),
      ),
    )
    .limit(1);
  return row;
}

/** Stores the policy (org) or override (project); false when it is what is stored already. */
export async function saveGuardrailPolicy(
  tx: Tx,
  scope: { orgId: string; projectId: string | null },
  config: Record<string, unknown>,
  ctx: ActionContext,
): Promise<{ changed: boolean; version: number }> {
  const existing = await findGuardrailPolicy(tx, scope.orgId, scope.projectId);
  if (existing && canonicalJson(existing.config) === canonicalJson(config)) return { changed: false, version: existing.version };
  const version = (existing?.version ?? 0) + 1;
  if (existing)
    await tx.update(guardrailPolicies).set({ config, version, updatedAt: new Date() }).where(eq(guardrailPolicies.id, existing.id));
  else await tx.insert(guardrailPolicies).values({ orgId: scope.orgId, projectId: scope.projectId, config, version });
  await recordAudit(tx, {
    orgId: scope.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'guardrail_policy.changed',
    target: scope.projectId === null ? { type: 'org', id: scope.orgId } : { type: 'project', id: scope.projectId },
    diff: { from: existing?.config ?? null, to: config, version },
  });
  return { changed: true, version };
}

/** Removes a project's override (the org policy applies again); false when there was none. */
export async function deleteGuardrailOverride(tx: Tx, orgId: string, projectId: string, ctx: ActionContext): Promise<boolean> {
  const existing = await findGuardrailPolicy(tx, orgId, projectId);
  if (!existing) return false;
  await tx.delete(guardrailPolicies).where(eq(guardrailPolicies.id, existing.id));
  await recordAudit(tx, {
    orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'guardrail_policy.changed',
    target: { type: 'project', id: projectId },
    diff: { from: existing.config, to: null },
  });
  return true;
}
