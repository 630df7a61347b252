/**
 * Applies a bootstrap document idempotently: what exists is left alone (or brought in line:
 * plan, member role, provider key value and base URL, settings and guardrail policies where the
 * file gives them), what is missing is created. Each org is applied in one transaction with its
 * audit events. API keys are generated and bcrypt-hashed before that transaction opens, and only
 * the keys created by this run are returned.
 */
import type { ActionContext } from '../audit/context.js';
import type { EventBus } from '../events/event-bus.js';
import { recordAudit } from '../audit/record.js';
import { findApiKeyByName, insertApiKey, prepareApiKey, type PreparedApiKey } from '../credentials/api-keys.js';
import {
  createProviderKey,
  decryptProviderKey,
  findProviderKey,
  providerKeyProjectIds,
  updateProviderKey,
} from '../credentials/provider-keys.js';
import { constantTimeEqual } from '../crypto/hash.js';
import { canonicalJson } from '../gateway/cache/canonical-json.js';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import { providerKeyProjects } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Tx } from '../db/types.js';
import { saveGuardrailPolicy } from '../tenancy/guardrail-policies.js';
import { addMember, changeMemberRole, findMember } from '../tenancy/members.js';
import {
  changePlan,
  createOrganization,
  findOrganizationId,
  getOrganization,
  updateOrganizationSettings,
} from '../tenancy/organizations.js';
import { createProject, findProjectByName, updateProjectSettings } from '../tenancy/projects.js';
import { createUser, findUserByEmail } from '../tenancy/users.js';
import type { BootstrapDocument, BootstrapProviderKey } from './document.js';

export type CreatedApiKey = { org: string; project: string; name: string; key: string };
export type BootstrapChange = { type: string; org: string; orgId: string; name: string };
export type BootstrapResult = { apiKeys: CreatedApiKey[]; changes: BootstrapChange[] };

type OrgSpec = BootstrapDocument['orgs'][number];

export type BootstrapDeps = { db: ScopedDatabase; keyring: MasterKeyring; ctx: ActionContext };

export async function applyBootstrap(doc: BootstrapDocument, deps: BootstrapDeps): Promise<BootstrapResult> {
  const result: BootstrapResult = { apiKeys: [], changes: [] };
  for (const org of doc.orgs) await applyOrg(org, deps, result);
  await deps.db.withRole((tx) =>
    recordAudit(tx, {
      orgId: null,
      actor: deps.ctx.actor,
      requestId: deps.ctx.requestId,
      action: 'instance.bootstrap_applied',
      target: null,
      diff: { orgs: doc.orgs.map((o) => o.name), changes: result.changes.length, apiKeysCreated: result.apiKeys.length },
    }),
  );
  return result;
}

