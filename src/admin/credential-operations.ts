/**
 * What the operator does from the CLI (`portcullis keys …`, `portcullis tokens create`), by org
 * and project *name*. Run inside the server by the loopback admin endpoint when a server holds the
 * embedded data dir, directly on the database otherwise; the same code and the same audit events
 * either way, with the operator as a system actor (`cli@<host>`).
 */
import { z } from 'zod';
import type { ActionContext } from '../audit/context.js';
import { createAdminToken, createAdminTokenInputSchema, type IssuedAdminToken } from '../credentials/admin-token-service.js';
import { createApiKeyInputSchema, rotateApiKeyInputSchema, updateApiKeyInputSchema } from '../credentials/api-key-input.js';
import {
  createApiKey,
  deleteApiKey,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
  updateApiKey,
  type CredentialDeps,
  type IssuedApiKey,
} from '../credentials/api-key-service.js';
import type { ApiKeyView } from '../credentials/api-key-view.js';
import { notFound } from '../http/errors.js';
import { findOrganizationId } from '../tenancy/organizations.js';
import { findProjectByName } from '../tenancy/projects.js';

const orgName = z.string().min(1).max(100);

export const operatorSchemas = {
  // The api's own input schemas: the CLI accepts exactly what the api does (an owner stays for the api).
  keysCreate: createApiKeyInputSchema
    .omit({ ownerMemberId: true })
    .extend({ org: orgName, project: z.string().min(1).max(100) })
    .strict(),
  keysList: z.object({ org: orgName, project: z.string().min(1).max(100) }).strict(),
  keysUpdate: updateApiKeyInputSchema.extend({ org: orgName, keyId: z.uuid() }).strict(),
  keysRotate: rotateApiKeyInputSchema.extend({ org: orgName, keyId: z.uuid() }).strict(),
  keysRevoke: z.object({ org: orgName, keyId: z.uuid() }).strict(),
  keysDelete: z.object({ org: orgName, keyId: z.uuid() }).strict(),
  tokensCreate: createAdminTokenInputSchema.extend({ org: orgName }).strict(),
};
type Input<K extends keyof typeof operatorSchemas> = z.output<(typeof operatorSchemas)[K]>;

// The operator typed these names into their own terminal; quoting them back helps and leaks nothing.
async function orgIdOf(deps: CredentialDeps, name: string): Promise<string> {
  const id = await findOrganizationId(deps.db, name);
  if (id === undefined) throw notFound(`No organization named ${JSON.stringify(name)}.`, 'org_not_found');
  return id;
}

async function projectIdOf(deps: CredentialDeps, orgId: string, org: string, name: string): Promise<string> {
  const project = await deps.db.withTenant(orgId, (tx) => findProjectByName(tx, orgId, name));
  if (!project) throw notFound(`Organization ${JSON.stringify(org)} has no project named ${JSON.stringify(name)}.`, 'project_not_found');
  return project.id;
}

export async function operatorCreateKey(deps: CredentialDeps, input: Input<'keysCreate'>, ctx: ActionContext): Promise<IssuedApiKey> {
  const orgId = await orgIdOf(deps, input.org);
  const projectId = await projectIdOf(deps, orgId, input.org, input.project);
  const { org: _org, project: _project, ...key } = input;
  return createApiKey(deps, orgId, projectId, key, ctx);
}

export async function operatorUpdateKey(
  deps: CredentialDeps,
  input: Input<'keysUpdate'>,
  ctx: ActionContext,
): Promise<{ apiKey: ApiKeyView }> {
  const { org, keyId, ...changes } = input;
  return { apiKey: await updateApiKey(deps, await orgIdOf(deps, org), keyId, changes, ctx) };
}

export async function operatorListKeys(deps: CredentialDeps, input: Input<'keysList'>): Promise<{ apiKeys: ApiKeyView[] }> {
  const orgId = await orgIdOf(deps, input.org);
  const projectId = await projectIdOf(deps, orgId, input.org, input.project);
  return { apiKeys: await listApiKeys(deps, orgId, projectId) };
}

export async function operatorRotateKey(deps: CredentialDeps, input: Input<'keysRotate'>, ctx: ActionContext): Promise<IssuedApiKey> {
  return rotateApiKey(deps, await orgIdOf(deps, input.org), input.keyId, input.gracePeriodSeconds, ctx);
}

export async function operatorRevokeKey(
  deps: CredentialDeps,
  input: Input<'keysRevoke'>,
  ctx: ActionContext,
): Promise<{ apiKey: ApiKeyView }> {
  return { apiKey: await revokeApiKey(deps, await orgIdOf(deps, input.org), input.keyId, ctx) };
}

/** Removes the key (it stops working at once); its request logs stay, the audit trail records it. */
export async function operatorDeleteKey(
  deps: CredentialDeps,
  input: Input<'keysDelete'>,
  ctx: ActionContext,
): Promise<{ deleted: { id: string } }> {
  await deleteApiKey(deps, await orgIdOf(deps, input.org), input.keyId, ctx);
  return { deleted: { id: input.keyId } };
}

/**
 * The operator's way to an org's first admin token: not bound by any creator's role. The org id
 * comes back with it, since every api path starts with it.
 */
export async function operatorCreateToken(
  deps: CredentialDeps,
  input: Input<'tokensCreate'>,
  ctx: ActionContext,
): Promise<IssuedAdminToken & { orgId: string }> {
  const { org, ...token } = input;
  const orgId = await orgIdOf(deps, org);
  return { orgId, ...(await createAdminToken(deps, orgId, token, ctx, null)) };
}
