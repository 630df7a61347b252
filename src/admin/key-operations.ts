/**
 * The operator's key rotations and org deletion (`portcullis keys rotate-master|rotate-tenant`,
 * `portcullis orgs delete|cancel-deletion|set-plan`), by org *name*. Run inside the server by the loopback admin endpoint
 * when a server holds the embedded data dir, directly on the database otherwise; the same code and
 * the same audit events either way, with the operator as a system actor (`cli@<host>`).
 */
import { z } from 'zod';
import type { ActionContext } from '../audit/context.js';
import type { CredentialDeps } from '../credentials/api-key-service.js';
import { rotateMasterKey, type MasterRotationSummary } from '../credentials/master-key-rotation.js';
import { deleteOrganization, type OrgDeletionSummary } from '../credentials/org-deletion.js';
import { confirmedByName } from '../credentials/org-deletion-confirmation.js';
import { cancelOrgDeletion, scheduleOrgDeletion } from '../credentials/org-deletion-schedule.js';
import { rotateTenantKey, type TenantRotationSummary } from '../credentials/tenant-key-rotation.js';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import { notFound } from '../http/errors.js';
import { ORG_PLANS } from '../db/schema/index.js';
import { setPlan, type PlanChange } from '../tenancy/instance.js';
import { findOrganizationId } from '../tenancy/organizations.js';

const orgName = z.string().min(1).max(100);
/** An hour is far past any gateway cache; beyond that a typo is likelier than intent. */
export const MAX_GRACE_SECONDS = 3_600;

export const keyOperatorSchemas = {
  rotateMaster: z.object({ refreshKmsVersions: z.boolean().default(false) }).strict(),
  rotateAuthSecret: z.object({}).strict(),
  rotateTenant: z.object({ org: orgName, graceSeconds: z.number().int().min(0).max(MAX_GRACE_SECONDS).optional() }).strict(),
  /** `now`: the operator's escape hatch, deleting at once; without it the deletion is scheduled like an owner's. */
  orgsDelete: z.object({ org: orgName, confirm: z.string().min(1).max(100), now: z.boolean().optional() }).strict(),
  orgsCancelDeletion: z.object({ org: orgName }).strict(),
  orgsSetPlan: z.object({ org: orgName, plan: z.enum(ORG_PLANS) }).strict(),
};
type Input<K extends keyof typeof keyOperatorSchemas> = z.output<(typeof keyOperatorSchemas)[K]>;

export type KeyOperatorDeps = CredentialDeps & { keyring: MasterKeyring };
export type Progress = (line: string) => void;

async function orgIdOf(deps: KeyOperatorDeps, name: string): Promise<string> {
  const id = await findOrganizationId(deps.db, name);
  // The operator typed this name into their own terminal; quoting it back leaks nothing.
  if (id === undefined) throw notFound(`No organization named ${JSON.stringify(name)}.`, 'org_not_found');
  return id;
}

export function operatorRotateMaster(
  deps: KeyOperatorDeps,
  ctx: ActionContext,
  progress: Progress,
  input: Input<'rotateMaster'> = { refreshKmsVersions: false },
): Promise<MasterRotationSummary> {
  return rotateMasterKey(deps, ctx, { onProgress: progress, refreshKmsVersions: input.refreshKmsVersions });
}

/**
 * `defaultGraceMs`: how long the retired key must stay before it is destroyed when the operator
 * did not say — 0 only where no gateway can be running on this database (the caller knows).
 */
export async function operatorRotateTenant(
  deps: KeyOperatorDeps,
  input: Input<'rotateTenant'>,
  ctx: ActionContext,
  progress: Progress,
  defaultGraceMs: number,
): Promise<TenantRotationSummary> {
  const orgId = await orgIdOf(deps, input.org);
  const graceMs = input.graceSeconds === undefined ? defaultGraceMs : input.graceSeconds * 1000;
  return rotateTenantKey(deps, orgId, ctx, { onProgress: progress, graceMs });
}

/** A scheduled deletion as the operator sees it (JSON through the admin endpoint: times as ISO strings). */
export type OperatorScheduledDeletion = { scheduled: true; orgId: string; name: string; deletionScheduledFor: string; graceDays: number };
export type OperatorCancelledDeletion = { orgId: string; name: string; cancelledDeletionScheduledFor: string };

/** With `now`, deletes at once (crypto-shredding); otherwise schedules it after `graceDays`, like an owner's request. */
export async function operatorDeleteOrg(
  deps: KeyOperatorDeps,
  input: Input<'orgsDelete'>,
  ctx: ActionContext,
  graceDays: number,
): Promise<OrgDeletionSummary | OperatorScheduledDeletion> {
  const orgId = await orgIdOf(deps, input.org);
  if (input.now === true) {
    const summary = await deleteOrganization(deps, orgId, ctx, { lock: 'wait', precondition: confirmedByName(input.confirm) });
    // A waiting lock and a throwing precondition never skip; undefined would be a bug here.
    if (!summary) throw new Error(`organization ${orgId} was not deleted`);
    return summary;
  }
  const scheduled = await scheduleOrgDeletion(deps, orgId, { confirm: input.confirm, graceDays }, ctx);
  return { scheduled: true, ...scheduled, deletionScheduledFor: scheduled.deletionScheduledFor.toISOString() };
}

export async function operatorCancelOrgDeletion(
  deps: KeyOperatorDeps,
  input: Input<'orgsCancelDeletion'>,
  ctx: ActionContext,
): Promise<OperatorCancelledDeletion> {
  const cancelled = await cancelOrgDeletion(deps, await orgIdOf(deps, input.org), ctx);
  return { ...cancelled, cancelledDeletionScheduledFor: cancelled.cancelledDeletionScheduledFor.toISOString() };
}

/** The operator sets any org's plan, their own included: how a single-admin instance changes the plan of the org it belongs to. */
export async function operatorSetPlan(deps: KeyOperatorDeps, input: Input<'orgsSetPlan'>, ctx: ActionContext): Promise<PlanChange> {
  return setPlan(deps.db, await orgIdOf(deps, input.org), input.plan, ctx);
}