async function applyOrg(spec: OrgSpec, deps: BootstrapDeps, result: BootstrapResult): Promise<void> {
  const { db, ctx } = deps;
  let orgId = await findOrganizationId(db, spec.name);
  const existed = orgId !== undefined;
  const missingKeys = orgId
    ? await missingApiKeys(db, orgId, spec)
    : spec.projects.flatMap((p) => p.apiKeys.map((k) => ({ project: p, key: k })));
  // bcrypt outside the transaction.
  const prepared = new Map<string, PreparedApiKey>();
  for (const { project, key } of missingKeys)
    prepared.set(`${project.name.toLowerCase()}\u0000${key.name}`, await prepareApiKey(project.mode));

  if (!orgId) {
    orgId = await createOrganization(db, { name: spec.name, plan: spec.plan }, ctx);
  }
  const id = orgId;
  if (!existed) result.changes.push({ type: 'org.created', org: spec.name, orgId: id, name: spec.name });
  const change = (type: string, name: string) => result.changes.push({ type, org: spec.name, orgId: id, name });
  await db.withTenant(id, async (tx) => {
    const org = await getOrganization(tx, id);
    if (!org) throw new Error(`organization ${spec.name} disappeared during bootstrap`);
    if (org.plan !== spec.plan) {
      await changePlan(tx, id, org.plan, spec.plan, ctx);
      change('org.plan_changed', spec.plan);
    }
    if (spec.settings && (await updateOrganizationSettings(tx, org, spec.settings, ctx))) change('org.updated', spec.name);
    // The api's own save: replaced when it differs (versioned, audited `guardrail_policy.changed`), untouched when equal.
    if (spec.guardrails && (await saveGuardrailPolicy(tx, { orgId: id, projectId: null }, spec.guardrails, ctx)).changed)
      change('guardrail_policy.changed', spec.name);
    for (const m of spec.members) {
      const user = (await findUserByEmail(tx, m.email)) ?? (await createUser(tx, { email: m.email }));
      const member = await findMember(tx, id, user.id);
      if (!member) {
        await addMember(tx, { orgId: id, userId: user.id, email: user.email, role: m.role }, ctx);
        change('member.added', m.email);
      } else if (member.role !== m.role) {
        await changeMemberRole(tx, member, m.role, ctx);
        change('member.role_changed', m.email);
      }
    }
    for (const key of spec.providerKeys) await ensureProviderKey(tx, id, spec.name, key, key.label ?? key.provider, null, deps, result);
    for (const p of spec.projects) {
      let project = await findProjectByName(tx, id, p.name);
      if (!project) {
        project = await createProject(tx, { orgId: id, name: p.name, mode: p.mode }, ctx);
        change('project.created', p.name);
      }
      if (p.settings && (await updateProjectSettings(tx, project, p.settings, ctx))) change('project.updated', p.name);
      if (p.guardrails && (await saveGuardrailPolicy(tx, { orgId: id, projectId: project.id }, p.guardrails, ctx)).changed)
        change('guardrail_policy.changed', p.name);
      for (const key of p.providerKeys)
        await ensureProviderKey(tx, id, spec.name, key, key.label ?? `${p.name}/${key.provider}`, project.id, deps, result);
      for (const k of p.apiKeys) {
        const existing = await findApiKeyByName(tx, project.id, k.name);
        const ready = prepared.get(`${p.name.toLowerCase()}\u0000${k.name}`);
        if (existing || !ready) continue; // exists (its secret is never shown again), or created concurrently since the plan
        await insertApiKey(
          tx,
          ready,
          { orgId: id, projectId: project.id, name: k.name, expiresAt: k.expiresAt ? new Date(k.expiresAt) : null, ownerMemberId: null },
          ctx,
        );
        result.apiKeys.push({ org: spec.name, project: p.name, name: k.name, key: ready.token });
        change('api_key.created', `${p.name}/${k.name}`);
      }
    }
  });
}

async function missingApiKeys(db: ScopedDatabase, orgId: string, spec: OrgSpec) {
  return db.withTenant(orgId, async (tx) => {
    const missing: { project: OrgSpec['projects'][number]; key: OrgSpec['projects'][number]['apiKeys'][number] }[] = [];
    for (const p of spec.projects) {
      const project = await findProjectByName(tx, orgId, p.name);
      for (const k of p.apiKeys) if (!project || !(await findApiKeyByName(tx, project.id, k.name))) missing.push({ project: p, key: k });
    }
    return missing;
  });
}

async function ensureProviderKey(
  tx: Tx,
  orgId: string,
  orgName: string,
  spec: BootstrapProviderKey,
  label: string,
  projectId: string | null,
  deps: BootstrapDeps,
  result: BootstrapResult,
): Promise<void> {
  const baseUrl = spec.baseUrl ?? null;
  const options = spec.options ?? {};
  const existing = await findProviderKey(tx, orgId, spec.provider, label);
  if (!existing) {
    await createProviderKey(
      tx,
      { orgId, provider: spec.provider, label, baseUrl, options, secret: spec.key, projectIds: projectId ? [projectId] : [] },
      deps.keyring,
      deps.ctx,
    );
    result.changes.push({ type: 'provider_key.created', org: orgName, orgId, name: label });
    return;
  }
  const current = await decryptProviderKey(tx, existing, deps.keyring);
  if (!constantTimeEqual(current, spec.key) || existing.baseUrl !== baseUrl || canonicalJson(existing.options) !== canonicalJson(options)) {
    await updateProviderKey(tx, existing, { secret: spec.key, baseUrl, options }, deps.keyring, deps.ctx);
    result.changes.push({ type: 'provider_key.updated', org: orgName, orgId, name: label });
  }
  if (projectId && !(await providerKeyProjectIds(tx, existing.id)).includes(projectId)) {
    await tx.insert(providerKeyProjects).values({ orgId, providerKeyId: existing.id, projectId });
  }
}

/**
 * Tells every replica's caches about what a bootstrap changed (in-process, or over Redis), so a
 * running gateway serves the new settings, keys and policy at once instead of after its cache TTL.
 */
export async function announceBootstrapChanges(bus: Pick<EventBus, 'publish'>, result: BootstrapResult): Promise<void> {
  for (const orgId of new Set(result.changes.map((change) => change.orgId))) await bus.publish({ type: 'org.changed', orgId });
}
